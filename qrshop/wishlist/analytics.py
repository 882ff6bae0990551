"""Wish-list adds per listing for analytics, counted at the store of the tag scanned.
Items an associate sent from the client book (suggested_by) are not the shopper's saves."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem


def wishlist_adds(stores, window, in_window) -> dict[int, int]:
    """{listing_id: saves} in the window; in_window builds the local-day condition."""
    return dict(db.session.execute(
        select(WishlistItem.listing_id, func.count())
        .where(in_window(WishlistItem.store_id, WishlistItem.created_at, stores, window),
               WishlistItem.suggested_by.is_(None))
        .group_by(WishlistItem.listing_id)
    ).all())


def saves_by_variant(assignments, listing_id: int, start, end
                     ) -> dict[int, tuple[int, int]]:
    """{variant id: (saves, shoppers who saved)} of a listing from start to end by shoppers
    an experiment assigned (assignments: shopper.queries.experiment_assignments)."""
    rows = db.session.execute(
        select(assignments.c.variant_id, func.count(),
               func.count(WishlistItem.shopper_id.distinct()))
        .join(assignments, assignments.c.shopper_id == WishlistItem.shopper_id)
        .where(WishlistItem.listing_id == listing_id, WishlistItem.created_at >= start,
               WishlistItem.created_at < end, WishlistItem.suggested_by.is_(None))
        .group_by(assignments.c.variant_id))
    return {variant_id: (saves, savers) for variant_id, saves, savers in rows}
