"""`qrshop outbox ...`"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from qrshop.engagement.alerts import deliver
from qrshop.extensions import db

outbox_cli = AppGroup("outbox", help="Queued emails and text messages.")


@outbox_cli.command("send")
def send_command():
    """Deliver every due message (email by SMTP, SMS by the provider webhook), with retries."""
    config = current_app.config
    try:
        report = deliver(smtp_url=config["SMTP_URL"], sms_webhook_url=config["SMS_WEBHOOK_URL"],
                         sender=config["MAIL_FROM"], commit=db.session.commit)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Sent {report.sent}, failed {report.failed} (kept for retry"
               f"{f'; {report.gave_up} given up after 8 attempts' if report.gave_up else ''}).")
    if report.failed:
        raise SystemExit(1)
