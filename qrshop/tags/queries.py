"""Read models of the tag pages: one page of a retailer's tags (filtered, sorted, counted),
one page of listings for the reassign picker, and the rows of `qrshop tags list`. The pages
are LIMIT/OFFSET queries over indexed joins, so a page costs the same at 60 tags and at
10,000."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from flask import abort
from sqlalchemy import Exists, Select, Subquery, case, exists, func, select
from sqlalchemy.orm import joinedload

from qrshop.accounts.models import Retailer, Store
from qrshop.catalog.models import Listing, Product
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.pagination import Page, paginate, search_condition
from qrshop.tags.codes import normalise_code, tag_url
from qrshop.tags.models import Tag

PAGE_SIZES = (25, 50, 100)
PAGE_SIZE = 50
# The longest selection a bulk action takes (two full pages of the largest size).
BULK_MAX = 200

# ?sort= values of the tag list and what each orders by (ties broken by the tag's id).
SORTS = {
    "store": "Store",
    "code": "Code",
    "product": "Product",
    "placement": "Placement",
    "printed": "Printed",
    "status": "Status",
    "created": "Created",
}


def _order(sort: str, descending: bool) -> list:
    def way(column):
        return column.desc() if descending else column.asc()

    never = case((Tag.printed_at.is_(None), 1), else_=0)  # never printed: last either way
    retired = case((Tag.retired_at.is_(None), 0), else_=1)
    keys = {
        "store": [way(Store.code), way(Product.name), way(Tag.code)],
        "code": [way(Tag.code)],
        "product": [way(Product.name), way(Store.code)],
        "placement": [way(Tag.placement), way(Product.name)],
        "printed": [never, way(Tag.printed_at)],
        "status": [way(retired), way(Tag.retired_at)],
        "created": [way(Tag.created_at)],
    }[sort]
    return [*keys, way(Tag.id)]


def _tag_filters(retailer_id: int, store_id: Optional[int], text: str,
                 status: str) -> tuple[list, bool]:
    """The WHERE clauses of the tag list, and whether they need the listing and product."""
    where = [Store.retailer_id == retailer_id]
    if store_id is not None:
        where.append(Tag.store_id == store_id)
    if status == "active":
        where.append(Tag.retired_at.is_(None))
    elif status == "retired":
        where.append(Tag.retired_at.is_not(None))
    condition = search_condition(text, Tag.code, Listing.sku, Product.name, Tag.placement)
    if condition is not None:
        where.append(condition)
    return where, condition is not None


def _joined(query, where: list, products: bool = True):
    query = query.join(Store, Store.id == Tag.store_id)
    if products:
        query = (query.join(Listing, Listing.id == Tag.listing_id)
                 .join(Product, Product.id == Listing.product_id))
    return query.where(*where)


def tag_page(retailer_id: int, *, store_id: Optional[int] = None, text: str = "",
             status: str = "", sort: str = "store", descending: bool = False,
             page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """One page of a retailer's tags: filtered by store, status ('active'/'retired') and a
    search over code, product name, SKU and placement; sorted by a SORTS key."""
    where, searched = _tag_filters(retailer_id, store_id, text, status)
    sort = sort if sort in SORTS else "store"

    def load(ids: list[int]) -> list[Tag]:
        loaded = {tag.id: tag for tag in db.session.scalars(
            select(Tag).where(Tag.id.in_(ids))
            .options(joinedload(Tag.store), joinedload(Tag.listing).joinedload(Listing.product))
        ).unique()} if ids else {}
        return [loaded[tag_id] for tag_id in ids]

    # A deferred join: sort and cut the narrow id list first, then load just those tags.
    return paginate(
        _joined(select(Tag.id), where, searched or sort in ("store", "product", "placement"))
        .order_by(*_order(sort, descending)),
        page, per_page=per_page, query=text, load=load,
        count=_joined(select(func.count(Tag.id)), where, searched))


def tag_export_rows(retailer_id: int, *, store_id: Optional[int] = None, text: str = "",
                    status: str = ""):
    """Every matching tag as plain rows for the CSV (no ORM objects: 10,000 rows stay cheap):
    (code, store code, SKU, GTIN, product name, placement, printed_at, retired_at)."""
    where, _ = _tag_filters(retailer_id, store_id, text, status)
    return db.session.execute(_joined(
        select(Tag.code, Store.code, Listing.sku, Product.gtin, Product.name, Tag.placement,
               Tag.printed_at, Tag.retired_at), where)
        .order_by(Store.code, Product.name, Tag.code))


def listing_page(retailer_id: int, *, text: str = "", page: int = 1,
                 per_page: int = 20) -> Page:
    """One page of a retailer's listings by product name, searched by name, SKU or GTIN,
    for the print and reassign pickers: discontinued ones get no tag, so they are left out.

    Rows are (listing id, product name, SKU, GTIN).
    """
    where = [Listing.retailer_id == retailer_id, Listing.discontinued_at.is_(None)]
    condition = search_condition(text, Product.name, Listing.sku, Product.gtin)
    if condition is not None:
        where.append(condition)
    return paginate(
        select(Listing.id, Product.name, Listing.sku, Product.gtin)
        .join(Product, Product.id == Listing.product_id).where(*where)
        .order_by(Product.name, Listing.sku, Listing.id),
        page, per_page=per_page, query=text, scalars=False,
        count=select(func.count(Listing.id)).join(Product, Product.id == Listing.product_id)
        .where(*where))


def owned_tags(retailer_id: int, codes: Sequence[str]) -> list[Tag]:
    """The tags with these codes, in the order given, all of the retailer's stores; a 404
    when any code is unknown or another retailer's (so none is acted on)."""
    canonical = [normalise_code(code) for code in codes]
    if not canonical or any(not code for code in canonical):
        abort(404, description="No tag with this code at your stores.")
    wanted = list(dict.fromkeys(canonical))
    found = {
        tag.code: tag for tag in db.session.scalars(
            select(Tag).join(Store, Store.id == Tag.store_id)
            .where(Store.retailer_id == retailer_id, Tag.code.in_(wanted))
            .options(joinedload(Tag.store), joinedload(Tag.listing).joinedload(Listing.product))
        ).unique()
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        abort(404, description=f"No tag with code {missing[0]} at your stores; nothing "
                               "was changed.")
    return [found[code] for code in wanted]


def printed_tags_exist(store_ids: Select) -> Exists:
    """An EXISTS probe: a tag of one of these stores (a subquery of ids) has been printed."""
    return exists().where(Tag.store_id.in_(store_ids), Tag.printed_at.is_not(None))


def active_tag_counts(store_ids: Sequence[int]) -> dict[int, int]:
    """The number of active (not retired) tags of each store, by store id (0 left out)."""
    if not store_ids:
        return {}
    return dict(db.session.execute(
        select(Tag.store_id, func.count(Tag.id))
        .where(Tag.store_id.in_(list(store_ids)), Tag.retired_at.is_(None))
        .group_by(Tag.store_id)).all())


def active_tag_count(listing_id: int) -> int:
    """How many of the listing's tags are not retired."""
    return db.session.scalar(select(func.count()).select_from(Tag).where(
        Tag.listing_id == listing_id, Tag.retired_at.is_(None))) or 0


def first_active_tag_code(listing_id: int) -> Optional[str]:
    """The code of the listing's oldest active tag (a way to its landing page), if any."""
    return db.session.scalar(
        select(Tag.code).where(Tag.listing_id == listing_id, Tag.retired_at.is_(None))
        .order_by(Tag.id).limit(1))


def list_tags(
    base_url: str, *, retailer_slug: str | None = None, store_code: str | None = None
) -> list[dict]:
    """Rows for `qrshop tags list`: one dict per tag with TAG_LIST_COLUMNS keys."""
    query = (
        select(Tag)
        .join(Store, Store.id == Tag.store_id)
        .join(Retailer, Retailer.id == Store.retailer_id)
        .join(Listing, Listing.id == Tag.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .options(
            joinedload(Tag.store).joinedload(Store.retailer),
            joinedload(Tag.listing).joinedload(Listing.product),
        )
        .order_by(Retailer.slug, Store.code, Product.name, Tag.code)
    )
    if retailer_slug:
        if db.session.scalar(select(Retailer.id).where(Retailer.slug == retailer_slug)) is None:
            raise InvalidInput(f"No retailer with slug {retailer_slug!r}.")
        query = query.where(Retailer.slug == retailer_slug)
    if store_code:
        stores = select(Store.id).where(Store.code == store_code.upper())
        if db.session.scalar(stores) is None:
            raise InvalidInput(f"No store with code {store_code!r}.")
        query = query.where(Store.code == store_code.upper())
    return [
        {
            "code": tag.code,
            "url": tag_url(base_url, tag.code, tag.store.retailer.tag_url_style,
                           tag.listing.product.gtin),
            "retailer": tag.store.retailer.slug,
            "store": tag.store.code,
            "sku": tag.listing.sku,
            "gtin": tag.listing.product.gtin,
            "product": tag.listing.product.name,
            "placement": tag.placement,
            "status": tag.status,
        }
        for tag in db.session.scalars(query).unique()
    ]


def active_tag_codes_for_gtin(gtin14: str, *, store_code: Optional[str] = None,
                              retailer_slug: Optional[str] = None,
                              store_id: Optional[int] = None) -> list[tuple[str, int]]:
    """(code, store id) of the active tags of the product with this GTIN-14, oldest first;
    only in the stores with this code (of this retailer) or id when given (GS1 /01/<GTIN>)."""
    query = (select(Tag.code, Tag.store_id)
             .join(Listing, Listing.id == Tag.listing_id)
             .join(Product, Product.id == Listing.product_id)
             .where(Product.gtin == gtin14, Tag.retired_at.is_(None))
             .order_by(Tag.id))
    if store_code is not None or retailer_slug is not None:
        query = query.join(Store, Store.id == Tag.store_id)
    if store_code is not None:
        query = query.where(Store.code == store_code.upper())
    if retailer_slug is not None:
        query = query.join(Retailer, Retailer.id == Store.retailer_id).where(
            Retailer.slug == retailer_slug)
    if store_id is not None:
        query = query.where(Tag.store_id == store_id)
    return [(code, tag_store) for code, tag_store in db.session.execute(query)]


def tag_codes() -> Subquery:
    """The tags' codes as a subquery to join by tag_id: tag_id, code."""
    return select(Tag.id.label("tag_id"), Tag.code).subquery("tag_codes")


def tags_statement(retailer_id: int, *, store_id: Optional[int] = None,
                   status: str = "") -> Select:
    """A select of the retailer's tags (of one store, and 'active' or 'retired', when given),
    their store, listing and product loaded, not yet ordered: the API's cursor pages."""
    where, _ = _tag_filters(retailer_id, store_id, "", status)
    return _joined(select(Tag), where, products=False).options(
        joinedload(Tag.store), joinedload(Tag.listing).joinedload(Listing.product))


def store_tags(store_id: int, codes: Sequence[str]) -> dict[str, Tag]:
    """The tags of one store among these (canonical) codes, by code."""
    return {tag.code: tag for tag in db.session.scalars(
        select(Tag).where(Tag.store_id == store_id, Tag.code.in_(list(codes)))
        .options(joinedload(Tag.listing).joinedload(Listing.product)))}
