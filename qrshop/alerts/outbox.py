"""The outbox: emails and texts are queued in the request, delivered by `qrshop outbox send`.

A sender takes a due message by pushing its next_attempt_at forward in one conditional UPDATE
(the row count says whether it got it), so two senders never deliver one message twice. A
failed delivery leaves the message queued with attempts + 1, last_error and a later
next_attempt_at (exponential backoff); after MAX_ATTEMPTS it is left alone for a person.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select, update

from qrshop.alerts.models import Channel, OutboxMessage
from qrshop.db import utcnow
from qrshop.extensions import db

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=10)  # how long a sender holds a message it is delivering
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 20


class DeliveryError(Exception):
    """A message could not be handed over; the text says why (kept as last_error)."""


def queue_message(*, channel: str, recipient: str, subject: str, body: str,
                  unsubscribe_url: Optional[str] = None) -> OutboxMessage:
    """Queue an email or SMS for `qrshop outbox send`."""
    message = OutboxMessage(channel=Channel(channel).value, recipient=recipient,
                            subject=subject[:200], body=body, unsubscribe_url=unsubscribe_url,
                            attempts=0, created_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def due_messages(now: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(id, next_attempt_at) of unsent messages due by now, oldest due first."""
    return [tuple(row) for row in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )]


def take(message_id: int, due_at: datetime, now: datetime) -> Optional[OutboxMessage]:
    """Lease a due message to this sender; None if another sender took it first."""
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
               OutboxMessage.next_attempt_at == due_at)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def record_result(message: OutboxMessage, error: Optional[str], now: datetime) -> None:
    """Mark a message sent, or count the failed attempt and schedule the next one."""
    if error is None:
        message.sent_at = now
        message.last_error = None
    else:
        message.attempts += 1
        message.last_error = error[:2000]
        message.next_attempt_at = now + retry_delay(message.attempts)
    db.session.flush()


# --- delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand email over, from QRSHOP_SMTP_URL."""

    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: Optional[str]
    password: Optional[str]


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://[user:pass@]host[:port][?starttls=true] or smtps://...; ValueError saying why."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"QRSHOP_SMTP_URL must look like smtp://host:25, "
                         f"smtp://user:pass@host:587?starttls=true or smtps://user:pass@host:465;"
                         f" got {url!r}")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["false"])[-1].lower() in ("1", "true", "yes", "on")
    use_ssl = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if use_ssl else 587 if starttls else 25)
    except ValueError:
        raise ValueError(f"QRSHOP_SMTP_URL has a bad port: {url!r}") from None
    return SmtpSettings(parts.hostname, port, use_ssl, starttls and not use_ssl,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None)


def email_of(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME email for an outbox message, with List-Unsubscribe when it has a link."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail apps offer their own one-click unsubscribe button.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    return email


def send_email(message: OutboxMessage, smtp_url: Optional[str], sender: str) -> None:
    """Hand one email to the SMTP server; raise DeliveryError on any failure."""
    if not smtp_url:
        raise DeliveryError("QRSHOP_SMTP_URL is not set, so email cannot be sent.")
    try:
        settings = parse_smtp_url(smtp_url)
    except ValueError as error:
        raise DeliveryError(str(error)) from None
    try:
        if settings.use_ssl:
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with server:
            if settings.starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, settings.password or "")
            server.send_message(email_of(message, sender))
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP {settings.host}:{settings.port}: "
                            f"{type(error).__name__}: {error}") from None


def send_sms(message: OutboxMessage, webhook_url: Optional[str], token: Optional[str]) -> None:
    """POST {"to", "body"} as JSON to the SMS provider's webhook; DeliveryError unless 2xx."""
    if not webhook_url:
        raise DeliveryError("QRSHOP_SMS_WEBHOOK_URL is not set, so texts cannot be sent.")
    if urlsplit(webhook_url).scheme not in ("http", "https"):
        raise DeliveryError("QRSHOP_SMS_WEBHOOK_URL must be an http(s) URL.")
    headers = {"Content-Type": "application/json", "User-Agent": "qrshop-outbox"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        webhook_url, method="POST", headers=headers,
        data=json.dumps({"to": message.recipient, "body": message.body,
                         "message_id": message.id}).encode(),
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"SMS webhook answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"SMS webhook: {type(error).__name__}: {error}") from None


def deliver(message: OutboxMessage, config) -> Optional[str]:
    """Deliver one message using the app config; None when delivered, else the error text."""
    try:
        if message.channel == Channel.EMAIL:
            send_email(message, config.get("SMTP_URL"), config["MAIL_FROM"])
        else:
            send_sms(message, config.get("SMS_WEBHOOK_URL"), config.get("SMS_WEBHOOK_TOKEN"))
    except DeliveryError as error:
        return str(error)
    return None
