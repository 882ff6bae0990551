"""Reading the catalogue: listings by search, page or SKU; products a retailer may carry."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, or_, select

from qrshop.accounts.models import RetailerVendor, Store
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.extensions import db
from qrshop.pagination import Page, paginate, search_condition, search_text


def product_search(q: str, *columns) -> Optional[ColumnElement[bool]]:
    """Rows where any of the columns holds q (ignoring case; % and _ match themselves), or
    whose product GTIN holds it when q is digits (spaces and dashes ignored); None when q is
    empty."""
    condition = search_condition(q, *columns)
    if condition is None:
        return None
    digits = q.replace(" ", "").replace("-", "")
    return or_(condition, Product.gtin.contains(digits)) if digits.isdigit() else condition


def search_listings(retailer_id: int, q: str, *, page: int, per_page: int) -> Page:
    """A page of the retailer's listings matching name, brand, GTIN or SKU.

    Carried listings first, then discontinued ones, each by product name.
    """
    query = select(Listing).join(Product).where(Listing.retailer_id == retailer_id)
    condition = product_search(q, Product.name, Product.brand, Listing.sku)
    if condition is not None:
        query = query.where(condition)
    return paginate(query.order_by(Listing.discontinued_at.is_not(None), Product.name,
                                   Listing.id), page, per_page=per_page, query=q)


def products_to_carry(retailer_id: int, q: str, *, limit: int = 20
                      ) -> list[tuple[Product, Optional[str]]]:
    """Products of the retailer's linked vendors matching q, each with the SKU it is already
    listed under here (None if not carried yet)."""
    condition = product_search(search_text(q), Product.name, Product.brand)
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
