"""`qrshop tags ...`"""

from __future__ import annotations

import csv
import io
import json

import click
from flask import current_app
from flask.cli import AppGroup

from qrshop.errors import InvalidInput
from qrshop.tags.services import TAG_LIST_COLUMNS, list_tags

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
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TAG_LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    click.echo(out.getvalue(), nl=False)
