"""Shared steps for experiment tests: an approved revision, an experiment started in the past,
hand-made shoppers with scans, saves and claims of a variant."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from qrshop.analytics import experiments
from qrshop.content.models import ContentRevision, Review
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from qrshop.shopper.models import Scan, Shopper
from qrshop.wishlist.models import WishlistItem

_codes = count(1)


def approved_revision(shop, title: str, *, approve: bool = True) -> ContentRevision:
    """A submitted revision of the shop's product, approved by its retailer (or pending)."""
    number = next(_codes)
    revision = ContentRevision(product_id=shop.product.id, number=number, status="submitted",
                               slots={"title": title}, locale="en")
    db.session.add(revision)
    db.session.flush()
    db.session.add(Review(revision_id=revision.id, retailer_id=shop.retailer.id,
                          status="approved" if approve else "pending"))
    db.session.commit()
    return revision


def started_experiment(shop, variants, *, hours_ago: int = 24, hours_left: int = 24,
                       name: str = "Hero test"):
    """An experiment on the shop's listing that started hours_ago, committed."""
    now = utcnow()
    experiment = experiments.create_experiment(
        shop.retailer, None, shop.listing.id, name=name,
        starts_at=now - timedelta(hours=hours_ago), ends_at=now + timedelta(hours=hours_left),
        variants=variants, now=now - timedelta(hours=hours_ago))
    db.session.commit()
    return experiment


def shoppers_of_variant(shop, variant_id: int, shoppers: int, *, claimers: int = 0,
                        savers: int = 0, redeemers: int = 0, offer=None, at=None) -> None:
    """`shoppers` new shoppers who each scanned the tag twice under the variant; the first
    `savers` saved the item, the first `claimers` claimed a coupon (`redeemers` redeemed)."""
    at = at or utcnow() - timedelta(hours=1)
    for i in range(shoppers):
        shopper_id = f"v{variant_id}-{next(_codes)}"
        db.session.add(Shopper(id=shopper_id, retailer_id=shop.retailer.id, created_at=at))
        db.session.flush()
        for _ in range(2):
            db.session.add(Scan(tag_id=shop.tag.id, listing_id=shop.listing.id,
                                store_id=shop.store.id, retailer_id=shop.retailer.id,
                                shopper_id=shopper_id, scanned_at=at, is_bot=False,
                                is_repeat=False, experiment_variant_id=variant_id))
        if i < savers:
            db.session.add(WishlistItem(shopper_id=shopper_id, listing_id=shop.listing.id,
                                        store_id=shop.store.id, created_at=at))
        if i < claimers:
            db.session.add(CouponClaim(
                code=f"E{next(_codes):07d}", offer_id=offer.id, shopper_id=shopper_id,
                listing_id=shop.listing.id, store_id=shop.store.id, claimed_at=at,
                expires_at=at + timedelta(days=7),
                redeemed_at=at + timedelta(minutes=5) if i < redeemers else None))
    db.session.commit()
