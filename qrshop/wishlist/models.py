"""Items shoppers saved to their wish lists (wishlist_items) and the magic links emailed to
join devices (wishlist_link_requests)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime, utcnow
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Store
    from qrshop.catalog.models import Listing


class WishlistItem(db.Model):
    """A listing a shopper saved from a landing page, with the store where they saw it."""

    __tablename__ = "wishlist_items"
    __table_args__ = (
        UniqueConstraint("shopper_id", "listing_id"),
        Index("ix_wishlist_items_listing_id_created_at", "listing_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    tag_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tags.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Removing keeps the row, so analytics can still count the add; saving again clears it.
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # An associate's first name when they sent it from the client book ("Maya suggested").
    suggested_by: Mapped[Optional[str]] = mapped_column(String(60))

    listing: Mapped[Listing] = relationship()
    store: Mapped[Optional[Store]] = relationship()


class WishlistLinkRequest(TimestampMixin, db.Model):
    """A magic link emailed to join devices to a wish list, with its one-time code.

    The link (a signed token carrying the email and this row's id) joins the device that
    opens it. The device that asked joins only by typing the code from the same email: it
    proves that device can read the inbox. Only an HMAC of the code is stored, and a few
    wrong codes lock it. retailer_ids are the asking device's retailers, so the device that
    opens the link gets a shopper there and sees that list once the code is typed.
    """

    __tablename__ = "wishlist_link_requests"
    __table_args__ = (Index("ix_wishlist_link_requests_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    code_hmac: Mapped[str] = mapped_column(String(64))
    retailer_ids: Mapped[str] = mapped_column(Text(), default="")  # "3,17": ids, commas
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer(), default=0)  # codes typed
    # Set when the asking device typed the right code (one time only).
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
