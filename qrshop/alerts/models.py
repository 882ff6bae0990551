"""Alert subscriptions with their consent, and the outbox of emails and texts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.alerts.channels import Channel  # noqa: F401  (re-exported)
from qrshop.db import TimestampMixin, UTCDateTime, utcnow
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.catalog.models import Listing


class AlertTopic(enum.StrEnum):
    """What a shopper may ask to be told about an item."""

    PRICE_DROP = "price_drop"
    BACK_IN_STOCK = "back_in_stock"
    SALE = "sale"


class Subscription(TimestampMixin, db.Model):
    """A shopper's opt-in to alerts about one listing, by email or SMS.

    topics is a comma-separated list of AlertTopic values. A subscription gets alerts only
    once confirmed (double opt-in, by email and by SMS alike): the one message sent at sign-up
    carries the confirm link. The consent text shown and the time of consent are kept as the
    record of the opt-in.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("shopper_id", "listing_id", "channel"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        Index("ix_subscriptions_listing_id_confirmed_at", "listing_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    topics: Mapped[str] = mapped_column(String(64))
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    listing: Mapped[Listing] = relationship()

    @property
    def topic_list(self) -> list[str]:
        """The topics as a list."""
        return [topic for topic in self.topics.split(",") if topic]


class OutboxMessage(db.Model):
    """An email or SMS waiting to be delivered by `qrshop outbox send` (or delivered).

    next_attempt_at is when a sender may next try; a sender takes a message by moving it
    forward in one conditional UPDATE, so two senders never deliver the same message.
    recipient_key is the recipient as the per-recipient cap counts it (lower case without a
    +tag, or E.164); is_capped marks the messages anyone could trigger for any address
    (sign-up confirmations, magic links), which the cap counts and limits.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        Index("ix_outbox_messages_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),
        Index("ix_outbox_messages_recipient_key_is_capped_created_at",
              "recipient_key", "is_capped", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_key: Mapped[str] = mapped_column(String(254), default="")
    is_capped: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # Sent as List-Unsubscribe on email; every alert carries it in its body too.
    unsubscribe_url: Mapped[Optional[str]] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
