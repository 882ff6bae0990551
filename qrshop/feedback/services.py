"""Shoppers' feedback on a listing, and its reports for the retailer and the vendor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from sqlalchemy import case, func, select

from qrshop.accounts import queries as accounts
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.feedback.models import CommentStatus, Feedback
from qrshop.i18n import N_
from qrshop.pagination import Page, paginate, search_condition
from qrshop.webhooks.emit import emit_for_listing

MAX_COMMENT_LENGTH = 1000
COMMENT_TOO_LONG = "comment_too_long"  # the refusal's code: its message goes by the comment


def leave_feedback(
    *, shopper_id: str, listing_id: int, store_id: int, rating=None, is_helpful=None,
    comment: str = "",
) -> Feedback:
    """Record (or replace) a shopper's feedback on a listing."""
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise InvalidInput(N_("Choose from 1 to 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(N_("Keep the comment to %(limit)s characters; it has %(length)s."),
                           values={"limit": MAX_COMMENT_LENGTH, "length": len(comment)},
                           code=COMMENT_TOO_LONG)
    if rating is None and is_helpful is None and not comment:
        raise InvalidInput(N_("Choose stars, answer the question or write a comment."),
                           code="empty_feedback")
    insert_ignoring_duplicates(
        Feedback,
        {"shopper_id": shopper_id, "listing_id": listing_id, "store_id": store_id,
         "comment": "", "created_at": utcnow(), "updated_at": utcnow()},
        ["shopper_id", "listing_id"],
    )
    feedback = db.session.scalar(
        select(Feedback).where(Feedback.shopper_id == shopper_id,
                               Feedback.listing_id == listing_id)
    )
    if rating is not None:
        feedback.rating = rating
    if is_helpful is not None:
        feedback.is_helpful = is_helpful
    if comment and comment != feedback.comment:
        feedback.comment = comment
        # A new or changed comment waits for the merchandiser again (feedback.reviews).
        feedback.comment_status = CommentStatus.PENDING.value
        feedback.moderated_at = feedback.moderated_by_id = None
    feedback.store_id = store_id
    db.session.flush()
    emit_for_listing("feedback.created", listing_id=listing_id, store_id=store_id,
                     shopper_id=shopper_id, rating=feedback.rating,
                     is_helpful=feedback.is_helpful, comment=feedback.comment)
    return feedback


@dataclass(frozen=True)
class ListingFeedback:
    """Feedback on one listing, summed up for the console."""

    listing_id: int
    product: str
    sku: str
    ratings: int
    average_rating: Optional[float]
    helpful: int
    not_helpful: int
    comments: list


def feedback_by_listing(retailer_id: int, *, page: int = 1, query: str = "",
                        comments_per_listing: int = 5) -> Page:
    """One page of the retailer's listings that have feedback, by product name: stars,
    helpfulness and latest comments (ListingFeedback rows); query matches name or SKU."""
    facts = catalog.listing_facts()
    listing = facts.c
    statement = (
        select(listing.listing_id, listing.product_name, listing.sku,
               func.count(Feedback.rating), func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(facts, listing.listing_id == Feedback.listing_id)
        .where(listing.retailer_id == retailer_id)
        .group_by(listing.listing_id, listing.product_name, listing.sku)
        .order_by(listing.product_name, listing.listing_id)
    )
    if query:
        statement = statement.where(search_condition(query, listing.product_name, listing.sku))
    found = paginate(statement, page, query=query, scalars=False)
    comments = _latest_comments([row[0] for row in found.rows], comments_per_listing)
    rows = [
        ListingFeedback(
            listing_id, product, sku, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful), comments.get(listing_id, []),
        )
        for listing_id, product, sku, ratings, average, helpful, not_helpful in found.rows
    ]
    return replace(found, rows=rows)


def _latest_comments(listing_ids: list[int], per_listing: int) -> dict[int, list[tuple]]:
    """{listing_id: its latest comments (comment, rating, updated_at, moderation status)},
    in one query."""
    if not listing_ids:
        return {}
    ranked = (
        select(Feedback.listing_id, Feedback.comment, Feedback.rating, Feedback.updated_at,
               Feedback.comment_status,
               func.row_number().over(partition_by=Feedback.listing_id,
                                      order_by=(Feedback.updated_at.desc(),
                                                Feedback.id.desc())).label("rank"))
        .where(Feedback.listing_id.in_(listing_ids), Feedback.comment != "")
        .subquery()
    )
    result: dict[int, list[tuple]] = {}
    for listing_id, comment, rating, at, status in db.session.execute(
        select(ranked.c.listing_id, ranked.c.comment, ranked.c.rating, ranked.c.updated_at,
               ranked.c.comment_status)
        .where(ranked.c.rank <= per_listing)
        .order_by(ranked.c.listing_id, ranked.c.rank)
    ):
        result.setdefault(listing_id, []).append((comment, rating, at, status))
    return result


@dataclass(frozen=True)
class ProductFeedback:
    """Feedback on one product at one retailer, summed up for its vendor."""

    product: str
    gtin: str
    retailer: str
    ratings: int
    average_rating: Optional[float]
    helpful: int
    not_helpful: int
    comments: list


def feedback_for_vendor(vendor_id: int, *, comments_per_row: int = 5) -> list:
    """Per product of a vendor and retailer carrying it: stars, helpfulness, latest comments.

    Only aggregates and comment text: never which shopper or store said it.
    """
    facts, names = catalog.listing_facts(), accounts.retailer_names()
    listing, retailer = facts.c, names.c
    rows = db.session.execute(
        select(listing.listing_id, listing.product_name, listing.gtin, retailer.retailer_name,
               func.count(Feedback.rating), func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(facts, listing.listing_id == Feedback.listing_id)
        .join(names, retailer.retailer_id == listing.retailer_id)
        .where(listing.vendor_id == vendor_id)
        .group_by(listing.listing_id, listing.product_name, listing.gtin,
                  retailer.retailer_name)
        .order_by(listing.product_name, retailer.retailer_name)
    ).all()
    comments = _latest_comments([row[0] for row in rows], comments_per_row)
    return [
        ProductFeedback(
            product, gtin, retailer, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful),
            [(comment, rating, status)
             for comment, rating, _, status in comments.get(listing_id, [])],
        )
        for listing_id, product, gtin, retailer, ratings, average, helpful, not_helpful in rows
    ]
