"""`qrshop users ...`"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from qrshop.accounts.models import Role
from qrshop.accounts.services import create_user
from qrshop.errors import InvalidInput
from qrshop.extensions import db

users_cli = AppGroup("users", help="Manage users who log in.")


@users_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--retailer", "retailer_slug", help="Retailer slug (merchandiser, associate).")
@click.option("--vendor", "vendor_slug", help="Vendor slug (vendor users).")
@click.option("--store", "store_code", help="Store code (associates).")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
def add_user(email, role, retailer_slug, vendor_slug, store_code, password_stdin):
    """Add a user with a role; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            email, role=role, password=password, retailer_slug=retailer_slug,
            vendor_slug=vendor_slug, store_code=store_code,
        )
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Added {user.role} {user.email}.")
