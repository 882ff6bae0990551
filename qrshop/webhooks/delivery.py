"""Sending queued deliveries: signed POSTs, retries with back-off, disabling dead endpoints.

send_due() mirrors the email outbox (qrshop.alerts.outbox): a sender takes a due delivery
by pushing its next_attempt_at forward in one conditional UPDATE (the row count says whether
it got it), so several workers never send one delivery twice at once. Each attempt is
committed as soon as it is recorded. A 2xx answer delivers; anything else (another status, a
timeout, a refused address) is a failed attempt, retried after 30 s, 1, 2, 4 ... minutes (at
most 2 hours) until MAX_ATTEMPTS, then the delivery is failed (it can be resent). Every failed
attempt counts toward its webhook's consecutive failures, a success resets them; at
DISABLE_AFTER the webhook is disabled and its owner's people are emailed.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import func, select, true, update
from standardwebhooks.webhooks import Webhook as Signer

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.webhooks import notices
from qrshop.webhooks.addresses import Target, UnsafeUrl, check_url
from qrshop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

MAX_ATTEMPTS = 10
DISABLE_AFTER = 20  # consecutive failed attempts of one webhook
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
LEASE = timedelta(minutes=2)  # how long a sender holds a delivery it is sending
TIMEOUT_SECONDS = 10
USER_AGENT = "qrshop-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What one POST got: the answer's status (None if none came), time taken, error."""

    status_code: Optional[int]
    duration_ms: int
    error: Optional[str]

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1, 2, 4 ... minutes, at most 2 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def due_deliveries(now: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(id, next_attempt_at) of queued deliveries due by now of enabled webhooks."""
    return [tuple(row) for row in db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == DeliveryStatus.QUEUED.value,
               WebhookDelivery.next_attempt_at <= now, Webhook.is_enabled == true(),
               Webhook.deleted_at.is_(None))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )]


def queue_depth(now: datetime) -> dict[str, int]:
    """Deliveries by state, for /metrics: queued (still to be tried), due (queued and due
    by now), retrying (queued after a failed attempt) and failed (every attempt failed)."""
    queued = WebhookDelivery.status == DeliveryStatus.QUEUED.value
    row = db.session.execute(
        select(func.count().filter(queued),
               func.count().filter(queued & (WebhookDelivery.next_attempt_at <= now)),
               func.count().filter(queued & (WebhookDelivery.attempts > 0)),
               func.count().filter(WebhookDelivery.status == DeliveryStatus.FAILED.value))
        .where(WebhookDelivery.status != DeliveryStatus.DELIVERED.value)
    ).one()
    return dict(zip(("queued", "due", "retrying", "failed"), row, strict=True))


def take(delivery_id: int, due_at: datetime, now: datetime) -> Optional[WebhookDelivery]:
    """Lease a due delivery to this sender; None if another sender took it first."""
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id,
               WebhookDelivery.status == DeliveryStatus.QUEUED.value,
               WebhookDelivery.next_attempt_at == due_at)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked address, whatever the name resolves to now."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is still verified for the host name."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def signed_headers(secret: str, msg_id: str, payload: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (signed with the attempt's time)."""
    return {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Signer(secret).sign(msg_id, at, payload),
    }


def post(url: str, headers: dict[str, str], body: bytes, *, allow_private: bool,
         timeout: float = TIMEOUT_SECONDS) -> Attempt:
    """POST to a webhook URL after checking where it points; redirects are not followed."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_url(url, allow_private=allow_private)
    except UnsafeUrl as error:
        return Attempt(None, took(), error.message)
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, target.addresses[0], timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        status = response.status
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        return Attempt(None, took(), f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
    return Attempt(status, took(), None if 200 <= status < 300 else f"answered {status}")


@dataclass(frozen=True)
class Job:
    """What sending one delivery needs, read before the POST (no ORM object held)."""

    delivery_id: int
    url: str
    secret: str
    msg_id: str
    payload: str


def attempt(job: Job, config, at: datetime) -> Attempt:
    """Send one delivery now (signed); any failure is this delivery's, never the run's."""
    try:
        headers = signed_headers(job.secret, job.msg_id, job.payload, at)
        return post(job.url, headers, job.payload.encode(),
                    allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE")))
    except Exception as error:  # one bad delivery must not stop the others
        current_app.logger.exception("webhook delivery %s could not be sent", job.delivery_id)
        return Attempt(None, 0, f"{type(error).__name__}: {error}"[:500])


def record_result(delivery: WebhookDelivery, result: Attempt, now: datetime) -> None:
    """Record an attempt on the delivery and its webhook: delivered, retried or failed; the
    webhook's failure count reset, or raised and the webhook disabled at DISABLE_AFTER."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = result.status_code
    delivery.last_duration_ms = result.duration_ms
    delivery.last_error = result.error
    if result.delivered:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED.value, now
        db.session.execute(update(Webhook).where(Webhook.id == delivery.webhook_id)
                           .values(consecutive_failures=0)
                           .execution_options(synchronize_session=False))
    else:
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED.value
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        _count_failure(delivery.webhook_id, now)
    db.session.flush()


def _count_failure(webhook_id: int, now: datetime) -> None:
    """Raise the webhook's failure count; the attempt that reaches DISABLE_AFTER disables it
    (one conditional UPDATE: exactly one sender does, and emails)."""
    db.session.execute(update(Webhook).where(Webhook.id == webhook_id)
                       .values(consecutive_failures=Webhook.consecutive_failures + 1)
                       .execution_options(synchronize_session=False))
    reason = f"Disabled after {DISABLE_AFTER} consecutive failed deliveries."
    disabled = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.is_enabled == true(),
               Webhook.consecutive_failures >= DISABLE_AFTER)
        .values(is_enabled=False, disabled_reason=reason, disabled_at=now)
        .execution_options(synchronize_session=False))
    if disabled.rowcount == 1:
        notices.tell_owner_disabled(db.session.get(Webhook, webhook_id,
                                                   populate_existing=True))


def send_due(limit: int, report: Optional[Callable[[str], None]] = None) -> tuple[int, int]:
    """Send up to `limit` due deliveries; return (sent, failed attempts). Needs an app
    context; the same shape as qrshop.alerts.outbox.send_due, for the worker and
    `qrshop outbox send`.

    Commits after taking each delivery and after recording it, and holds no transaction
    while waiting for the receiver. Each failed attempt is described in one line to report
    (default: the app's log, as a warning).
    """
    report = report or current_app.logger.warning
    sent = failed = 0
    config = current_app.config
    for delivery_id, due_at in due_deliveries(utcnow(), limit):
        delivery = take(delivery_id, due_at, utcnow())
        db.session.commit()
        if delivery is None:
            continue  # another sender has it
        hook = delivery.webhook
        job = Job(delivery_id, hook.url, hook.secret, delivery.msg_id, delivery.payload)
        db.session.rollback()  # end the read: no transaction while the receiver answers
        result = attempt(job, config, utcnow())
        record_result(db.session.get(WebhookDelivery, delivery_id), result, utcnow())
        db.session.commit()
        if result.delivered:
            sent += 1
        else:
            failed += 1
            report(f"webhook delivery {delivery_id} ({job.url}): {result.error}")
    return sent, failed
