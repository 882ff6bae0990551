"""Tag rules: creating tags with unique codes, retiring them, listing them for export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from qrshop import storage
from qrshop.accounts import queries as accounts
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.tags import print_parts
from qrshop.tags.codes import new_code
from qrshop.tags.layouts import LAYOUTS, Layout
from qrshop.tags.models import Tag
from qrshop.tags.posters import LOOK_ITEMS, MAX_HEADING
from qrshop.tags.print_content import (  # noqa: F401  (tag_print_url: the tags API's too)
    label_contents,
    one_per_item,
    tag_print_url,
)
from qrshop.tags.printing import LabelContent, build_pdf

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store
    from qrshop.catalog.models import Listing

TAG_LIST_COLUMNS = ("code", "url", "retailer", "store", "sku", "gtin", "product", "placement",
                    "status")


def refuse_discontinued(listing: Listing) -> None:
    """InvalidInput if the retailer discontinued the listing: a tag made, moved onto or
    reactivated for it would scan as a live item."""
    if listing.discontinued_at is not None:
        raise InvalidInput(f"Listing {listing.sku} is discontinued; carry it again before "
                           f"giving it a tag.")


def create_tag(listing: Listing, store: Store, placement: str = "") -> Tag:
    """Create a tag for a listing in one of the same retailer's stores."""
    if store.retailer_id != listing.retailer_id:
        raise InvalidInput(
            f"Store {store.code} belongs to another retailer than listing {listing.sku}."
        )
    refuse_discontinued(listing)
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
    retire_tags([tag])


def retire_tags(tags: list[Tag]) -> int:
    """Retire every active one of these tags at the same time; return how many were."""
    now, retired = utcnow(), 0
    for tag in tags:
        if tag.retired_at is None:
            tag.retired_at, retired = now, retired + 1
    db.session.flush()
    return retired


def reactivate_tag(tag: Tag) -> bool:
    """Put a retired tag back in service: its code shows the item's page (and counts scans)
    again. Return False when it was active already."""
    if tag.retired_at is None:
        return False
    refuse_discontinued(tag.listing)
    tag.retired_at = None
    db.session.flush()
    return True


def move_tags(tags: list[Tag], store: Store) -> int:
    """Move tags to another store of the same retailer; each keeps its listing and code.

    Raises InvalidInput, moving nothing, when the store is another retailer's.
    """
    if any(tag.store.retailer_id != store.retailer_id for tag in tags):
        raise InvalidInput(f"Store {store.code} belongs to another retailer.",
                           status_code=404, code="unknown_store")
    moved = 0
    for tag in tags:
        if tag.store_id != store.id:
            tag.store, moved = store, moved + 1
    db.session.flush()
    return moved


def find_tag(code: str) -> Tag | None:
    """Return the tag with this canonical (upper-case) code."""
    return db.session.scalar(select(Tag).where(Tag.code == code.upper()))


def store_by_code(code: str, retailer_id: int | None = None) -> Store:
    """The store with this code (within one retailer when given), or InvalidInput."""
    stores = accounts.stores_by_code(code, retailer_id)
    if not stores:
        raise InvalidInput(f"No store with code {code!r}.", status_code=404, code="unknown_store")
    if len(stores) > 1:
        raise InvalidInput(f"Store code {code!r} is used by several retailers; "
                           "say which retailer.")
    return stores[0]


def tags_for_print(store: Store, skus: list[str] | None, placement: str | None) -> list[Tag]:
    """The tags to print at a store: for the SKUs given (created where missing, one per
    listing x store x placement; existing ones reused), or every active tag of the store.

    Raises InvalidInput, creating nothing, for SKUs the store's retailer does not carry (or
    has discontinued) or an empty selection.
    """
    if placement is not None:
        placement = placement.strip()
        if len(placement) > 120:
            raise InvalidInput("Placement note is longer than 120 characters.")
    active = (select(Tag).where(Tag.store_id == store.id, Tag.retired_at.is_(None))
              .order_by(Tag.id))
    if placement is not None:
        active = active.where(Tag.placement == placement)
    if not skus:
        tags = list(db.session.scalars(active))
        if not tags:
            where = f" with placement {placement!r}" if placement else ""
            raise InvalidInput(f"Store {store.code} has no active tags{where} to print.")
        return tags
    wanted = list(dict.fromkeys(sku.strip() for sku in skus if sku.strip()))
    if not wanted:
        raise InvalidInput("No SKU given to print.")
    listings = {
        listing.sku: listing for listing in catalog.listings_by_skus(store.retailer_id, wanted)
    }
    missing = [sku for sku in wanted if sku not in listings]
    if missing:
        raise InvalidInput(
            f"Not carried at {store.code}: {', '.join(missing)}. Nothing was printed.",
            code="unknown_sku")
    discontinued = [sku for sku in wanted if listings[sku].discontinued_at is not None]
    if discontinued:
        raise InvalidInput(
            f"Discontinued at {store.retailer.name}: {', '.join(discontinued)}. Carry them "
            f"again to print their tags; nothing was printed.", code="discontinued")
    tags = []
    for sku in wanted:
        existing = db.session.scalars(
            active.where(Tag.listing_id == listings[sku].id).limit(1)).first()
        tags.append(existing or create_tag(listings[sku], store, placement or ""))
    return tags


def print_tags(store: Store, tags: list[Tag], layout_name: str, base_url: str, *,
               heading: str | None = None, offset_mm=(0.0, 0.0), progress=None,
               mark_printed: bool = True) -> bytes:
    """Render the tags as a PDF in a layout and (unless a preview) mark them printed now.

    A look poster of one item adds the items curated to complete its look (tags for them
    at the store are created where missing).
    """
    layout = _layout(layout_name)
    if layout.style == "look-poster" and len(one_per_item(tags)) == 1:
        tags = tags + _look_of(store, tags[0])
    return render_labels(store.retailer, tags, layout_name, base_url,
                         title=f"{store.retailer.name} {store.code} tags", heading=heading,
                         offset_mm=offset_mm, progress=progress, mark_printed=mark_printed)


def _look_of(store: Store, tag: Tag) -> list[Tag]:
    """Tags at the store of the carried items curated to complete a tag's item's look."""
    curated = print_parts.curated_look(tag.listing_id)
    skus = catalog.skus_by_id(store.retailer_id, curated)
    carried = {listing.sku for listing in catalog.listings_by_skus(store.retailer_id,
                                                                   list(skus.values()))
               if listing.discontinued_at is None}
    wanted = [skus[listing_id] for listing_id in curated
              if skus.get(listing_id) in carried][:LOOK_ITEMS - 1]
    return tags_for_print(store, wanted, tag.placement) if wanted else []


def _layout(layout_name: str) -> Layout:
    layout = LAYOUTS.get(layout_name)
    if layout is None:
        raise InvalidInput(f"Unknown layout {layout_name!r}; choose one of "
                           f"{', '.join(LAYOUTS)}.", code="unknown_layout")
    return layout


def _check_offsets(offset_mm) -> None:
    for axis, value in zip("xy", offset_mm, strict=True):
        if not -10 <= value <= 10:
            raise InvalidInput(f"Calibration offset {axis} must be between -10 and 10 mm.")


def _brand(retailer: Retailer) -> dict:
    logo = None
    if retailer.logo is not None and retailer.logo.is_raster_image:
        path = storage.path_for(retailer.logo.filename)
        logo = path.read_bytes() if path else None
    return {"logo": logo, "brand_colour": retailer.primary_colour,
            "accent_colour": retailer.accent_colour}


def _render(layout: Layout, labels: list[LabelContent], **options) -> bytes:
    try:
        pdf, _ = build_pdf(layout, labels, **options)
    except ValueError as error:  # a URL too long for the label's QR
        raise InvalidInput(f"Cannot print on {layout.name}: {error}.",
                           code="label_too_small") from None
    return pdf


def render_labels(retailer: Retailer, tags: list[Tag], layout_name: str, base_url: str, *,
                  title: str, heading: str | None = None, offset_mm=(0.0, 0.0),
                  progress=None, mark_printed: bool = True) -> bytes:
    """Render tags of one retailer (any of its stores) as a PDF; mark them printed unless a
    preview. Posters show each item once, a look poster at most LOOK_ITEMS."""
    layout = _layout(layout_name)
    _check_offsets(offset_mm)
    if layout.style == "counter-card":
        raise InvalidInput("The counter card carries no items: print it for a store without "
                           "choosing items.", code="counter_card_items")
    if not tags:
        raise InvalidInput("Nothing to print.")
    if heading is not None and len(heading) > MAX_HEADING:
        raise InvalidInput(f"The poster title is longer than {MAX_HEADING} characters.")
    if layout.is_poster:
        tags = one_per_item(tags)
    if layout.style == "look-poster" and len(tags) > LOOK_ITEMS:
        raise InvalidInput(f"A look poster shows at most {LOOK_ITEMS} items; "
                           f"{len(tags)} were chosen.", code="too_many_items")
    labels = label_contents(tags, base_url, photos=layout.is_poster)
    pdf = _render(layout, labels, offset_mm=offset_mm, title=title, heading=heading,
                  progress=progress, **_brand(retailer))
    if mark_printed:
        now = utcnow()
        for tag in tags:
            tag.printed_at = now
        db.session.flush()
    return pdf


def print_counter_card(store: Store, layout_name: str, base_url: str, *,
                       offset_mm=(0.0, 0.0)) -> bytes:
    """The counter card (table tent) for a store's tills: its QR opens the shopper's wish
    list and coupons at the store's retailer."""
    layout = _layout(layout_name)
    _check_offsets(offset_mm)
    if layout.style != "counter-card":
        raise InvalidInput(f"{layout_name} is not a counter card.", code="unknown_layout")
    retailer = store.retailer
    url = print_parts.wishlist_url(base_url, retailer.slug)
    card = LabelContent(url, url.split("://", 1)[-1], retailer.name, "")
    return _render(layout, [card], offset_mm=offset_mm,
                   title=f"{retailer.name} {store.code} counter card", **_brand(retailer))


def reassign_tag(tag: Tag, listing: Listing, placement: str | None = None) -> None:
    """Point an active tag at another listing of the same retailer (a shelf reused for a new
    product); past scans keep the listing they were made for."""
    if tag.retired_at is not None:
        raise InvalidInput(f"Tag {tag.code} is retired; print a new tag instead.")
    if listing.retailer_id != tag.store.retailer_id:
        raise InvalidInput("That item belongs to another retailer.")
    refuse_discontinued(listing)
    tag.listing = listing
    if placement is not None:
        placement = placement.strip()
        if len(placement) > 120:
            raise InvalidInput("Placement note is longer than 120 characters.")
        tag.placement = placement
    db.session.flush()


def retire_listing_tags(listing_id: int) -> int:
    """Retire every active tag of a listing (it is no longer carried); return how many."""
    tags = db.session.scalars(select(Tag).where(Tag.listing_id == listing_id,
                                                Tag.retired_at.is_(None))).all()
    for tag in tags:
        retire_tag(tag)
    return len(tags)
