"""`qrshop listings ...`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from qrshop.accounts.services import retailer_by_slug
from qrshop.catalog.imports import RowErrors, read_csv
from qrshop.catalog.listing_imports import import_listing_rows
from qrshop.errors import InvalidInput
from qrshop.extensions import db

listings_cli = AppGroup("listings", help="A retailer's listings: the products it carries.")


@listings_cli.command("import")
@click.option("--retailer", "retailer_slug", required=True, help="Retailer slug.")
@click.argument("csv_file", type=click.File("rb"))
def import_command(retailer_slug: str, csv_file):
    """Import listings from CSV, all or nothing; prints `Imported N listings, updated M.`

    Columns: sku,gtin,price,currency; optional name,brand (a product no vendor supplies)
    and store,in_stock,location (stock per store). See docs/catalogue.md.
    """
    try:
        retailer = retailer_by_slug(retailer_slug)
        created, updated = import_listing_rows(retailer, read_csv(csv_file.read()))
    except RowErrors as errors:
        db.session.rollback()
        for row in errors.bad:
            click.echo(f"line {row.line}: {row.error}", err=True)
        raise click.ClickException(f"{len(errors.bad)} row(s) have errors; nothing was "
                                   "imported.") from None
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Imported {created} listings, updated {updated}.")
