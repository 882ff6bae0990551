"""`qrshop recommend ...`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from qrshop.extensions import db
from qrshop.recommend.services import refresh_co_scans

recommend_cli = AppGroup("recommend", help='"Complete the look" recommendations.')


@recommend_cli.command("refresh")
def refresh_command():
    """Recount which items the same shoppers scanned the same day (run hourly from cron)."""
    rows = refresh_co_scans()
    db.session.commit()
    click.echo(f"Co-scans refreshed: {rows} item pairs.")
