"""Wish-list adds per listing for analytics, counted at the store of the tag scanned."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem


def wishlist_adds(stores, window, in_window) -> dict[int, int]:
    """{listing_id: saves} in the window; in_window builds the local-day condition."""
    return dict(db.session.execute(
        select(WishlistItem.listing_id, func.count())
        .where(in_window(WishlistItem.store_id, WishlistItem.created_at, stores, window))
        .group_by(WishlistItem.listing_id)
    ).all())
