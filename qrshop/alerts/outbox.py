"""The outbox: emails and texts are queued in the request, delivered by send_due (called by
`qrshop worker` about once a second and by `qrshop outbox send`, one pass for cron).

A sender takes a due message by pushing its next_attempt_at forward in one conditional UPDATE
(the row count says whether it got it), so two senders never deliver one message twice. A
failed delivery leaves the message queued with attempts + 1, last_error and a later
next_attempt_at (exponential backoff); after MAX_ATTEMPTS it is left alone for a person.
Anything that goes wrong building or sending one message is that message's failure: the run
goes on with the others.

Messages anyone could trigger for any address (sign-up confirmations, magic links: "capped")
are limited per recipient: at most RECIPIENT_CAP in a rolling RECIPIENT_CAP_WINDOW, counted
on the normalised address whoever asked (recipient_key: one key per mailbox, so dots and
+tags at Gmail do not open fresh counts), so nobody can pump texts or mail to someone else.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from flask import current_app
from sqlalchemy import func, select, text, true, update

from qrshop.alerts.models import Channel, OutboxMessage
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=10)  # how long a sender holds a message it is delivering
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 20
RECIPIENT_CAP = 3  # capped messages to one address or number ...
RECIPIENT_CAP_WINDOW = timedelta(hours=24)  # ... in this rolling window


class DeliveryError(Exception):
    """A message could not be handed over; the text says why (kept as last_error)."""


class RecipientOverCap(InvalidInput):
    """This address or number had RECIPIENT_CAP capped messages in the window (429)."""

    status_code = 429
    code = "recipient_cap"


def one_line(text: str) -> str:
    """A header value on one line: CR, LF and other runs of white space become one space."""
    return " ".join((text or "").split())


# Providers whose mailboxes ignore dots in the name, and the one domain each is counted
# under (googlemail.com is gmail.com). Only the cap's key: mail goes to the address as typed.
_DOTLESS_MAILBOXES = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def recipient_key(channel: str, recipient: str) -> str:
    """The recipient as the cap counts it, one key per mailbox however it is spelt: an
    email in lower case without its +tag (and, at Gmail, without dots, under gmail.com); a
    phone number in E.164."""
    recipient = recipient.strip()
    if channel == Channel.SMS:
        try:
            number = phonenumbers.parse(recipient, None)
        except phonenumbers.NumberParseException:
            return recipient
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    local, at, domain = recipient.lower().rpartition("@")
    if not at:
        return domain
    local, domain = local.split("+", 1)[0], domain.rstrip(".")
    if domain in _DOTLESS_MAILBOXES:
        local, domain = local.replace(".", ""), _DOTLESS_MAILBOXES[domain]
    return f"{local}@{domain}"


def _capped_count(key: str) -> int:
    """Capped messages queued to a recipient key in the window: one indexed COUNT.

    On PostgreSQL a transaction-scoped advisory lock on the key first makes concurrent
    requests count one after the other (it is released when the request commits).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                           {"key": "qrshop.outbox.cap:" + key})
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.recipient_key == key, OutboxMessage.is_capped == true(),
               OutboxMessage.created_at > utcnow() - RECIPIENT_CAP_WINDOW)
    )


def _over_cap(channel: str) -> RecipientOverCap:
    what = "number" if channel == Channel.SMS else "address"
    return RecipientOverCap(
        f"We have already sent several messages to this {what} today. To protect its owner "
        "we send no more for now; please try again tomorrow.")


def check_recipient_cap(channel: str, recipient: str) -> None:
    """RecipientOverCap if one more capped message to this recipient would pass the cap (so
    a service can refuse before it writes anything; queue_message checks again)."""
    if _capped_count(recipient_key(channel, recipient)) >= RECIPIENT_CAP:
        raise _over_cap(channel)


def queue_message(*, channel: str, recipient: str, subject: str, body: str,
                  unsubscribe_url: Optional[str] = None, capped: bool = True) -> OutboxMessage:
    """Queue an email or SMS for the worker (or `qrshop outbox send`) to deliver.

    capped (the default) counts the message toward its recipient's cap and refuses it with
    RecipientOverCap over the cap; only messages nobody can trigger for someone else's
    address pass capped=False (alerts to a confirmed subscriber, staff invitations).
    """
    channel = Channel(channel).value
    if recipient != recipient.strip() or any(ord(c) < 32 or ord(c) == 127 for c in recipient):
        raise InvalidInput("That address cannot receive messages.", code="bad_recipient")
    now, key = utcnow(), recipient_key(channel, recipient)
    message = OutboxMessage(channel=channel, recipient=recipient, recipient_key=key,
                            is_capped=capped, subject=one_line(subject)[:200], body=body,
                            unsubscribe_url=unsubscribe_url, attempts=0, created_at=now,
                            next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    # Counted after the INSERT, this message included: on SQLite the INSERT holds the one
    # write lock, so a concurrent request counts after this one commits or rolls back.
    if capped and _capped_count(key) > RECIPIENT_CAP:
        db.session.delete(message)
        db.session.flush()
        raise _over_cap(channel)
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


def queue_depth(now: datetime) -> dict[str, int]:
    """Unsent messages by state, for /metrics: queued (still to be tried), due (queued and
    due by now), retrying (queued after a failed attempt) and failed (every attempt failed)."""
    live = OutboxMessage.attempts < MAX_ATTEMPTS
    row = db.session.execute(
        select(func.count().filter(live),
               func.count().filter(live & (OutboxMessage.next_attempt_at <= now)),
               func.count().filter(live & (OutboxMessage.attempts > 0)),
               func.count().filter(~live))
        .where(OutboxMessage.sent_at.is_(None))
    ).one()
    return dict(zip(("queued", "due", "retrying", "failed"), row, strict=True))


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
    email["Subject"] = one_line(message.subject)  # rows queued before subjects were checked
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
    """Deliver one message using the app config; None when delivered, else the error text.

    Any exception, not only a DeliveryError (a header the email library refuses, a bug), is
    this message's failure: it is recorded and retried like any other, and the run goes on.
    """
    try:
        if message.channel == Channel.EMAIL:
            send_email(message, config.get("SMTP_URL"), config["MAIL_FROM"])
        else:
            send_sms(message, config.get("SMS_WEBHOOK_URL"), config.get("SMS_WEBHOOK_TOKEN"))
    except DeliveryError as error:
        return str(error)
    except Exception as error:  # one bad message must not stop the others
        current_app.logger.exception("outbox message %s could not be built or sent",
                                     message.id)
        return f"{type(error).__name__}: {error}"
    return None


def send_due(limit: int, report: Optional[Callable[[str], None]] = None) -> tuple[int, int]:
    """Deliver up to limit due messages; (sent, failed). Needs an app context.

    One commit per message, not per run: a message handed to the mail server is marked sent
    at once, so a crash later in the run never sends it again. A message another sender took
    first is skipped. Each failure is described in one line to report (default: the app's
    log, as a warning).
    """
    report = report or current_app.logger.warning
    sent = failed = 0
    for message_id, due_at in due_messages(utcnow(), limit):
        message = take(message_id, due_at, utcnow())
        db.session.commit()
        if message is None:
            continue  # another sender has it
        error = deliver(message, current_app.config)
        record_result(message, error, utcnow())
        db.session.commit()
        if error is None:
            sent += 1
        else:
            failed += 1
            report(f"message {message.id} to {message.recipient}: {error} "
                   f"(attempt {message.attempts}, queued for retry)")
    return sent, failed
