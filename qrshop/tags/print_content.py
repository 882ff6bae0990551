"""What each printed item says: its URL, name, price, call to action and (posters) photo.

"Scan for videos & offers" is printed only where the item's page has a video or an offer
claimable now in the tag's store; anywhere else the neutral "Scan for details".
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from qrshop import storage
from qrshop.catalog.services import format_price
from qrshop.content.print_facts import PrintFacts, print_facts
from qrshop.tags import print_parts
from qrshop.tags.codes import short_url, tag_url
from qrshop.tags.printing import PLAIN_CALL, RICH_CALL, LabelContent

if TYPE_CHECKING:  # type hints only
    from qrshop.tags.models import Tag

NO_FACTS = PrintFacts(photo=None, has_video=False)


def one_per_item(tags: list[Tag]) -> list[Tag]:
    """The first tag of each listing, in order: a poster shows an item once."""
    seen: set[int] = set()
    return [tag for tag in tags if not (tag.listing_id in seen or seen.add(tag.listing_id))]


def _photo_bytes(name: str | None) -> bytes | None:
    path = storage.path_for(name) if name else None
    return path.read_bytes() if path else None


def tag_print_url(tag: Tag, base_url: str) -> str:
    """The URL a tag's QR encodes, in its retailer's tag URL style (codes.tag_url)."""
    return tag_url(base_url, tag.code, tag.store.retailer.tag_url_style,
                   tag.listing.product.gtin)


def label_contents(tags: list[Tag], base_url: str, *, photos: bool) -> list[LabelContent]:
    """The printed content of each tag (with its product photo when `photos`)."""
    facts = print_facts([tag.listing.live_revision_id for tag in tags])
    by_store: dict[tuple[int, int], set[int]] = defaultdict(set)
    for tag in tags:
        by_store[(tag.listing.retailer_id, tag.store_id)].add(tag.listing_id)
    offered = {key: print_parts.listings_with_live_offer(key[0], key[1], sorted(ids))
               for key, ids in by_store.items()}
    labels = []
    for tag in tags:
        listing = tag.listing
        fact = facts.get(listing.live_revision_id, NO_FACTS)
        rich = fact.has_video or listing.id in offered[(listing.retailer_id, tag.store_id)]
        labels.append(LabelContent(
            tag_print_url(tag, base_url), short_url(base_url, tag.code), listing.product.name,
            format_price(listing.price_cents, listing.currency),
            RICH_CALL if rich else PLAIN_CALL,
            _photo_bytes(fact.photo) if photos else None))
    return labels
