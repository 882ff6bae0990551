"""`qrshop analytics ...`"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.analytics.rollup import roll_up
from qrshop.extensions import db
from qrshop.shopper.models import Scan

analytics_cli = AppGroup("analytics", help="Merchandiser and vendor analytics.")

# Days rolled up per store and transaction: on SQLite a write transaction holds the write lock
# that scan requests wait for, so a long history is rolled up in short steps.
DAYS_PER_STEP = 7


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
    total = 0
    while True:
        days = roll_up(stores, back_to=back_to, max_days=DAYS_PER_STEP)
        db.session.commit()
        if not days:
            break
        total += days
    click.echo(f"Rolled up {total} store-days of scans.")
