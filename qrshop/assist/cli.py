"""`qrshop holds expire`: end the holds whose time has passed and tell their shoppers (the
worker does the same every minute; this is for cron or by hand)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qrshop.assist import holds
from qrshop.extensions import db


@click.group("holds")
def holds_cli():
    """Holds of items for shoppers ("Hold for me at this store")."""


@holds_cli.command("expire")
@with_appcontext
def expire_command():
    """Expire the holds past their store's hold time; their shoppers are told."""
    expired = holds.expire_due()
    db.session.commit()
    click.echo(f"Expired {expired} hold{'' if expired == 1 else 's'}.")
