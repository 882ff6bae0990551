"""`qrshop tags ...`"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from qrshop.accounts.services import retailer_by_slug
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.spreadsheets import csv_text
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.queries import list_tags
from qrshop.tags.services import (
    TAG_LIST_COLUMNS,
    print_counter_card,
    print_tags,
    store_by_code,
    tags_for_print,
)
from qrshop.tags.silent import report_silent_tags

tags_cli = AppGroup("tags", help="List and print product QR tags.")


@tags_cli.command("list")
@click.option("--retailer", "retailer_slug", help="Only this retailer's tags.")
@click.option("--store", "store_code", help="Only this store's tags.")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
def list_command(retailer_slug, store_code, output_format):
    """List tags: code,url,retailer,store,sku,gtin,product,placement,status."""
    try:
        rows = list_tags(
            current_app.config["BASE_URL"], retailer_slug=retailer_slug, store_code=store_code
        )
    except InvalidInput as error:
        raise click.ClickException(error.message) from None
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    # Text cells starting like a formula get a leading ' (a spreadsheet opens this file).
    click.echo(csv_text(TAG_LIST_COLUMNS,
                        ([row[column] for column in TAG_LIST_COLUMNS] for row in rows)), nl=False)


def _warn_about_base_url() -> None:
    """Say on stderr which address the tags will encode when QRSHOP_BASE_URL is not set."""
    if os.environ.get("QRSHOP_BASE_URL"):
        return
    base_url = current_app.config["BASE_URL"]
    if current_app.config.get("BASE_URL_FROM_DEMO"):
        click.echo(f"Note: QRSHOP_BASE_URL is not set; these tags encode the demo server's "
                   f"address {base_url} (from `qrshop demo`). Set QRSHOP_BASE_URL to the "
                   f"public address before printing tags for a store.", err=True)
        return
    click.echo(f"WARNING: QRSHOP_BASE_URL is not set, so these tags encode {base_url}, which "
               f"no shopper's phone can open. Set QRSHOP_BASE_URL to the public address "
               f"(e.g. https://qr.example.com) and print again before hanging them.", err=True)


@tags_cli.command("print")
@click.option("--store", "store_code", required=True, help="Store code, e.g. ATL01.")
@click.option("--sku", "skus", multiple=True,
              help="Retailer SKU to print (repeat for more); default: every active tag.")
@click.option("--layout", "layout_name", required=True, type=click.Choice(list(LAYOUTS)),
              help="; ".join(f"{layout.name}: {layout.description}"
                             for layout in LAYOUTS.values()))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The PDF file to write.")
@click.option("--placement", default=None,
              help="Placement note for new tags (and to pick existing ones), e.g. "
                   "'Aisle 4 endcap'.")
@click.option("--retailer", "retailer_slug", default=None,
              help="Retailer slug, when two retailers use the same store code.")
@click.option("--offset-x", default=0.0, show_default=True, type=float,
              help="Calibration: move everything right by this many mm (negative: left).")
@click.option("--offset-y", default=0.0, show_default=True, type=float,
              help="Calibration: move everything down by this many mm (negative: up).")
@click.option("--title", "heading", default=None, type=click.STRING,
              help="Posters: the headline (default 'Shop the shelf' / 'Shop the look').")
def print_command(store_code, skus, layout_name, out_path, placement, retailer_slug,
                  offset_x, offset_y, heading):
    """Print tags of a store as a PDF on label stock or as a poster; missing tags are
    created. The counter card (counter-card, counter-card-a4) takes no --sku."""
    _warn_about_base_url()
    heading = (heading or "").strip() or None
    try:
        retailer_id = None
        if retailer_slug:
            retailer_id = retailer_by_slug(retailer_slug).id
        store = store_by_code(store_code, retailer_id)
        if LAYOUTS[layout_name].style == "counter-card":
            if skus:
                raise InvalidInput("The counter card carries no items: leave out --sku.")
            pdf = print_counter_card(store, layout_name, current_app.config["BASE_URL"],
                                     offset_mm=(offset_x, offset_y))
            _write(Path(out_path), pdf)
            click.echo(f"Wrote the counter card ({layout_name}) for {store.code} to "
                       f"{out_path}.")
            return
        tags = tags_for_print(store, list(skus), placement)
        with click.progressbar(length=len(tags), label=f"Printing {len(tags)} tags",
                               file=sys.stderr) as bar:
            pdf = print_tags(store, tags, layout_name, current_app.config["BASE_URL"],
                             heading=heading, offset_mm=(offset_x, offset_y),
                             progress=lambda: bar.update(1))
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    out = Path(out_path)
    _write(out, pdf)
    db.session.commit()
    click.echo(f"Wrote {len(tags)} tags ({layout_name}) to {out}.")


def _write(out: Path, pdf: bytes) -> None:
    """Write beside the target and rename: a reader never sees half a PDF."""
    try:
        partial = out.with_name(f".{out.name}.partial")
        partial.write_bytes(pdf)
        partial.replace(out)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot write {out}: {error.strerror}.") from None


@tags_cli.command("report-silent")
def report_silent_command():
    """Queue a tag.silent webhook event for each tag that fell silent (no counted scan for
    14 days), once per silence; run daily from cron."""
    queued = report_silent_tags(utcnow())
    db.session.commit()
    click.echo(f"Queued {queued} tag.silent deliveries.")
