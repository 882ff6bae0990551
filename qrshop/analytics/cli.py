"""`qrshop analytics ...`"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from qrshop.accounts import queries as accounts
from qrshop.analytics import zones
from qrshop.analytics.rollup import roll_up_in_steps
from qrshop.shopper import queries as shopper

analytics_cli = AppGroup("analytics", help="Merchandiser and vendor analytics.")


@analytics_cli.command("rollup")
def rollup_command():
    """Roll every store's completed days of scans, back to the first scan, up into daily
    figures (run once after upgrading, then from cron shortly after midnight).

    Dashboards roll up the days they show themselves; this keeps their first read fast.
    """
    stores = accounts.all_stores()
    first = shopper.first_scan_at()
    # A day early: the first scan's local day may be the UTC day before.
    back_to = first.date() - timedelta(days=1) if first else None
    total = roll_up_in_steps(stores, back_to=back_to)
    summed = zones.build_all(stores)
    click.echo(f"Rolled up {total} store-days of scans.")
    click.echo(f"Summed {summed} days of whole time zones for chain-wide reports.")
