"""What printing needs from the features above tags, filled at app start.

A tag says "Scan for videos & offers" only when its page has a live offer (offers) or a
video; a look poster of one item shows the items curated to complete its look (recommend);
the counter card opens the shopper's wish list (wishlist). Those features import tags, so
tags does not import them: the app factory (qrshop.create_app) hands their functions over
here. Without a provider an item has no offer, no curated look, and the card no URL.
"""

from __future__ import annotations

from collections.abc import Callable

_parts: dict[str, Callable] = {}


def provide(**parts: Callable) -> None:
    """Called at app start with live_offers=(retailer_id, store_id, listing_ids) -> ids with
    a claimable offer, curated=(listing_id) -> listing ids completing its look, and
    wishlist_url=(base_url, retailer_slug) -> the URL of the shopper's wish list there."""
    _parts.update(parts)


def listings_with_live_offer(retailer_id: int, store_id: int, listing_ids: list[int]) -> set[int]:
    """The listings among these with an offer claimable now in the store."""
    provider = _parts.get("live_offers")
    return set(provider(retailer_id, store_id, listing_ids)) if provider else set()


def curated_look(listing_id: int) -> list[int]:
    """The listing ids curated to complete a listing's look, in order."""
    provider = _parts.get("curated")
    return list(provider(listing_id)) if provider else []


def wishlist_url(base_url: str, retailer_slug: str) -> str:
    """The address the counter card's QR opens: the shopper's wish list at the retailer."""
    provider = _parts.get("wishlist_url")
    if provider is None:
        raise LookupError("the app factory did not provide wishlist_url")
    return provider(base_url, retailer_slug)
