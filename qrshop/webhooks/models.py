"""Webhooks and their deliveries (tables webhooks, webhook_deliveries).

A webhook belongs to one party: a retailer (its merchandisers manage it) or a vendor. A
delivery is one event queued for one webhook, written in the transaction of the event itself
(an outbox) and sent later by qrshop.webhooks.delivery.send_due.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime, utcnow
from qrshop.extensions import db


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands."""

    QUEUED = "queued"  # waiting for its first attempt or a retry
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed (or the webhook was deleted); resend to retry


class Webhook(TimestampMixin, db.Model):
    """An owner's endpoint and the events it wants.

    The secret (whsec_ + base64 of 24 random bytes) is kept as is, because signing needs it;
    it is shown to people once, when the webhook is created. A deleted webhook keeps its row
    (deleted_at, secret wiped) so that its delivery rows keep their foreign key and a scan that
    read the subscriber list a moment before the deletion never fails.
    """

    __tablename__ = "webhooks"
    __table_args__ = (
        CheckConstraint("(retailer_id IS NULL) <> (vendor_id IS NULL)", name="one_owner"),
        CheckConstraint("consecutive_failures >= 0", name="failures_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("retailers.id"), index=True)
    vendor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vendors.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The subscribed event names, sorted (qrshop.webhooks.events.EVENTS).
    events: Mapped[list] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[Optional[str]] = mapped_column(String(500))
    disabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class WebhookDelivery(db.Model):
    """One event for one webhook, with what happened on its last attempt.

    payload is the JSON text exactly as sent and signed. msg_id is the Standard Webhooks
    `webhook-id`, the same on every attempt and resend, so a receiver can drop duplicates.
    event_key, when set, makes an event once-only per webhook (tag.silent: a tag and the
    scan it fell silent after).
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'delivered', 'failed')", name="status_known"),
        UniqueConstraint("webhook_id", "event_key"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    msg_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_key: Mapped[Optional[str]] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_status_code: Mapped[Optional[int]]
    last_duration_ms: Mapped[Optional[int]]
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    webhook: Mapped[Webhook] = relationship()
