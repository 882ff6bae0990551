"""`qrshop analytics ...`"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from qrshop.accounts.models import Store
from qrshop.analytics.rollup import roll_up
from qrshop.extensions import db

analytics_cli = AppGroup("analytics", help="Merchandiser and vendor analytics.")


@analytics_cli.command("rollup")
def rollup_command():
    """Roll every store's completed days of scans up into daily figures (run from cron).

    Dashboards do this themselves when they are read; running it ahead keeps the first
    dashboard of the day fast.
    """
    stores = db.session.scalars(select(Store).order_by(Store.id)).all()
    days = roll_up(list(stores))
    db.session.commit()
    click.echo(f"Rolled up {days} store-days of scans.")
