"""Items shoppers saved to their wish lists (table wishlist_items)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import UTCDateTime, utcnow
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

    listing: Mapped[Listing] = relationship()
    store: Mapped[Optional[Store]] = relationship()
