"""Reading the catalogue: listings by search, page or SKU; products a retailer may carry."""

from __future__ import annotations

import re
from typing import Any, Optional

from sqlalchemy import ColumnElement, Exists, Select, Subquery, exists, func, or_, select
from sqlalchemy.orm import Load, contains_eager, joinedload, selectinload

from qrshop.accounts import queries as accounts
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.extensions import db
from qrshop.pagination import Page, paginate, search_condition, search_text
from qrshop.parsing import MAX_ROW_ID
from qrshop.web import owned_or_404, row_or_none


def product_search(q: str, *columns, gtin=Product.gtin) -> Optional[ColumnElement[bool]]:
    """Rows where any of the columns holds q (ignoring case; % and _ match themselves), or
    whose GTIN column holds it when q is digits (spaces and dashes ignored); None when q is
    empty. gtin: the products' GTIN column, or listing_facts()'s."""
    condition = search_condition(q, *columns)
    if condition is None:
        return None
    digits = q.replace(" ", "").replace("-", "")
    if not re.fullmatch(r"[0-9]+", digits):
        return condition
    return or_(condition, gtin.contains(digits))


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
        select(Product, listed)
        .where(Product.vendor_id.in_(accounts.linked_vendor_ids(retailer_id)), condition)
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
    rows = db.session.scalars(select(ListingStock).options(selectinload(ListingStock.store))
                              .where(ListingStock.listing_id == listing.id))
    return sorted(rows, key=lambda row: row.store.code)


def listing(listing_id: int) -> Optional[Listing]:
    """The listing with this id, if any."""
    return row_or_none(Listing, listing_id)


def listing_for_product(retailer_id: int, product_id: int) -> Optional[Listing]:
    """The retailer's listing of this product, if it lists it (carried or discontinued)."""
    return db.session.scalar(select(Listing).where(Listing.retailer_id == retailer_id,
                                                   Listing.product_id == product_id))


def carrying_listings(product_id: int) -> list[Listing]:
    """The listings of every retailer carrying a product (discontinued ones are not)."""
    return list(db.session.scalars(
        select(Listing).where(Listing.product_id == product_id,
                              Listing.discontinued_at.is_(None))
        .order_by(Listing.retailer_id)))


def listings_exist(retailer_id: int, *, with_live_content: bool = False) -> Exists:
    """An EXISTS probe: the retailer lists an item (one whose content is live, if asked)."""
    probe = exists().where(Listing.retailer_id == retailer_id)
    return probe.where(Listing.live_revision_id.is_not(None)) if with_live_content else probe


def vendor_products(vendor_id: int) -> list[Product]:
    """The vendor's products, by name."""
    return list(db.session.scalars(
        select(Product).where(Product.vendor_id == vendor_id).order_by(Product.name)))


def listing_counts_of_vendor(vendor_id: int) -> dict[int, int]:
    """How many retailers list each of the vendor's products, by product id (listed ones only)."""
    return dict(db.session.execute(
        select(Listing.product_id, func.count(Listing.id))
        .join(Product, Product.id == Listing.product_id)
        .where(Product.vendor_id == vendor_id)
        .group_by(Listing.product_id)).all())


def owned_listing(listing_id: Optional[int], retailer_id: int, description: str) -> Listing:
    """The retailer's listing with this id; any other id (or None) is a 404 with description."""
    return owned_or_404(Listing, listing_id, description, retailer_id=retailer_id)


def listing_by_sku_any_case(retailer_id: int, sku: str) -> Optional[Listing]:
    """The retailer's listing with this SKU, compared without case, if any."""
    return db.session.scalar(select(Listing).where(Listing.retailer_id == retailer_id,
                                                   func.lower(Listing.sku) == sku.lower())
                             .limit(1))


def count_listings(retailer_id: int) -> int:
    """How many listings the retailer has (discontinued ones too)."""
    return db.session.scalar(select(func.count()).select_from(Listing)
                             .where(Listing.retailer_id == retailer_id)) or 0


def listing_choices(retailer_id: int, *, without: Optional[int] = None
                    ) -> list[tuple[int, str, str]]:
    """(id, product name, SKU) of each of the retailer's listings, by product name, for a
    picker; `without` leaves one listing out."""
    query = (select(Listing.id, Product.name, Listing.sku)
             .join(Product, Product.id == Listing.product_id)
             .where(Listing.retailer_id == retailer_id))
    if without is not None:
        query = query.where(Listing.id != without)
    return [(row[0], row[1], row[2]) for row in db.session.execute(query.order_by(Product.name))]


def skus_by_id(retailer_id: int, listing_ids: list[int]) -> dict[int, str]:
    """The SKU of each of these listing ids that is the retailer's (others left out)."""
    # An id no row can have (2**63 typed into the form) is left out, not sent to the database.
    ids = [listing_id for listing_id in listing_ids if 1 <= listing_id <= MAX_ROW_ID]
    return dict(db.session.execute(select(Listing.id, Listing.sku).where(
        Listing.retailer_id == retailer_id, Listing.id.in_(ids))).all())


def owned_product(product_id: Optional[int], vendor_id: int, description: str) -> Product:
    """The vendor's product with this id; any other id (or None) is a 404 with description."""
    return owned_or_404(Product, product_id, description, vendor_id=vendor_id)


def listings_by_product_name(retailer_id: int) -> list[Listing]:
    """Every listing of the retailer, by product name."""
    return list(db.session.scalars(select(Listing).join(Product).where(
        Listing.retailer_id == retailer_id).order_by(Product.name)))


def listing_ids_of(retailer_id: int) -> Select[tuple[int]]:
    """A subquery of the ids of the retailer's listings."""
    return select(Listing.id).where(Listing.retailer_id == retailer_id)


def listings_by_name_page(retailer_id: int, *, page: int = 1, query: str = "") -> Page:
    """One page of the retailer's listings by product name; query matches the name or SKU."""
    statement = (
        select(Listing).join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == retailer_id)
        .order_by(Product.name, Listing.id)
        .options(contains_eager(Listing.product))
    )
    if query:
        statement = statement.where(search_condition(query, Product.name, Listing.sku))
    return paginate(statement, page, query=query)


def listings_by_skus(retailer_id: int, skus: list[str]) -> list[Listing]:
    """The retailer's listings with these SKUs (unknown SKUs left out)."""
    return list(db.session.scalars(select(Listing).where(Listing.retailer_id == retailer_id,
                                                         Listing.sku.in_(skus))))


def listing_facts() -> Subquery:
    """What a listing is, as a subquery other features join by listing_id to show, search or
    sort by it: listing_id, retailer_id, sku, price_cents, currency, product_id,
    product_name, product_brand, gtin, vendor_id, live_revision_id."""
    return (select(Listing.id.label("listing_id"), Listing.retailer_id, Listing.sku,
                   Listing.product_id, Listing.live_revision_id,
                   Listing.price_cents, Listing.currency, Product.name.label("product_name"),
                   Product.brand.label("product_brand"), Product.gtin, Product.vendor_id)
            .join(Product, Product.id == Listing.product_id)
            .subquery("listing_facts"))


def load_listings_with_products(relationship: Any) -> Load:
    """A loader option for another feature's relationship to Listing (e.g. Offer.listing):
    load the listings and their products in two extra queries, not one per row."""
    return selectinload(relationship).selectinload(Listing.product)


def listing_ids_matching(retailer_id: int, query: str) -> Select[tuple[int]]:
    """A subquery of the ids of the retailer's listings whose product name or SKU holds the
    search text (pagination.search_condition: ignoring case, wildcards matching themselves)."""
    return (select(Listing.id).join(Product, Product.id == Listing.product_id)
            .where(Listing.retailer_id == retailer_id,
                   search_condition(query, Product.name, Listing.sku)))


def readable_products(*, vendor_id: Optional[int] = None,
                      retailer_id: Optional[int] = None) -> Select:
    """A select of the products a party may read, not yet ordered: a vendor's own (vendor_id),
    or those of the vendors linked to a retailer (retailer_id)."""
    products = select(Product).options(joinedload(Product.vendor))
    if vendor_id is not None:
        return products.where(Product.vendor_id == vendor_id)
    return products.where(Product.vendor_id.in_(accounts.linked_vendor_ids(retailer_id or 0)))


def product_by_gtin(gtin14: str) -> Optional[Product]:
    """The product with this GTIN-14, if any."""
    return db.session.scalar(select(Product).where(Product.gtin == gtin14))


def live_revision_ids() -> Select[tuple[int]]:
    """A subquery of the content revisions some listing shows (live at its retailer)."""
    return select(Listing.live_revision_id).where(Listing.live_revision_id.is_not(None))


def lock_listing(listing_id: int) -> None:
    """Hold the listing's row until the transaction ends (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite has one writer at a time anyway), so a rule checked across its rows
    (one experiment per listing at a time) cannot be passed by two requests at once."""
    db.session.execute(select(Listing.id).where(Listing.id == listing_id).with_for_update())
