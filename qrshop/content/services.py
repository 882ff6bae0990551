"""Content rules: revisions of a product's page, retailer reviews, the audit log.

Modelled on Wagtail's moderation: a vendor edits a draft, submits it (it is frozen from then
on), and every retailer carrying the product reviews it. Only the revision a retailer approved
is live at that retailer, so a newer submission changes nothing until it is approved too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import func, select

from qrshop.accounts import queries as accounts
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog_queries
from qrshop.catalog import services as catalog_services
from qrshop.content.media import parse_video_link, variants_of
from qrshop.content.models import (
    AuditEntry,
    ContentRevision,
    LiveTranslation,
    Media,
    Review,
    ReviewStatus,
    RevisionStatus,
)
from qrshop.content.rich_text import editor_html_to_clean
from qrshop.content.templates import SLOTS, TEMPLATES, get_template
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import DEFAULT_LOCALE, LOCALES
from qrshop.pagination import Page, paginate
from qrshop.parsing import row_id
from qrshop.web import row_or_none
from qrshop.webhooks.emit import emit_for_listing

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, User
    from qrshop.catalog.models import Listing, Product

MAX_GALLERY = 8
MAX_HIGHLIGHTS = 8
MAX_SPEC_ROWS = 30
MAX_DOCUMENTS = 5


def audit(actor: Optional[User], action: str, *, revision: Optional[ContentRevision] = None,
          retailer_id: Optional[int] = None, detail: str = "") -> AuditEntry:
    """Append one entry to the audit log."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       revision_id=revision.id if revision else None, retailer_id=retailer_id,
                       detail=detail)
    db.session.add(entry)
    return entry


def _text(raw: Any, slot: str, limit: int) -> str:
    value = " ".join(str(raw or "").split())
    if len(value) > limit:
        raise InvalidInput(f"The {SLOTS[slot]} is longer than {limit} characters.")
    return value


def _lines(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(line).strip() for line in raw if str(line).strip()]
    return [line.strip() for line in str(raw or "").splitlines() if line.strip()]


def _ids(raw: Any) -> list[int]:
    if raw in (None, "", []):
        return []
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,]+", str(raw).strip())
    ids = []
    for item in items:
        if str(item).strip() == "":
            continue
        media_id = row_id(item if isinstance(item, int) else str(item))
        if media_id is None:
            raise InvalidInput(f"{str(item)[:40]!r} is not a media id.")
        ids.append(media_id)
    return ids


def _library_item(vendor_id: int, media_id: int, kind: str, slot: str) -> Media:
    media = row_or_none(Media, media_id)
    if media is None or media.vendor_id != vendor_id:
        raise InvalidInput(f"Media #{media_id} for the {SLOTS[slot]} is not in your library.")
    if media.kind != kind:
        raise InvalidInput(f"Media #{media_id} ({media.original_name}) is a {media.kind}, not a "
                           f"{kind}; "
                           f"choose a {kind} for the {SLOTS[slot]}.")
    return media


def image_snapshot(media: Media) -> dict:
    """What a page needs to show an image with srcset, frozen into a revision's slots."""
    variants = variants_of(media)
    return {
        "media_id": media.id, "src": media.filename, "width": media.width,
        "height": media.height, "label": media.original_name, "alt": media.alt_text or "",
        "webp": [[v.width, v.filename] for v in variants if v.extension == "webp"],
        "jpg": [[v.width, v.filename] for v in variants if v.extension == "jpg"],
    }


def normalise_slots(vendor_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a vendor's slot values and freeze them into what a page shows.

    Images are stored with their variant file names and rich text sanitized, so a live page
    needs nothing but the revision row.
    """
    slots: dict[str, Any] = {}
    for slot, limit in (("title", 120), ("tagline", 200)):
        if value := _text(raw.get(slot), slot, limit):
            slots[slot] = value
    if hero := _ids(raw.get("hero_image")):
        slots["hero_image"] = image_snapshot(
            _library_item(vendor_id, hero[0], "image", "hero_image"))
    gallery = _ids(raw.get("gallery"))
    if len(gallery) > MAX_GALLERY:
        raise InvalidInput(f"The gallery holds at most {MAX_GALLERY} images.")
    if gallery:
        slots["gallery"] = [image_snapshot(_library_item(vendor_id, media_id, "image", "gallery"))
                            for media_id in gallery]
    video_url = str(raw.get("video_url") or "").strip()
    video_media = _ids(raw.get("video_media"))
    if video_url:
        link = parse_video_link(video_url)
        slots["video"] = {"provider": link.provider, "id": link.video_id,
                          "embed": link.embed_url}
    elif video_media:
        video = _library_item(vendor_id, video_media[0], "video", "video")
        slots["video"] = {"provider": "mp4", "id": video.id, "src": video.filename}
    description = editor_html_to_clean(str(raw.get("description") or "")[:20_000])
    if description:
        slots["description"] = description
    highlights = [line[:160] for line in _lines(raw.get("highlights"))]
    if len(highlights) > MAX_HIGHLIGHTS:
        raise InvalidInput(f"Give at most {MAX_HIGHLIGHTS} highlights.")
    if highlights:
        slots["highlights"] = highlights
    spec_rows = []
    raw_specs = raw.get("spec_table")
    if isinstance(raw_specs, list) and all(isinstance(r, list | tuple) for r in raw_specs):
        pairs = [(str(r[0]), str(r[1]) if len(r) > 1 else "") for r in raw_specs if r]
    else:
        pairs = [line.partition(":")[::2] for line in _lines(raw_specs)]
    for number, (name, value) in enumerate(pairs, start=1):
        if not name.strip() or not value.strip():
            raise InvalidInput(f"Spec table line {number} needs a name and a value, "
                               "written as 'Name: value'.")
        spec_rows.append([name.strip()[:80], value.strip()[:200]])
    if len(spec_rows) > MAX_SPEC_ROWS:
        raise InvalidInput(f"The spec table holds at most {MAX_SPEC_ROWS} rows.")
    if spec_rows:
        slots["spec_table"] = spec_rows
    documents = _ids(raw.get("documents"))
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(f"Attach at most {MAX_DOCUMENTS} documents.")
    if documents:
        slots["documents"] = [
            {"media_id": doc.id, "src": doc.filename, "label": doc.original_name or "Document",
             "size_kb": max(1, doc.size_bytes // 1024)}
            for doc in (_library_item(vendor_id, m, "document", "documents") for m in documents)
        ]
    return slots


def revision_form_values(revision: ContentRevision) -> dict[str, Any]:
    """A revision's slots as the values of the edit form."""
    slots = revision.slots
    video = slots.get("video") or {}
    return {
        "title": slots.get("title", ""), "tagline": slots.get("tagline", ""),
        "hero_image": str(slots["hero_image"]["media_id"]) if slots.get("hero_image") else "",
        "gallery": [str(i["media_id"]) for i in slots.get("gallery", [])],
        "video_url": "" if video.get("provider") in (None, "mp4") else (
            f"https://www.youtube.com/watch?v={video['id']}" if video["provider"] == "youtube"
            else f"https://vimeo.com/{video['id']}"),
        "video_media": str(video["id"]) if video.get("provider") == "mp4" else "",
        "description": slots.get("description", ""),
        "highlights": "\n".join(slots.get("highlights", [])),
        "spec_table": "\n".join(f"{n}: {v}" for n, v in slots.get("spec_table", [])),
        "documents": [str(d["media_id"]) for d in slots.get("documents", [])],
    }


def create_draft(product: Product, author: User, raw: dict[str, Any],
                 locale: str = DEFAULT_LOCALE) -> ContentRevision:
    """Start a new draft revision of a product's content in a shoppers' language."""
    if locale not in LOCALES:
        raise InvalidInput(f"Choose the language of the content: one of {', '.join(LOCALES)}.",
                           code="invalid_locale")
    number = (db.session.scalar(select(func.max(ContentRevision.number))
                                .where(ContentRevision.product_id == product.id)) or 0) + 1
    revision = ContentRevision(product=product, number=number, created_by_id=author.id,
                               status=RevisionStatus.DRAFT.value, locale=locale,
                               slots=normalise_slots(product.vendor_id, raw))
    db.session.add(revision)
    db.session.flush()
    audit(author, "revision.created", revision=revision)
    return revision


def update_draft(revision: ContentRevision, author: User, raw: dict[str, Any]) -> None:
    """Change a draft's slots; submitted revisions are immutable."""
    if not revision.is_draft:
        raise InvalidInput(f"Revision {revision.number} was submitted and can no longer change; "
                           "start a new draft instead.", code="immutable", status_code=409)
    revision.slots = normalise_slots(revision.product.vendor_id, raw)
    audit(author, "revision.edited", revision=revision)
    db.session.flush()


def carrying_listings(product_id: int) -> list[Listing]:
    """The listings of every retailer carrying a product (discontinued ones are not)."""
    return catalog_queries.carrying_listings(product_id)


def template_name_for(listing: Listing) -> str:
    """The template a listing's page uses: its own choice, else the retailer's default."""
    return listing.template or listing.retailer.default_template


def submit_revision(revision: ContentRevision, author: User) -> list[Review]:
    """Submit a draft for review by each retailer carrying the product; it is frozen after."""
    if not revision.is_draft:
        raise InvalidInput(f"Revision {revision.number} was already submitted.",
                           code="immutable", status_code=409)
    listings = carrying_listings(revision.product_id)
    if not listings:
        raise InvalidInput("No retailer carries this product yet, so there is no one to review "
                           "it.", code="no_retailer", status_code=409)
    for listing in listings:
        template = TEMPLATES.get(template_name_for(listing))
        missing = template.missing(revision.slots) if template else []
        if missing:
            names = ", ".join(SLOTS[slot] for slot in missing)
            raise InvalidInput(
                f"Add the {names}: the {template.label} template that "
                f"{listing.retailer.name} uses for this product requires it.",
                code="missing_slot")
    revision.status = RevisionStatus.SUBMITTED.value
    revision.submitted_at = utcnow()
    reviews = []
    for listing in listings:
        # An older submission in the same language still waiting at this retailer is
        # replaced by this one.
        for older in db.session.scalars(
            select(Review).join(ContentRevision, ContentRevision.id == Review.revision_id)
            .where(ContentRevision.product_id == revision.product_id,
                   ContentRevision.locale == revision.locale,
                   Review.retailer_id == listing.retailer_id,
                   Review.status == ReviewStatus.PENDING.value)
        ):
            older.status = ReviewStatus.SUPERSEDED.value
        review = Review(revision=revision, retailer_id=listing.retailer_id,
                        status=ReviewStatus.PENDING.value)
        db.session.add(review)
        reviews.append(review)
        audit(author, "revision.submitted", revision=revision, retailer_id=listing.retailer_id)
    db.session.flush()
    for listing in listings:
        _emit_review(revision, listing, "content.submitted", "pending", "")
    return reviews


def _emit_review(revision: ContentRevision, listing: Optional[Listing], event_type: str,
                 status: str, comment: str) -> None:
    """A content.* webhook event about a revision at one retailer carrying it."""
    if listing is not None:
        emit_for_listing(event_type, listing_id=listing.id, revision=revision.id,
                         revision_number=revision.number, vendor=revision.product.vendor.slug,
                         status=status, comment=comment)


def review_for_merchandiser(review_id: int, user: User) -> Review:
    """A review in this merchandiser's queue; anything else is 404 (no hint it exists)."""
    review = row_or_none(Review, review_id)
    if review is None or user.role != Role.MERCHANDISER or review.retailer_id != user.retailer_id:
        raise InvalidInput("No such review.", code="not_found", status_code=404)
    carried = catalog_queries.listing_for_product(review.retailer_id,
                                                  review.revision.product_id)
    if carried is None:
        raise InvalidInput("No such review.", code="not_found", status_code=404)
    return review


def decide_review(review: Review, reviewer: User, *, approve: bool, comment: str) -> None:
    """Approve (the revision goes live at this retailer) or request changes with a comment."""
    if review.retailer_id != reviewer.retailer_id or reviewer.role != Role.MERCHANDISER:
        raise InvalidInput("Only this retailer's merchandisers can decide.", code="forbidden",
                           status_code=403)
    if review.status != ReviewStatus.PENDING:
        raise InvalidInput(f"This review was already closed ({review.status.replace('_', ' ')}).",
                           code="already_decided", status_code=409)
    comment = (comment or "").strip()[:2000]
    if not approve and not comment:
        raise InvalidInput("Say what should change, so the vendor can fix it.")
    review.status = (ReviewStatus.APPROVED if approve else ReviewStatus.CHANGES_REQUESTED).value
    review.comment = comment
    review.decided_by_id = reviewer.id
    review.decided_at = utcnow()
    listing = catalog_queries.listing_for_product(review.retailer_id,
                                                  review.revision.product_id)
    if approve and listing is not None:
        _go_live(listing, review.revision)
    audit(reviewer, "review.approved" if approve else "review.changes_requested",
          revision=review.revision, retailer_id=review.retailer_id, detail=comment)
    db.session.flush()
    _emit_review(review.revision, listing,
                 "content.approved" if approve else "content.changes_requested",
                 review.status, comment)


def _go_live(listing: Listing, revision: ContentRevision) -> None:
    """Show an approved revision to the listing's shoppers of its language: as the live
    revision if that is the retailer's default language (every language without its own
    content falls back to it), else as that language's LiveTranslation."""
    if revision.locale == listing.retailer.default_language:
        catalog_services.set_live_revision(listing, revision.id)
        return
    live = db.session.get(LiveTranslation, (listing.id, revision.locale))
    if live is None:
        db.session.add(LiveTranslation(listing_id=listing.id, locale=revision.locale,
                                       revision_id=revision.id))
    else:
        live.revision_id = revision.id
    db.session.flush()


def retailers_showing(revision: ContentRevision) -> set[int]:
    """The retailers whose landing pages show this revision: as the live revision (the
    default language's) or as a language's LiveTranslation."""
    listings = carrying_listings(revision.product_id)
    translated = set(db.session.scalars(select(LiveTranslation.listing_id).where(
        LiveTranslation.revision_id == revision.id)))
    return {listing.retailer_id for listing in listings
            if listing.live_revision_id == revision.id or listing.id in translated}


def review_queue_page(user: User, q: str, *, decided: bool, page: int, per_page: int) -> Page:
    """A page of the merchandiser's pending (or decided) reviews matching q, newest first.

    q matches the product's name, brand or GTIN, or the vendor's name.
    """
    facts, vendors = catalog_queries.listing_facts(), accounts.vendor_names()
    listing, vendor = facts.c, vendors.c
    query = (
        select(Review)
        .join(ContentRevision, ContentRevision.id == Review.revision_id)
        .join(facts, (listing.product_id == ContentRevision.product_id)
              & (listing.retailer_id == Review.retailer_id))
        .join(vendors, vendor.vendor_id == listing.vendor_id)
        .where(Review.retailer_id == user.retailer_id)
    )
    if decided:
        query = query.where(Review.status.in_((ReviewStatus.APPROVED.value,
                                               ReviewStatus.CHANGES_REQUESTED.value)))
    else:
        query = query.where(Review.status == ReviewStatus.PENDING.value)
    condition = catalog_queries.product_search(q, listing.product_name, listing.product_brand,
                                               vendor.vendor_name, gtin=listing.gtin)
    if condition is not None:
        query = query.where(condition)
    return paginate(query.order_by(Review.id.desc()), page, per_page=per_page, query=q)


def set_templates(retailer: Retailer, actor: User, enabled: Iterable[str], default: str) -> None:
    """Choose which templates a retailer allows and its default."""
    names = [get_template(name).name for name in enabled]
    if not names:
        raise InvalidInput("Enable at least one template.")
    if get_template(default).name not in names:
        raise InvalidInput(f"The default template {default!r} must be one of those enabled.")
    retailer.enabled_templates = names
    retailer.default_template = default
    audit(actor, "retailer.templates", retailer_id=retailer.id,
          detail=f"enabled={','.join(names)} default={default}")
    db.session.flush()


def set_listing_template(listing: Listing, actor: User, name: Optional[str]) -> None:
    """Use a template for one listing (None: the retailer's default)."""
    if name:
        get_template(name)
        if name not in listing.retailer.enabled_templates:
            raise InvalidInput(f"The {TEMPLATES[name].label} template is not enabled for "
                               f"{listing.retailer.name}.")
    catalog_services.set_listing_template(listing, name or None)
    audit(actor, "listing.template", retailer_id=listing.retailer_id,
          detail=f"listing={listing.id} template={name or 'default'}")
    db.session.flush()
