"""`qrshop outbox send`: one pass delivering queued emails and texts (for cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qrshop.alerts import outbox


@click.group("outbox")
def outbox_cli():
    """Queued emails and texts."""


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Deliver at most this many messages in this run.")
@with_appcontext
def send_command(limit: int):
    """Deliver the queued messages that are due; failures stay queued and are retried later."""
    sent, failed = outbox.send_due(limit, report=lambda line: click.echo(line, err=True))
    click.echo(f"Sent {sent}, failed {failed}.")
