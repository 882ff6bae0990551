"""Reading the catalogue: listings by search, page or SKU; products a retailer may carry."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, or_, select

from qrshop.accounts.models import RetailerVendor, Store
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.extensions import db


def clean_query(raw: Optional[str]) -> str:
    """Search text as typed, without control characters, at most 100 characters."""
    text = "".join(char for char in (raw or "") if ord(char) >= 32 and ord(char) != 127)
    return " ".join(text.split())[:100]


def _search_terms(q: str, *columns):
    """Conditions matching q in any of the columns, or in the GTIN when q is digits."""
    q = clean_query(q)
    if not q:
        return None
    pattern = f"%{q.lower()}%"
    conditions = [func.lower(column).like(pattern) for column in columns]
    digits = q.replace(" ", "").replace("-", "")
    if digits.isdigit():
        conditions.append(Product.gtin.like(f"%{digits}%"))
    return or_(*conditions)


def search_listings(retailer_id: int, q: str, *, page: int, per_page: int
                    ) -> tuple[list[Listing], int]:
    """A page of the retailer's listings matching name, brand, GTIN or SKU; and the total.

    Carried listings first, then discontinued ones, each by product name.
    """
    query = select(Listing).join(Product).where(Listing.retailer_id == retailer_id)
    condition = _search_terms(q, Product.name, Product.brand, Listing.sku)
    if condition is not None:
        query = query.where(condition)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Listing.discontinued_at.is_not(None), Product.name, Listing.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def products_to_carry(retailer_id: int, q: str, *, limit: int = 20
                      ) -> list[tuple[Product, Optional[str]]]:
    """Products of the retailer's linked vendors matching q, each with the SKU it is already
    listed under here (None if not carried yet)."""
    condition = _search_terms(q, Product.name, Product.brand)
    if condition is None:
        return []
    listed = (select(Listing.sku).where(Listing.retailer_id == retailer_id,
                                        Listing.product_id == Product.id)
              .correlate(Product).scalar_subquery())
    rows = db.session.execute(
        select(Product, listed).join(RetailerVendor, RetailerVendor.vendor_id == Product.vendor_id)
        .where(RetailerVendor.retailer_id == retailer_id, condition)
        .order_by(Product.name, Product.id).limit(limit)).all()
    return [(product, sku) for product, sku in rows]


def listing_page(retailer_id: int, after_id: int, limit: int) -> list[Listing]:
    """Up to `limit` listings of the retailer with an id above after_id, by id (API cursor)."""
    return list(db.session.scalars(
        select(Listing).where(Listing.retailer_id == retailer_id, Listing.id > after_id)
        .order_by(Listing.id).limit(limit)))


def listing_by_sku(retailer_id: int, sku: str) -> Optional[Listing]:
    """The retailer's listing with this SKU, if any."""
    return db.session.scalar(select(Listing).where(Listing.retailer_id == retailer_id,
                                                   Listing.sku == sku))


def stock_of(listing: Listing) -> list[ListingStock]:
    """The listing's stock rows, by store code."""
    return list(db.session.scalars(
        select(ListingStock).join(Store).where(ListingStock.listing_id == listing.id)
        .order_by(Store.code)))
