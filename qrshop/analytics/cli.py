"""`qrshop analytics ...`"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.analytics.rollup import roll_up_in_steps
from qrshop.extensions import db
from qrshop.shopper.models import Scan

analytics_cli = AppGroup("analytics", help="Merchandiser and vendor analytics.")


@analytics_cli.command("rollup")
def rollup_command():
    """Roll every store's completed days of scans, back to the first scan, up into daily
    figures (run once after upgrading, then from cron shortly after midnight).

    Dashboards roll up the days they show themselves; this keeps their first read fast.
    """
    stores = list(db.session.scalars(select(Store).order_by(Store.id)))
    first = db.session.scalar(select(func.min(Scan.scanned_at)))
    # A day early: the first scan's local day may be the UTC day before.
    back_to = first.date() - timedelta(days=1) if first else None
    total = roll_up_in_steps(stores, back_to=back_to)
    click.echo(f"Rolled up {total} store-days of scans.")
