"""Tables of "ask an associate": a store's settings (store_assist) and the requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Store, User
    from qrshop.catalog.models import Listing


class StoreAssist(TimestampMixin, db.Model):
    """Whether a store takes requests from the shelf, when, and how long a request may wait
    unclaimed before the shopper is offered a text reply. No row: the store does not."""

    __tablename__ = "store_assist"
    __table_args__ = (
        CheckConstraint("unclaimed_minutes BETWEEN 1 AND 120", name="unclaimed_minutes_range"),
    )

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # Opening hours as typed in the console ("mon-fri 09:00-20:00, sat 10:00-18:00"), read
    # in the store's time zone; empty: any time (assist.hours).
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    unclaimed_minutes: Mapped[int] = mapped_column(default=5)


class AssistRequest(TimestampMixin, db.Model):
    """A shopper's request for help with an item, in one store's queue.

    status: open -> claimed -> closed, or open/claimed -> answered (by text) -> closed.
    The shopper follows it at /t/<code>/ask/<token> (token: unguessable, the only key the
    shopper holds)."""

    __tablename__ = "assist_requests"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'claimed', 'answered', 'closed')",
                        name="status_known"),
        CheckConstraint("reply IN ('come', 'text')", name="reply_known"),
        Index("ix_assist_requests_store_status", "store_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    tag_code: Mapped[str] = mapped_column(String(32))
    # The live content revision when asked (its hero image is the queue's picture).
    revision_id: Mapped[Optional[int]]
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    size: Mapped[str] = mapped_column(String(60), default="")
    reply: Mapped[str] = mapped_column(String(8))  # "come" (to spot) or "text" (to phone)
    spot: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    consent_text: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    claimed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    claimed_by_name: Mapped[str] = mapped_column(String(60), default="")
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    store: Mapped[Store] = relationship()
    listing: Mapped[Listing] = relationship()
    claimed_by: Mapped[Optional[User]] = relationship()
