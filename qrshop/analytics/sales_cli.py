"""`qrshop sales import --retailer SLUG FILE.csv`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from qrshop.accounts.services import retailer_by_slug
from qrshop.analytics.sales_imports import (
    CLI_MAX_BYTES,
    CLI_MAX_ROWS,
    SHOWN_ERRORS,
    import_sales_rows,
)
from qrshop.catalog.imports import RowErrors, read_csv
from qrshop.errors import InvalidInput
from qrshop.extensions import db

sales_cli = AppGroup("sales", help="The retailers' POS sales feed.")


@sales_cli.command("import")
@click.option("--retailer", "retailer_slug", required=True, help="Retailer slug.")
@click.argument("csv_file", type=click.File("rb"))
def import_command(retailer_slug: str, csv_file):
    """Import sales lines from CSV, all or nothing; prints
    `Imported N sales lines (M already known).`

    Columns: store,sku,sold_at,quantity,amount_cents,currency,line_id (sold_at in ISO 8601
    with its offset; returns have negative quantities). A line_id already imported is
    already known and not counted again. See docs/analytics.md.
    """
    try:
        retailer = retailer_by_slug(retailer_slug)
        text = read_csv(csv_file.read(), max_bytes=CLI_MAX_BYTES)
        stored, known = import_sales_rows(retailer, text, max_rows=CLI_MAX_ROWS,
                                          max_bytes=CLI_MAX_BYTES)
    except RowErrors as errors:
        db.session.rollback()
        for row in errors.bad[:SHOWN_ERRORS]:
            click.echo(f"line {row.line}: {row.error}", err=True)
        if len(errors.bad) > SHOWN_ERRORS:
            click.echo(f"... and {len(errors.bad) - SHOWN_ERRORS} more.", err=True)
        raise click.ClickException(f"{len(errors.bad)} row(s) have errors; nothing was "
                                   "imported.") from None
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Imported {stored} sales lines ({known} already known).")
