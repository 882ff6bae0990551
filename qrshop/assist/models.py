"""Tables of "ask an associate": a store's settings (store_assist) and the requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false, text
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
        CheckConstraint("hold_hours BETWEEN 1 AND 168", name="hold_hours_range"),
    )

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # Opening hours as typed in the console ("mon-fri 09:00-20:00, sat 10:00-18:00"), read
    # in the store's time zone; empty: any time (assist.hours).
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    unclaimed_minutes: Mapped[int] = mapped_column(default=5)
    # "Hold it for me" (assist.holds): whether the store takes holds, and for how long it
    # keeps one (from ready, or from being placed if never made ready).
    holds_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    hold_hours: Mapped[int] = mapped_column(default=24, server_default="24")


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


HOLD_ACTIVE = ("placed", "ready")


class Hold(TimestampMixin, db.Model):
    """A shopper's "hold it for me" of an item in one store.

    status: placed -> ready -> collected, or placed/ready -> cancelled (by the store) or
    expired (expires_at passed: hold_hours from ready, else from placed). At most one
    active (placed or ready) hold per shopper and listing: a partial unique index decides.
    The shopper follows it at /t/<code>/hold/<token>."""

    __tablename__ = "holds"
    __table_args__ = (
        CheckConstraint("status IN ('placed', 'ready', 'collected', 'cancelled', 'expired')",
                        name="status_known"),
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_contact"),
        Index("ix_holds_store_status", "store_id", "status", "created_at"),
        Index("ix_holds_active_expiry", "expires_at",
              sqlite_where=text("status IN ('placed', 'ready')"),
              postgresql_where=text("status IN ('placed', 'ready')")),
        Index("uq_holds_one_active", "shopper_id", "listing_id", unique=True,
              sqlite_where=text("status IN ('placed', 'ready')"),
              postgresql_where=text("status IN ('placed', 'ready')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    tag_code: Mapped[str] = mapped_column(String(32))
    revision_id: Mapped[Optional[int]]
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    size: Mapped[str] = mapped_column(String(60), default="")
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locale: Mapped[str] = mapped_column(String(8), default="en")  # the shopper's, for messages
    status: Mapped[str] = mapped_column(String(16), default="placed")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ready_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    ready_by_name: Mapped[str] = mapped_column(String(60), default="")
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closed_by_name: Mapped[str] = mapped_column(String(60), default="")

    store: Mapped[Store] = relationship()
    listing: Mapped[Listing] = relationship()
