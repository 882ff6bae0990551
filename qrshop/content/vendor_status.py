"""The vendor's content dashboard: what is missing, waiting for the vendor, and waiting for
retailers, across every product and every retailer carrying it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select

from qrshop.catalog import queries as catalog_queries
from qrshop.content.models import ContentRevision, Review, ReviewStatus
from qrshop.extensions import db


@dataclass(frozen=True)
class Waiting:
    """A product at one retailer, and the revision concerned (if any)."""

    product_id: int
    product_name: str
    retailer_name: str
    revision_id: Optional[int] = None
    revision_number: Optional[int] = None
    comment: str = ""


@dataclass
class ContentStatus:
    """The dashboard's three lists and the number of drafts ready to submit."""

    without_live: list[Waiting] = field(default_factory=list)
    changes_requested: list[Waiting] = field(default_factory=list)
    pending: list[Waiting] = field(default_factory=list)
    drafts: int = 0


def content_status(vendor_id: int) -> ContentStatus:
    """Per product and carrying retailer: no live content yet; the newest decision asks for
    changes (and nothing newer was submitted); a submission waits for review."""
    status = ContentStatus()
    products = catalog_queries.vendor_products(vendor_id)
    if not products:
        return status
    by_id = {p.id: p for p in products}
    reviews = list(db.session.execute(
        select(Review, ContentRevision.product_id, ContentRevision.number)
        .join(ContentRevision, ContentRevision.id == Review.revision_id)
        .where(ContentRevision.product_id.in_(by_id))
        .order_by(ContentRevision.number.desc())))
    newest: dict[tuple[int, int], tuple[Review, int]] = {}
    for review, product_id, number in reviews:
        if review.status != ReviewStatus.SUPERSEDED.value:
            newest.setdefault((product_id, review.retailer_id), (review, number))
    status.drafts = len(set(db.session.scalars(select(ContentRevision.product_id).where(
        ContentRevision.product_id.in_(by_id), ContentRevision.status == "draft"))))
    for product in products:
        for listing in catalog_queries.carrying_listings(product.id):
            retailer = listing.retailer.name
            if listing.live_revision_id is None:
                status.without_live.append(Waiting(product.id, product.name, retailer))
            found = newest.get((product.id, listing.retailer_id))
            if found is None:
                continue
            review, number = found
            item = Waiting(product.id, product.name, retailer, review.revision_id, number,
                           review.comment)
            if review.status == ReviewStatus.CHANGES_REQUESTED.value:
                status.changes_requested.append(item)
            elif review.status == ReviewStatus.PENDING.value:
                status.pending.append(item)
    return status
