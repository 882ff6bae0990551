"""What to show under "Complete the look": curated picks first, then items that the same
shoppers scanned the same day (bots excluded), then more from the same vendor. Only items
actively tagged at the store the shopper is standing in, and never the item itself.

The co-scan part reads the scan log, so results are kept per (listing, store) for a few
minutes in each process: recommendations may lag a little; scans never wait for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, func, select

from qrshop.catalog.models import Listing, Product
from qrshop.catalog.services import format_price
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.recommend.models import CuratedLink
from qrshop.shopper.models import Scan
from qrshop.tags.models import Tag

MAX_ITEMS = 4
CO_SCAN_DAYS = 90


@dataclass(frozen=True)
class Recommendation:
    """One suggested item, as the landing page links to it."""

    code: str
    name: str
    price: str
    reason: str  # "curated", "co-scanned" or "same vendor"


def _active_at_store(store_id: int):
    """(listing_id -> tag code, name, price) of every item actively tagged at the store."""
    rows = db.session.execute(
        select(Tag.listing_id, func.min(Tag.code), Product.name, Listing.price_cents,
               Listing.currency, Product.vendor_id)
        .join(Listing, Listing.id == Tag.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(Tag.store_id == store_id, Tag.retired_at.is_(None))
        .group_by(Tag.listing_id, Product.name, Listing.price_cents, Listing.currency,
                  Product.vendor_id)
    ).all()
    return {row[0]: row[1:] for row in rows}


def _co_scanned(listing_id: int, store_id: int, since) -> list[int]:
    """Listings scanned at this store by shoppers who scanned this one, on the same day."""
    mine = Scan.__table__.alias("mine")
    theirs = Scan.__table__.alias("theirs")
    same_day = func.date(theirs.c.scanned_at) == func.date(mine.c.scanned_at)
    rows = db.session.execute(
        select(theirs.c.listing_id, func.count(func.distinct(theirs.c.shopper_id)))
        .select_from(mine.join(theirs, and_(theirs.c.shopper_id == mine.c.shopper_id,
                                            same_day)))
        .where(mine.c.listing_id == listing_id, mine.c.store_id == store_id,
               mine.c.is_bot.is_(False), mine.c.shopper_id.is_not(None),
               mine.c.scanned_at >= since,
               theirs.c.store_id == store_id, theirs.c.is_bot.is_(False),
               theirs.c.listing_id != listing_id, theirs.c.listing_id.is_not(None))
        .group_by(theirs.c.listing_id)
        .order_by(func.count(func.distinct(theirs.c.shopper_id)).desc(), theirs.c.listing_id)
        .limit(MAX_ITEMS * 3)
    ).all()
    return [row[0] for row in rows]


def compute(listing_id: int, store_id: int, vendor_id: int) -> tuple[Recommendation, ...]:
    """Up to four recommendations for a listing's page at a store."""
    available = _active_at_store(store_id)
    picked: list[tuple[int, str]] = []

    def add(candidates, reason):
        for candidate in candidates:
            if len(picked) >= MAX_ITEMS:
                return
            if candidate != listing_id and candidate in available and \
                    candidate not in {p for p, _ in picked}:
                picked.append((candidate, reason))

    curated = db.session.scalars(
        select(CuratedLink.related_listing_id).where(CuratedLink.listing_id == listing_id)
        .order_by(CuratedLink.position, CuratedLink.related_listing_id)).all()
    add(curated, "curated")
    if len(picked) < MAX_ITEMS:
        add(_co_scanned(listing_id, store_id, utcnow() - timedelta(days=CO_SCAN_DAYS)),
            "co-scanned")
    if len(picked) < MAX_ITEMS:
        same_vendor = sorted(candidate for candidate, row in available.items()
                             if row[4] == vendor_id)
        add(same_vendor, "same vendor")
    return tuple(
        Recommendation(available[candidate][0], available[candidate][1],
                       format_price(available[candidate][2], available[candidate][3]), reason)
        for candidate, reason in picked)


class RecommendationCache:
    """Per-process results per (listing, store), kept for ttl seconds (0: never kept)."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, tuple]] = {}

    def get(self, listing_id: int, store_id: int, vendor_id: int) -> tuple:
        """Cached or freshly computed recommendations."""
        now = time.monotonic()
        entry = self._entries.get((listing_id, store_id))
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        result = compute(listing_id, store_id, vendor_id)
        if self.ttl > 0:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[(listing_id, store_id)] = (now, result)
        return result


def set_curated(listing: Listing, related: list[Listing]) -> None:
    """Replace a listing's curated picks (same retailer only, at most four, not itself)."""
    if len(related) > MAX_ITEMS:
        raise InvalidInput(f"Pick at most {MAX_ITEMS} items.")
    for item in related:
        if item.retailer_id != listing.retailer_id:
            raise InvalidInput("Pick items your stores carry.")
        if item.id == listing.id:
            raise InvalidInput("An item cannot complete its own look.")
    db.session.execute(delete(CuratedLink).where(CuratedLink.listing_id == listing.id))
    for position, item in enumerate(related):
        db.session.add(CuratedLink(listing_id=listing.id, related_listing_id=item.id,
                                   position=position))
    db.session.flush()


def curated_ids(listing_id: int) -> list[int]:
    """The current curated picks of a listing, in order."""
    return list(db.session.scalars(
        select(CuratedLink.related_listing_id).where(CuratedLink.listing_id == listing_id)
        .order_by(CuratedLink.position)))
