"""`qrshop outbox send`: deliver queued emails and texts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from qrshop.alerts import outbox
from qrshop.db import utcnow
from qrshop.extensions import db


@click.group("outbox")
def outbox_cli():
    """Queued emails and texts."""


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Deliver at most this many messages in this run.")
@with_appcontext
def send_command(limit: int):
    """Deliver the queued messages that are due; failures stay queued and are retried later."""
    # One commit per message, not per command: a message handed to the mail server must be
    # marked sent at once, or a crash later in the run would send it again next time.
    sent = failed = 0
    for message_id, due_at in outbox.due_messages(utcnow(), limit):
        message = outbox.take(message_id, due_at, utcnow())
        db.session.commit()
        if message is None:
            continue  # another sender has it
        error = outbox.deliver(message, current_app.config)
        outbox.record_result(message, error, utcnow())
        db.session.commit()
        if error is None:
            sent += 1
        else:
            failed += 1
            click.echo(f"message {message.id} to {message.recipient}: {error} "
                       f"(attempt {message.attempts}, queued for retry)", err=True)
    click.echo(f"Sent {sent}, failed {failed}.")
