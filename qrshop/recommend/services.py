"""Complete the look: curated listings, then co-scans, then the same vendor's items.

Only items carried at the store (with an active tag there) are recommended, each linking to
one of its tags in that store. The landing page asks once per (listing, store) and keeps the
answer in a small per-process cache for CACHE_SECONDS, so the scan path stays one query at
most and flat however large the scans table grows. Co-scans come from the co_scans table,
recounted from the scan log by `qrshop recommend refresh` (hourly), never on the scan path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import delete, distinct, func, insert, literal, select, union_all
from sqlalchemy.orm import aliased

from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.catalog.services import format_price
from qrshop.content.models import ContentRevision
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.recommend.models import CoScan, CuratedRecommendation
from qrshop.shopper.models import Scan
from qrshop.tags.models import Tag

LIMIT = 4
MAX_CURATED = 8
CO_SCAN_DAYS = 90
CACHE_SECONDS = 300
# Sort keys by tier: curated by position, co-scans by how many shoppers, then the vendor's.
_CO_SCAN_BASE = 1_000_000
_SAME_VENDOR = 2_000_000


@dataclass(frozen=True)
class Recommendation:
    """An item to show under "Complete the look"."""

    code: str
    name: str
    price: str  # as the console shows it ($49.99); shopper pages format the cents per locale
    price_cents: int
    currency: str
    # The item's hero image, smallest variants (from its live content), if it has one.
    thumb_webp: str = ""
    thumb_jpg: str = ""
    thumb_width: int = 0
    thumb_height: int = 0
    # At this store, from the listing's stock there: "in", "low", "out", or None (unknown).
    availability: Optional[str] = None


# A store with this many or fewer has "only a few left".
LOW_STOCK_AT = 3


def availability(in_stock: Optional[int]) -> Optional[str]:
    """in / low / out from a store's stock count; None when the count is not known."""
    if in_stock is None:
        return None
    if in_stock <= 0:
        return "out"
    return "low" if in_stock <= LOW_STOCK_AT else "in"


def _thumbnail(slots) -> dict:
    """The smallest WebP and JPEG variants of a revision's hero image (for a thumbnail)."""
    hero = (slots or {}).get("hero_image") if isinstance(slots, dict) else None
    if not hero or not hero.get("jpg"):
        return {}
    smallest = min(hero["jpg"], key=lambda variant: variant[0])
    webp = min(hero["webp"], key=lambda variant: variant[0]) if hero.get("webp") else None
    width, height = hero.get("width") or 0, hero.get("height") or 0
    return {"thumb_jpg": smallest[1], "thumb_webp": webp[1] if webp else "",
            "thumb_width": smallest[0],
            "thumb_height": round(smallest[0] * height / width) if width else smallest[0]}


def _day(column):
    """The UTC calendar day of a timestamp, comparable on SQLite and PostgreSQL."""
    return func.date(column)


def _candidates(listing_id: int, store_id: int):
    """(listing_id, sort key) rows from the three sources, best first by key."""
    curated = select(
        CuratedRecommendation.recommended_listing_id.label("listing_id"),
        CuratedRecommendation.position.label("sort_key"),
    ).where(CuratedRecommendation.listing_id == listing_id)

    co_scanned = select(
        CoScan.related_listing_id.label("listing_id"),
        (literal(_CO_SCAN_BASE) - CoScan.shoppers).label("sort_key"),
    ).where(CoScan.listing_id == listing_id, CoScan.store_id == store_id)

    this = aliased(Listing)
    this_product = aliased(Product)
    same_vendor = (
        select(Listing.id.label("listing_id"), literal(_SAME_VENDOR).label("sort_key"))
        .join(Product, Product.id == Listing.product_id)
        .join(this, this.id == listing_id)
        .join(this_product, this_product.id == this.product_id)
        .where(Listing.retailer_id == this.retailer_id,
               Product.vendor_id == this_product.vendor_id, Listing.id != listing_id)
    )
    return union_all(curated, co_scanned, same_vendor).subquery()


def compute(listing_id: int, store_id: int, limit: int = LIMIT) -> list[Recommendation]:
    """Up to limit items carried at the store to recommend with a listing (one query)."""
    candidates = _candidates(listing_id, store_id)
    carried = (
        select(Tag.listing_id, func.min(Tag.code).label("code"))
        .where(Tag.store_id == store_id, Tag.retired_at.is_(None))
        .group_by(Tag.listing_id)
        .subquery()
    )
    best = func.min(candidates.c.sort_key)
    rows = db.session.execute(
        select(carried.c.code, Product.name, Listing.price_cents, Listing.currency,
               ContentRevision.slots, ListingStock.in_stock)
        .select_from(candidates)
        .join(carried, carried.c.listing_id == candidates.c.listing_id)
        .join(Listing, Listing.id == candidates.c.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .outerjoin(ContentRevision, ContentRevision.id == Listing.live_revision_id)
        .outerjoin(ListingStock, (ListingStock.listing_id == Listing.id)
                   & (ListingStock.store_id == store_id))
        .where(candidates.c.listing_id != listing_id)
        .group_by(candidates.c.listing_id, carried.c.code, Product.name, Listing.price_cents,
                  Listing.currency, ContentRevision.id, ListingStock.in_stock)
        .order_by(best, Product.name)
        .limit(limit)
    ).all()
    return [Recommendation(code, name, format_price(cents, currency), cents, currency,
                           availability=availability(in_stock), **_thumbnail(slots))
            for code, name, cents, currency, slots, in_stock in rows]


class _Cache:
    """A small thread-safe time-limited cache of recommendations per (listing, store)."""

    def __init__(self):
        self.entries = TTLCache(maxsize=8192, ttl=CACHE_SECONDS)
        self.lock = threading.Lock()


CACHE_KEY = "qrshop.recommendations"


def _cache() -> _Cache:
    return current_app.extensions.setdefault(CACHE_KEY, _Cache())


def cached_complete_the_look(extensions: dict, listing_id: int,
                             store_id: int) -> Optional[list[Recommendation]]:
    """A landing page's recommendations if this app has them cached and fresh, else None.

    Takes the app's extensions, so it runs without an app context (the scan fast path).
    """
    cache = extensions.get(CACHE_KEY)
    if cache is None:
        return None
    with cache.lock:
        return cache.entries.get((listing_id, store_id))


def complete_the_look(listing_id: int, store_id: int) -> list[Recommendation]:
    """Recommendations for a landing page, from the cache when fresh."""
    found = cached_complete_the_look(current_app.extensions, listing_id, store_id)
    if found is None:
        found = compute(listing_id, store_id)
        cache = _cache()
        with cache.lock:
            cache.entries[(listing_id, store_id)] = found
    return found


def forget(listing_id: int) -> None:
    """Drop this process's cached recommendations of a listing (after curating it)."""
    cache = _cache()
    with cache.lock:
        for key in [key for key in cache.entries if key[0] == listing_id]:
            cache.entries.pop(key, None)


def curated_ids(listing_id: int) -> list[int]:
    """The curated listing ids of a listing, in order."""
    return list(db.session.scalars(
        select(CuratedRecommendation.recommended_listing_id)
        .where(CuratedRecommendation.listing_id == listing_id)
        .order_by(CuratedRecommendation.position)
    ))


def set_curated(listing: Listing, recommended_ids: list[int]) -> list[int]:
    """Replace a listing's curated recommendations (same retailer, not itself, in order)."""
    ordered = list(dict.fromkeys(recommended_ids))
    if len(ordered) > MAX_CURATED:
        raise InvalidInput(f"Choose at most {MAX_CURATED} items.")
    if listing.id in ordered:
        raise InvalidInput("An item cannot complete its own look.")
    if ordered:
        found = set(db.session.scalars(
            select(Listing.id).where(Listing.id.in_(ordered),
                                     Listing.retailer_id == listing.retailer_id)
        ))
        if found != set(ordered):
            raise InvalidInput("Choose items from the list.")
    db.session.execute(delete(CuratedRecommendation)
                       .where(CuratedRecommendation.listing_id == listing.id))
    now = utcnow()
    for position, recommended_id in enumerate(ordered):
        db.session.add(CuratedRecommendation(listing_id=listing.id,
                                             recommended_listing_id=recommended_id,
                                             position=position, created_at=now))
    db.session.flush()
    forget(listing.id)
    return ordered


def refresh_co_scans(now=None) -> int:
    """Recount co-scans from the last 90 days of the scan log: for each store and listing,
    how many shoppers also scanned each other listing there on the same (UTC) day, bots
    excluded. Replaces the table in one transaction; returns the rows written."""
    now = now or utcnow()
    since = now - timedelta(days=CO_SCAN_DAYS)
    seen, also = aliased(Scan), aliased(Scan)
    rows = db.session.execute(
        select(seen.store_id, seen.listing_id, also.listing_id,
               func.count(distinct(also.shopper_id)))
        .join(also, (also.shopper_id == seen.shopper_id) & (also.store_id == seen.store_id))
        .where(seen.is_bot.is_(False), seen.shopper_id.is_not(None),
               seen.listing_id.is_not(None), seen.scanned_at >= since,
               also.is_bot.is_(False), also.listing_id.is_not(None),
               also.listing_id != seen.listing_id,
               also.scanned_at >= since - timedelta(days=1),
               _day(also.scanned_at) == _day(seen.scanned_at))
        .group_by(seen.store_id, seen.listing_id, also.listing_id)
    ).all()
    db.session.execute(delete(CoScan))
    if rows:
        db.session.execute(insert(CoScan), [
            {"store_id": store_id, "listing_id": listing_id, "related_listing_id": related,
             "shoppers": shoppers, "refreshed_at": now}
            for store_id, listing_id, related, shoppers in rows])
    db.session.flush()
    return len(rows)
