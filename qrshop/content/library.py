"""The vendor's media library: search, where each file is used, alt text and captions,
deleting an unused file, replacing a file without touching what shoppers see.

A revision freezes its images into its slots (file names, sizes, alt text, caption), so a live
page never reads the media table. That decides the rules here:

- Alt text and captions live on the media row; a draft picks them up when it is submitted
  (`freeze_image_text`), and submitting is refused while an image it uses has no alt text.
- Delete removes the library row (and its variants' rows) only when no draft, pending or live
  revision uses the file; the stored bytes stay (content-addressed, maybe shared, and old
  revisions may still name them).
- Replace stores the new upload as a new media row (same checks as any upload). Drafts using
  the old file are switched to the new one; a live or pending revision is never changed (it is
  frozen and reviewed): a new draft copying it with the new file is proposed instead, for the
  vendor to submit. Live pages keep showing the old file until a retailer approves the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from qrshop.catalog import queries as catalog_queries
from qrshop.content import media as media_files
from qrshop.content.models import (
    ContentRevision,
    LiveTranslation,
    Media,
    MediaVariant,
    Review,
    ReviewStatus,
    RevisionStatus,
)
from qrshop.errors import InvalidInput
from qrshop.extensions import db

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import User

ALT_MAX, CAPTION_MAX = 300, 300
KIND_FILTERS = {"image": "image", "video": "video", "pdf": "document"}


def image_snapshot(media: Media) -> dict:
    """What a page needs to show an image with srcset, frozen into a revision's slots."""
    variants = media_files.variants_of(media)
    return {
        "media_id": media.id, "src": media.filename, "width": media.width,
        "height": media.height, "label": media.original_name,
        "alt": media.alt_text, "caption": media.caption,
        "webp": [[v.width, v.filename] for v in variants if v.extension == "webp"],
        "jpg": [[v.width, v.filename] for v in variants if v.extension == "jpg"],
    }


def media_ids_in(slots: dict[str, Any]) -> list[int]:
    """Every library file a revision's slots name, in page order."""
    ids = []
    if hero := slots.get("hero_image"):
        ids.append(hero["media_id"])
    ids += [image["media_id"] for image in slots.get("gallery", [])]
    video = slots.get("video") or {}
    if video.get("provider") == "mp4":
        ids.append(video["id"])
    ids += [doc["media_id"] for doc in slots.get("documents", [])]
    return ids


def image_ids_in(slots: dict[str, Any]) -> list[int]:
    """The images (hero and gallery) a revision's slots show."""
    ids = [slots["hero_image"]["media_id"]] if slots.get("hero_image") else []
    return ids + [image["media_id"] for image in slots.get("gallery", [])]


def search(vendor_id: int, q: str = "", kind: str = "") -> list[Media]:
    """A vendor's library, newest first, matching q in name, alt text or caption, of a kind
    (image, video, pdf; anything else means every kind)."""
    query = select(Media).where(Media.vendor_id == vendor_id)
    if q := q.strip()[:100]:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Media.original_name).like(pattern),
                                func.lower(Media.alt_text).like(pattern),
                                func.lower(Media.caption).like(pattern)))
    if kind in KIND_FILTERS:
        query = query.where(Media.kind == KIND_FILTERS[kind])
    return list(db.session.scalars(query.order_by(Media.id.desc())))


def owned_media(media_id: Optional[int], vendor_id: int) -> Media:
    """A file of this vendor's library; another vendor's (or none) is 404."""
    item = db.session.get(Media, media_id) if media_id else None
    if item is None or item.vendor_id != vendor_id:
        from flask import abort  # a view-facing helper, as web.row_or_none's callers do

        abort(404, description="No such file in your library.")
    return item


@dataclass(frozen=True)
class Use:
    """A revision that uses a file, and where it stands."""

    revision_id: int
    number: int
    product_id: int
    product_name: str
    state: str  # draft, pending, live, old

    @property
    def blocks_delete(self) -> bool:
        """Deleting the file would break this revision (being edited, reviewed or shown)."""
        return self.state != "old"

    def __str__(self) -> str:
        return f"{self.product_name} revision {self.number} ({self.state})"


def uses_by_media(vendor_id: int) -> dict[int, list[Use]]:
    """Every file of a vendor's library that some revision uses -> those revisions."""
    products = {p.id: p for p in catalog_queries.vendor_products(vendor_id)}
    if not products:
        return {}
    revisions = list(db.session.scalars(select(ContentRevision).where(
        ContentRevision.product_id.in_(products)).order_by(ContentRevision.product_id,
                                                          ContentRevision.number)))
    ids = [r.id for r in revisions]
    live = set(db.session.scalars(select(ContentRevision.id).where(
        ContentRevision.id.in_(ids), or_(
            ContentRevision.id.in_(catalog_queries.live_revision_ids()),
            ContentRevision.id.in_(select(LiveTranslation.revision_id))))))
    pending = set(db.session.scalars(select(Review.revision_id).where(
        Review.revision_id.in_(ids), Review.status == ReviewStatus.PENDING.value)))
    uses: dict[int, list[Use]] = {}
    for revision in revisions:
        state = ("draft" if revision.is_draft else "live" if revision.id in live
                 else "pending" if revision.id in pending else "old")
        use = Use(revision.id, revision.number, revision.product_id,
                  products[revision.product_id].name, state)
        for media_id in dict.fromkeys(media_ids_in(revision.slots or {})):
            uses.setdefault(media_id, []).append(use)
    return uses


def set_text(item: Media, alt_text: str, caption: str) -> None:
    """Set an image's alt text and caption (plain text; the page escapes it)."""
    alt_text, caption = " ".join(alt_text.split()), " ".join(caption.split())
    if len(alt_text) > ALT_MAX or len(caption) > CAPTION_MAX:
        raise InvalidInput(f"Keep alt text and caption to {ALT_MAX} characters each.",
                           code="too_long")
    if item.kind != "image" and alt_text:
        raise InvalidInput("Alt text is for images; give a video or PDF a caption.",
                           code="not_an_image")
    item.alt_text, item.caption = alt_text, caption
    db.session.flush()


def delete_media(item: Media) -> None:
    """Remove a file from the library, refused (409, with the list) while a draft, pending or
    live revision uses it."""
    blocking = [use for use in uses_by_media(item.vendor_id).get(item.id, [])
                if use.blocks_delete]
    if blocking:
        raise InvalidInput(
            f"{item.original_name or 'This file'} is still used by "
            + "; ".join(str(use) for use in blocking)
            + ". Replace it there (or use Replace here) before deleting it.",
            code="media_in_use", status_code=409)
    savepoint = db.session.begin_nested()
    try:
        db.session.execute(delete(MediaVariant).where(MediaVariant.media_id == item.id))
        db.session.delete(item)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:  # named elsewhere, e.g. as a retailer's logo
        savepoint.rollback()
        raise InvalidInput(f"{item.original_name or 'This file'} is in use elsewhere (a "
                           "retailer's logo) and cannot be deleted.", code="media_in_use",
                           status_code=409) from None


def _swap(slots: dict[str, Any], old: Media, new: Media) -> dict[str, Any]:
    """The slots with every use of `old` pointing at `new`."""
    slots = dict(slots)
    if (slots.get("hero_image") or {}).get("media_id") == old.id:
        slots["hero_image"] = image_snapshot(new)
    if "gallery" in slots:
        slots["gallery"] = [image_snapshot(new) if image["media_id"] == old.id else image
                            for image in slots["gallery"]]
    video = slots.get("video") or {}
    if video.get("provider") == "mp4" and video.get("id") == old.id:
        slots["video"] = {"provider": "mp4", "id": new.id, "src": new.filename}
    if "documents" in slots:
        slots["documents"] = [
            {"media_id": new.id, "src": new.filename, "label": doc["label"],
             "size_kb": max(1, new.size_bytes // 1024)} if doc["media_id"] == old.id else doc
            for doc in slots["documents"]]
    return slots


def replace_media(item: Media, data: bytes, filename: str, author: User
                  ) -> tuple[Media, list[ContentRevision]]:
    """Store `data` as the replacement of `item`; switch drafts to it and propose a new draft
    for each product whose live or pending revision uses `item`. Returns the new file and the
    drafts changed or created."""
    new = media_files.ingest(data, filename, item.vendor_id, kinds=(item.kind,),
                             refusal=f"Replace a {item.kind} with a {item.kind}.")
    if new.id == item.id:
        raise InvalidInput("That is the same file; nothing to replace.", code="same_file",
                           status_code=409)
    new.alt_text = new.alt_text or item.alt_text
    new.caption = new.caption or item.caption
    if new.kind == "image":
        new.original_name = new.original_name or item.original_name
    uses = uses_by_media(item.vendor_id).get(item.id, [])
    changed: dict[int, ContentRevision] = {}
    for use in uses:
        if use.state == "draft":
            draft = db.session.get(ContentRevision, use.revision_id)
            draft.slots = _swap(draft.slots, item, new)
            changed[draft.id] = draft
    proposed_for = {d.product_id for d in changed.values()}
    for use in reversed(uses):  # the newest live or pending revision of each product
        if use.state in ("live", "pending") and use.product_id not in proposed_for:
            source = db.session.get(ContentRevision, use.revision_id)
            number = (db.session.scalar(select(func.max(ContentRevision.number)).where(
                ContentRevision.product_id == use.product_id)) or 0) + 1
            draft = ContentRevision(product_id=use.product_id, number=number,
                                    created_by_id=author.id, locale=source.locale,
                                    status=RevisionStatus.DRAFT.value,
                                    slots=_swap(source.slots, item, new))
            db.session.add(draft)
            db.session.flush()
            changed[draft.id] = draft
            proposed_for.add(use.product_id)
    db.session.flush()
    return new, list(changed.values())


def freeze_image_text(revision: ContentRevision) -> None:
    """Before a draft is submitted: refuse (422, naming them) while an image it shows has no
    alt text; else copy each image's current alt text and caption into its slots."""
    slots = revision.slots or {}
    ids = image_ids_in(slots)
    if not ids:
        return
    items = {m.id: m for m in db.session.scalars(select(Media).where(Media.id.in_(ids)))}
    missing = [items[i] for i in dict.fromkeys(ids) if i in items and not items[i].alt_text]
    if missing:
        names = ", ".join(m.original_name or m.filename for m in missing)
        raise InvalidInput(f"Add alt text to {names} in the media library before submitting: "
                           "shoppers using screen readers hear it instead of the picture.",
                           code="missing_alt_text")

    def fresh(image: dict) -> dict:
        media = items.get(image["media_id"])
        return {**image, "alt": media.alt_text, "caption": media.caption} if media else image

    slots = dict(slots)
    if slots.get("hero_image"):
        slots["hero_image"] = fresh(slots["hero_image"])
    if slots.get("gallery"):
        slots["gallery"] = [fresh(image) for image in slots["gallery"]]
    revision.slots = slots
