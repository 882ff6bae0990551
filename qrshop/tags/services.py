"""Tag rules: creating tags with unique codes, retiring them, listing them for export."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qrshop.accounts.models import Retailer, Store
from qrshop.catalog.models import Listing, Product
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.tags.codes import new_code, tag_url
from qrshop.tags.models import Tag

TAG_LIST_COLUMNS = ("code", "url", "retailer", "store", "sku", "gtin", "product", "placement",
                    "status")


def create_tag(listing: Listing, store: Store, placement: str = "") -> Tag:
    """Create a tag for a listing in one of the same retailer's stores."""
    if store.retailer_id != listing.retailer_id:
        raise InvalidInput(
            f"Store {store.code} belongs to another retailer than listing {listing.sku}."
        )
    placement = (placement or "").strip()
    if len(placement) > 120:
        raise InvalidInput("Placement note is longer than 120 characters.")
    code = new_code()
    # 32**8 codes make a clash unlikely; check anyway rather than fail on the unique index.
    while db.session.scalar(select(Tag.id).where(Tag.code == code)) is not None:
        code = new_code()
    tag = Tag(code=code, listing=listing, store=store, placement=placement)
    db.session.add(tag)
    db.session.flush()
    return tag


def retire_tag(tag: Tag) -> None:
    """Retire a tag: its code keeps resolving, to a "no longer here" page."""
    if tag.retired_at is None:
        tag.retired_at = utcnow()
        db.session.flush()


def find_tag(code: str) -> Tag | None:
    """Return the tag with this canonical (upper-case) code."""
    return db.session.scalar(select(Tag).where(Tag.code == code.upper()))


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
            "url": tag_url(base_url, tag.code),
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
