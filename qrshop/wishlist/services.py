"""Saving items to a shopper's wish list, and reading the list with its coupons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select, update

from qrshop.accounts import queries as accounts
from qrshop.catalog import queries as catalog
from qrshop.catalog.services import format_price
from qrshop.content import queries as content
from qrshop.db import utcnow
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.shopper import queries as shoppers
from qrshop.tags import queries as tags
from qrshop.webhooks.emit import emit_for_listing
from qrshop.wishlist.coupons import coupons_of
from qrshop.wishlist.models import WishlistItem


def save_to_wishlist(*, shopper_id: str, listing_id: int, store_id: int, tag_id: int) -> None:
    """Save a listing to the shopper's wish list (saving twice keeps one entry); a save that
    adds the item (new, or back after removal) emits wishlist.added."""
    added = insert_ignoring_duplicates(
        WishlistItem,
        {"shopper_id": shopper_id, "listing_id": listing_id, "store_id": store_id,
         "tag_id": tag_id, "created_at": utcnow()},
        ["shopper_id", "listing_id"],
    )
    added += db.session.execute(
        update(WishlistItem)
        .where(WishlistItem.shopper_id == shopper_id, WishlistItem.listing_id == listing_id,
               WishlistItem.removed_at.is_not(None))
        .values(removed_at=None, suggested_by=None)
    ).rowcount
    if added:
        emit_for_listing("wishlist.added", listing_id=listing_id, store_id=store_id,
                         shopper_id=shopper_id, tag=tags.tag_code(tag_id))


def suggest_to_wishlist(*, shopper_id: str, listing_id: int, store_id: Optional[int],
                        suggested_by: str) -> bool:
    """Put an associate's hand-picked listing on the shopper's wish list, marked with their
    first name; False when the shopper already has it (then nothing changes)."""
    added = insert_ignoring_duplicates(
        WishlistItem,
        {"shopper_id": shopper_id, "listing_id": listing_id, "store_id": store_id,
         "created_at": utcnow(), "suggested_by": suggested_by[:60]},
        ["shopper_id", "listing_id"],
    )
    added += db.session.execute(
        update(WishlistItem)
        .where(WishlistItem.shopper_id == shopper_id, WishlistItem.listing_id == listing_id,
               WishlistItem.removed_at.is_not(None))
        .values(removed_at=None, created_at=utcnow(), store_id=store_id, tag_id=None,
                suggested_by=suggested_by[:60])
        .execution_options(synchronize_session=False)
    ).rowcount
    return added > 0


def remove_from_wishlists(shopper_ids: dict[int, str], listing_id: int) -> bool:
    """Remove a listing from the caller's wish list as /wishlist shows it: from these
    shoppers ({retailer_id: shopper_id}) and their other devices' (linked_shoppers).
    Return whether it was on it (another shopper's item is never touched)."""
    ids = linked_shoppers(shopper_ids)
    if not ids:
        return False
    removed = db.session.execute(
        update(WishlistItem)
        .where(WishlistItem.shopper_id.in_(ids), WishlistItem.listing_id == listing_id,
               WishlistItem.removed_at.is_(None))
        .values(removed_at=utcnow())
        .execution_options(synchronize_session=False))
    return removed.rowcount > 0


def remove_from_wishlist(*, shopper_id: str, listing_id: int) -> None:
    """Remove a listing from the shopper's wish list (only theirs)."""
    item = db.session.scalar(
        select(WishlistItem).where(WishlistItem.shopper_id == shopper_id,
                                   WishlistItem.listing_id == listing_id)
    )
    if item is not None and item.removed_at is None:
        item.removed_at = utcnow()
        db.session.flush()


@dataclass
class RetailerWishlist:
    """One retailer's part of a shopper's /wishlist page."""

    retailer_name: str
    items: list = None
    coupons: list = None
    retailer_id: Optional[int] = None


def linked_shoppers(shopper_ids: dict[int, str]) -> list[str]:
    """These shoppers and every shopper of the same retailer with the same verified email."""
    if not shopper_ids:
        return []
    same_email = shoppers.same_email_shoppers(list(shopper_ids.values()))
    return sorted(set(shopper_ids.values()) | set(same_email))


def wishlists(shopper_ids: dict[int, str]) -> list[RetailerWishlist]:
    """The saved items and coupons of the caller's shoppers ({retailer_id: shopper_id}),
    including those saved on the caller's other devices (same verified email)."""
    if not shopper_ids:
        return []
    ids = linked_shoppers(shopper_ids)
    names = accounts.retailer_names_of(list(shopper_ids))
    pages = {rid: RetailerWishlist(names[rid], [], [], rid) for rid in sorted(names)}
    seen = set()
    facts, stores, codes = catalog.listing_facts(), accounts.store_names(), tags.tag_codes()
    listing, store, tag = facts.c, stores.c, codes.c
    rows = db.session.execute(
        select(WishlistItem.listing_id, WishlistItem.created_at, listing.retailer_id,
               listing.price_cents, listing.currency, listing.product_name,
               listing.product_brand, store.store_name, tag.code, WishlistItem.suggested_by,
               listing.live_revision_id)
        .join(facts, listing.listing_id == WishlistItem.listing_id)
        .outerjoin(stores, store.store_id == WishlistItem.store_id)
        .outerjoin(codes, tag.tag_id == WishlistItem.tag_id)
        .where(WishlistItem.shopper_id.in_(ids), WishlistItem.removed_at.is_(None))
        .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
    ).all()
    thumbnails = content.hero_thumbnails(row[-1] for row in rows)
    for listing_id, saved_at, retailer_id, cents, currency, name, brand, store_name, tag_code, \
            suggested_by, revision_id in rows:
        if retailer_id in pages and listing_id not in seen:
            seen.add(listing_id)  # saved on two devices: listed once, the latest save
            pages[retailer_id].items.append({
                "listing_id": listing_id, "name": name, "brand": brand,
                "price": format_price(cents, currency), "store": store_name,
                "tag_code": tag_code, "saved_at": saved_at,
                "thumbnail": thumbnails.get(revision_id), "suggested_by": suggested_by,
            })
    for retailer_id, coupons in coupons_of(ids, set(pages)).items():
        pages[retailer_id].coupons.extend(coupons)
    return [page for page in pages.values() if page.items or page.coupons]
