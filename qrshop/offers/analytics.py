"""Engagement counts per listing for analytics: wish-list adds (from the wish list feature),
claims, redemptions, sales.

Each event counts at the store and in the local day where it happened: a save or a claim at
the store of the tag scanned, a redemption at the store of the till.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from qrshop.wishlist.analytics import wishlist_adds


def listing_counts(stores, window, in_window) -> dict[int, dict[str, int]]:
    """{listing_id: {wishlist_adds, coupons_claimed, coupons_redeemed, sales_cents}}.

    in_window(store_column, time_column, stores, window) builds the local-day condition.
    """
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"wishlist_adds": 0, "coupons_claimed": 0, "coupons_redeemed": 0,
                 "sales_cents": 0})
    for listing_id, adds in wishlist_adds(stores, window, in_window).items():
        counts[listing_id]["wishlist_adds"] = adds
    for listing_id, claimed in db.session.execute(
        select(CouponClaim.listing_id, func.count())
        .where(CouponClaim.listing_id.is_not(None),
               in_window(CouponClaim.store_id, CouponClaim.claimed_at, stores, window))
        .group_by(CouponClaim.listing_id)
    ):
        counts[listing_id]["coupons_claimed"] = claimed
    for listing_id, redeemed, sales in db.session.execute(
        select(CouponClaim.listing_id, func.count(),
               func.coalesce(func.sum(CouponClaim.sale_amount_cents), 0))
        .where(CouponClaim.listing_id.is_not(None), CouponClaim.redeemed_at.is_not(None),
               in_window(CouponClaim.redeemed_store_id, CouponClaim.redeemed_at, stores, window))
        .group_by(CouponClaim.listing_id)
    ):
        counts[listing_id]["coupons_redeemed"] = redeemed
        counts[listing_id]["sales_cents"] = int(sales)
    return dict(counts)


def claims_by_variant(assignments, listing_id: int, start, end
                      ) -> dict[int, tuple[int, int, int]]:
    """{variant id: (claims, of which redeemed, shoppers who claimed)} of a listing's
    coupons claimed from start
    to end by shoppers an experiment assigned (assignments: a subquery of shopper_id,
    variant_id, from shopper.queries.experiment_assignments)."""
    rows = db.session.execute(
        select(assignments.c.variant_id, func.count(),
               func.count(CouponClaim.redeemed_at),
               func.count(CouponClaim.shopper_id.distinct()))
        .join(assignments, assignments.c.shopper_id == CouponClaim.shopper_id)
        .where(CouponClaim.listing_id == listing_id, CouponClaim.claimed_at >= start,
               CouponClaim.claimed_at < end)
        .group_by(assignments.c.variant_id))
    return {variant_id: (claims, redeemed, claimers)
            for variant_id, claims, redeemed, claimers in rows}
