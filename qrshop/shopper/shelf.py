"""What the shelf says on the landing page: stock here, where it is, nearby stores that have
it when this one is out, and the product's variants with their stock here.

A read model (docs/architecture.md): it reads listing_stock, stores, products, listings and
tags together. It runs only when a tag's page data is read (at most once every
LANDING_DATA_MAX_AGE_SECONDS per tag and process, scan.LiveTags), never per scan: the stock
here comes with the landing page's own query (services._landing_statement); the variants'
query runs only for a product in a variant group, the nearby stores' only when out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, bindparam, func, select

from qrshop.accounts.locations import haversine_km
from qrshop.accounts.models import Store
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.db import DriverConnection, DriverStatement
from qrshop.tags.models import Tag

# 1 to LOW_STOCK_THRESHOLD left is "low" (a shopper should hurry or ask); 0 is "out"; an
# unknown quantity (no stock row, or a row with only a location) claims nothing.
LOW_STOCK_THRESHOLD = 3
NEARBY_STORES = 3
MAX_VARIANTS = 24


def stock_level(in_stock: Optional[int]) -> str:
    """'in', 'low', 'out', or '' when the quantity is not known."""
    if in_stock is None:
        return ""
    if in_stock <= 0:
        return "out"
    return "low" if in_stock <= LOW_STOCK_THRESHOLD else "in"


@dataclass(frozen=True)
class NearbyStore:
    """A store of the same retailer that has the item; distance None if either store has
    no location."""

    name: str
    distance_km: Optional[float]


@dataclass(frozen=True)
class Variant:
    """One variant of the product as this store carries it."""

    label: str  # "M · Navy"
    code: Optional[str]  # its active tag in this store (its page), None if it has none
    stock: str  # stock_level here
    current: bool  # the page's own product


@dataclass(frozen=True)
class Shelf:
    """The shelf part of a landing page (hashable: part of the rendered page's cache key)."""

    in_stock: Optional[int] = None
    location: str = ""  # where the stock row says it is (the tag's placement comes first)
    nearby: tuple[NearbyStore, ...] = ()
    variants: tuple[Variant, ...] = ()

    @property
    def stock(self) -> str:
        """'in', 'low', 'out' or '' (unknown) at this store."""
        return stock_level(self.in_stock)


EMPTY = Shelf()


def _nearby_statement() -> DriverStatement:
    stock, stores = ListingStock.__table__, Store.__table__
    return DriverStatement(
        select(stores.c.name, stores.c.latitude, stores.c.longitude)
        .join(stores, stores.c.id == stock.c.store_id)
        .where(stock.c.listing_id == bindparam("listing_id"), stock.c.in_stock > 0,
               stock.c.store_id != bindparam("store_id"))
        .order_by(stores.c.name))


def _variants_statement() -> DriverStatement:
    products, listings = Product.__table__, Listing.__table__
    stock, tags = ListingStock.__table__, Tag.__table__
    tag_here = (select(func.min(tags.c.code))
                .where(tags.c.listing_id == listings.c.id,
                       tags.c.store_id == bindparam("store_id"), tags.c.retired_at.is_(None))
                .scalar_subquery())
    return DriverStatement(
        select(listings.c.id, products.c.size, products.c.colour, products.c.name,
               stock.c.in_stock, tag_here)
        .join(listings, and_(listings.c.product_id == products.c.id,
                             listings.c.retailer_id == bindparam("retailer_id"),
                             listings.c.discontinued_at.is_(None)))
        .outerjoin(stock, and_(stock.c.listing_id == listings.c.id,
                               stock.c.store_id == bindparam("store_id")))
        .where(products.c.variant_group == bindparam("variant_group"))
        .order_by(products.c.id)
        .limit(MAX_VARIANTS))


_NEARBY = _nearby_statement()
_VARIANTS = _variants_statement()


def nearby_stores(driver: DriverConnection, listing_id: int, store_id: int,
                  here: tuple[Optional[float], Optional[float]]) -> tuple[NearbyStore, ...]:
    """The nearest NEARBY_STORES other stores with the listing in stock: by distance when
    they and this store have a location, then the others by name."""
    found = []
    for name, latitude, longitude in _NEARBY.execute(
            driver, {"listing_id": listing_id, "store_id": store_id}).fetchall():
        distance = None
        if None not in (here[0], here[1], latitude, longitude):
            distance = round(haversine_km(here[0], here[1], latitude, longitude), 1)
        found.append(NearbyStore(name, distance))
    found.sort(key=lambda store: (store.distance_km is None, store.distance_km or 0.0,
                                  store.name))
    return tuple(found[:NEARBY_STORES])


def variants_of(driver: DriverConnection, variant_group: str, *, listing_id: int,
                retailer_id: int, store_id: int) -> tuple[Variant, ...]:
    """The variants of a group this retailer carries, in the order they were added."""
    rows = _VARIANTS.execute(driver, {"variant_group": variant_group,
                                      "retailer_id": retailer_id,
                                      "store_id": store_id}).fetchall()
    variants = tuple(
        Variant(" · ".join(part for part in (size, colour) if part) or name, code,
                stock_level(in_stock), variant_listing_id == listing_id)
        for variant_listing_id, size, colour, name, in_stock, code in rows)
    return variants if len(variants) > 1 else ()


def read_shelf(driver: DriverConnection, *, listing_id: int, store_id: int, retailer_id: int,
               in_stock: Optional[int], location: Optional[str],
               variant_group: Optional[str],
               here: tuple[Optional[float], Optional[float]]) -> Shelf:
    """The shelf of a landing page, from what its query read and at most two more reads."""
    if in_stock is None and not location and variant_group is None:
        return EMPTY
    nearby = (nearby_stores(driver, listing_id, store_id, here) if in_stock == 0 else ())
    variants = (variants_of(driver, variant_group, listing_id=listing_id,
                            retailer_id=retailer_id, store_id=store_id)
                if variant_group else ())
    return Shelf(in_stock, location or "", nearby, variants)
