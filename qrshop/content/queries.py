"""Reading content from other features: what a live revision shows, by revision id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from qrshop.content.models import ContentRevision, Review, ReviewStatus
from qrshop.extensions import db


def hero_thumbnails(revision_ids: Iterable[int]) -> dict[int, dict]:
    """{revision_id: its hero image's smallest variants} for revisions that have one:
    {"jpg": name, "webp": name or None, "width", "height"} (the stored variant names)."""
    wanted = {revision_id for revision_id in revision_ids if revision_id is not None}
    if not wanted:
        return {}
    thumbnails = {}
    for revision_id, slots in db.session.execute(
            select(ContentRevision.id, ContentRevision.slots)
            .where(ContentRevision.id.in_(wanted))):
        hero = (slots or {}).get("hero_image")
        if not hero or not hero.get("jpg"):
            continue
        thumbnails[revision_id] = {
            "jpg": hero["jpg"][0][1], "webp": hero["webp"][0][1] if hero.get("webp") else None,
            "width": hero.get("width"), "height": hero.get("height"),
        }
    return thumbnails


def reviews_waiting(retailer_id: int) -> int:
    """How many content revisions wait for the retailer's review (the console home's alert)."""
    return db.session.scalar(select(func.count()).select_from(Review).where(
        Review.retailer_id == retailer_id, Review.status == ReviewStatus.PENDING.value)) or 0


def approved_revisions(product_id: int, retailer_id: int) -> list[ContentRevision]:
    """The product's revisions this retailer approved, newest first (an experiment may show
    any of them)."""
    return list(db.session.scalars(
        select(ContentRevision)
        .join(Review, Review.revision_id == ContentRevision.id)
        .where(ContentRevision.product_id == product_id, Review.retailer_id == retailer_id,
               Review.status == ReviewStatus.APPROVED.value)
        .order_by(ContentRevision.number.desc())))
