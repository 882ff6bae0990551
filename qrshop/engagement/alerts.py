"""Alerts: shoppers opt in (email double opt-in, SMS with recorded consent) to news about an
item; messages wait in the outbox until `qrshop outbox send` delivers them, with retries.

Every message carries a signed unsubscribe link; emails also carry List-Unsubscribe headers.
"""

from __future__ import annotations

import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from qrshop.db import utcnow
from qrshop.engagement.models import ALERT_TOPICS, OutboxMessage, Subscription
from qrshop.errors import InvalidInput
from qrshop.extensions import db

TOPIC_NAMES = {"price_drop": "price drops", "back_in_stock": "back in stock", "sale": "sales"}
EMAIL_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
CONFIRM_MAX_AGE = 7 * 24 * 3600
MAX_ATTEMPTS = 8
SEND_TIMEOUT = 10


def consent_text(channel: str, retailer_name: str, product: str) -> str:
    """The words a shopper agrees to, shown next to the button and kept with the opt-in."""
    if channel == "sms":
        return (f"I agree to receive text messages from {retailer_name} about {product}. "
                "Message and data rates may apply. Each message has a link to stop them.")
    return (f"I agree to receive emails from {retailer_name} about {product}. Every email has "
            "a link to unsubscribe.")


class Tokens:
    """Signed tokens in confirmation and unsubscribe links."""

    def __init__(self, secret_key: str):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="qrshop.alerts")

    def make(self, action: str, subscription_id: int) -> str:
        """A token for confirming or unsubscribing one subscription."""
        return self._serializer.dumps([action, subscription_id])

    def read(self, token: str, action: str, max_age: Optional[int] = None) -> int:
        """The subscription id in a token for this action; InvalidInput if bad or expired."""
        try:
            found, subscription_id = self._serializer.loads(token, max_age=max_age)
        except SignatureExpired:
            raise InvalidInput("This link has expired; sign up again from the product page.",
                               code="expired", status_code=410) from None
        except (BadSignature, ValueError, TypeError):
            raise InvalidInput("This link is not valid.", code="bad_link",
                               status_code=404) from None
        if found != action:
            raise InvalidInput("This link is not valid.", code="bad_link", status_code=404)
        return subscription_id


def _normalise_address(channel: str, raw: str) -> str:
    address = (raw or "").strip()
    if channel == "email":
        address = address.lower()
        if not EMAIL_SHAPE.match(address) or len(address) > 254:
            raise InvalidInput("Enter an email address like name@example.com.")
        return address
    number = re.sub(r"[\s().-]", "", address)
    if not E164.match(number):
        raise InvalidInput("Enter a mobile number with its country code, like +1 404 555 0100.")
    return number


def subscribe(*, shopper_id: str, listing_id: int, store_id: int, retailer_name: str,
              product: str, channel: str, address: str, topics: list[str],
              base_url: str, tokens: Tokens) -> Subscription:
    """Record an opt-in and queue its first message (email: the confirmation link)."""
    if channel not in ("email", "sms"):
        raise InvalidInput("Choose email or text message.")
    address = _normalise_address(channel, address)
    chosen = [topic for topic in ALERT_TOPICS if topic in set(topics)]
    if not chosen or len(chosen) != len(set(topics)):
        raise InvalidInput("Choose at least one kind of alert: price drop, back in stock or "
                           "sale.")
    subscription = db.session.scalar(select(Subscription).where(
        Subscription.shopper_id == shopper_id, Subscription.listing_id == listing_id,
        Subscription.channel == channel, Subscription.address == address,
        Subscription.unsubscribed_at.is_(None)))
    now = utcnow()
    if subscription is None:
        subscription = Subscription(shopper_id=shopper_id, listing_id=listing_id,
                                    store_id=store_id, channel=channel, address=address,
                                    consented_at=now)
        db.session.add(subscription)
    subscription.topics = ",".join(chosen)
    subscription.consent_text = consent_text(channel, retailer_name, product)
    subscription.consented_at = now
    if channel == "sms":
        subscription.confirmed_at = subscription.confirmed_at or now
    db.session.flush()
    unsubscribe = f"{base_url}/alerts/unsubscribe/{tokens.make('unsubscribe', subscription.id)}"
    what = ", ".join(TOPIC_NAMES[topic] for topic in chosen)
    if subscription.confirmed_at is None:
        confirm = f"{base_url}/alerts/confirm/{tokens.make('confirm', subscription.id)}"
        queue(channel, address, f"Confirm your alerts for {product}",
              f"Hello,\n\nYou asked {retailer_name} to email you about {product} ({what}).\n"
              f"Please confirm by opening this link within 7 days:\n{confirm}\n\n"
              f"If this wasn't you, ignore this email or unsubscribe: {unsubscribe}\n",
              unsubscribe)
    else:
        queue(channel, address, "",
              f"{retailer_name}: you'll get texts about {product} ({what}). "
              f"Stop: {unsubscribe}", unsubscribe)
    return subscription


def confirm(subscription_id: int) -> Subscription:
    """Confirm an email opt-in (the double opt-in link)."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        raise InvalidInput("This link is not valid.", code="bad_link", status_code=404)
    if subscription.unsubscribed_at is None and subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.flush()
    return subscription


def unsubscribe(subscription_id: int) -> Subscription:
    """Stop a subscription for good (idempotent)."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        raise InvalidInput("This link is not valid.", code="bad_link", status_code=404)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
        db.session.flush()
    return subscription


def queue(channel: str, recipient: str, subject: str, body: str,
          unsubscribe_url: Optional[str]) -> OutboxMessage:
    """Put a message in the outbox."""
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body,
                            unsubscribe_url=unsubscribe_url, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def send_alert(*, listing_id: int, topic: str, text: str, retailer_name: str, product: str,
               base_url: str, tokens: Tokens) -> int:
    """Queue an alert to every confirmed, subscribed shopper of a listing; return how many."""
    if topic not in ALERT_TOPICS:
        raise InvalidInput("Choose price drop, back in stock or sale.")
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise InvalidInput("Write the alert (up to 500 characters).")
    subscriptions = db.session.scalars(select(Subscription).where(
        Subscription.listing_id == listing_id, Subscription.confirmed_at.is_not(None),
        Subscription.unsubscribed_at.is_(None))).all()
    count = 0
    for subscription in subscriptions:
        if topic not in subscription.topics.split(","):
            continue
        unsubscribe_url = (f"{base_url}/alerts/unsubscribe/"
                           f"{tokens.make('unsubscribe', subscription.id)}")
        if subscription.channel == "email":
            queue("email", subscription.address, f"{retailer_name}: {product}",
                  f"{text}\n\nYou asked for {TOPIC_NAMES[topic]} about {product}.\n"
                  f"Unsubscribe: {unsubscribe_url}\n", unsubscribe_url)
        else:
            queue("sms", subscription.address, "",
                  f"{retailer_name}: {text} Stop: {unsubscribe_url}", unsubscribe_url)
        count += 1
    return count


def subscriber_counts(listing_ids: list[int]) -> dict[int, int]:
    """Confirmed, active subscriptions per listing."""
    return dict(db.session.execute(
        select(Subscription.listing_id, func.count())
        .where(Subscription.listing_id.in_(listing_ids), Subscription.confirmed_at.is_not(None),
               Subscription.unsubscribed_at.is_(None))
        .group_by(Subscription.listing_id)).all())


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send email, from QRSHOP_SMTP_URL."""

    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: Optional[str]
    password: Optional[str]

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """smtp://[user:pass@]host[:port][?starttls=1] or smtps://... (TLS from the start)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"QRSHOP_SMTP_URL must look like smtp://host:25, got {url!r}")
        starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        return cls(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25),
                   parts.scheme == "smtps", starttls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


def _send_email(settings: SmtpSettings, sender: str, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.recipient, message.subject
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    with smtp_class(settings.host, settings.port, timeout=SEND_TIMEOUT) as client:
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(email)


def _send_sms(webhook_url: str, message: OutboxMessage) -> None:
    if urlsplit(webhook_url).scheme not in ("http", "https"):
        raise OSError("QRSHOP_SMS_WEBHOOK_URL must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        webhook_url, data=json.dumps({"to": message.recipient, "body": message.body}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"SMS provider answered {response.status}")


@dataclass
class DeliveryReport:
    """What one `qrshop outbox send` did."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def deliver(*, smtp_url: Optional[str], sms_webhook_url: Optional[str], sender: str,
            now: Optional[datetime] = None, commit=lambda: None) -> DeliveryReport:
    """Send every due message once; a failure is kept with its error and retried later
    (back-off doubling from 1 minute to an hour), giving up after 8 attempts.

    Each message is claimed with a conditional UPDATE first, so two senders running at once
    never send the same message twice. `commit` is called after each message.
    """
    now = now or utcnow()
    report = DeliveryReport()
    smtp = SmtpSettings.from_url(smtp_url) if smtp_url else None
    due = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None),
                                       OutboxMessage.attempts < MAX_ATTEMPTS,
                                       OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)).all()
    for message_id in due:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
                   OutboxMessage.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(minutes=5))
        ).rowcount
        commit()
        if claimed != 1:
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            if message.channel == "email":
                if smtp is None:
                    raise OSError("QRSHOP_SMTP_URL is not set")
                _send_email(smtp, sender, message)
            else:
                if not sms_webhook_url:
                    raise OSError("QRSHOP_SMS_WEBHOOK_URL is not set")
                _send_sms(sms_webhook_url, message)
        except (OSError, smtplib.SMTPException, urllib.error.URLError) as error:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            message.next_attempt_at = now + timedelta(minutes=min(2 ** (message.attempts - 1),
                                                                  60))
            report.failed += 1
            if message.attempts >= MAX_ATTEMPTS:
                report.gave_up += 1
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            message.last_error = None
            report.sent += 1
        db.session.flush()
        commit()
    return report
