"""Shoppers' feedback on a listing, and its reports for the retailer and the vendor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import case, func, select

from qrshop.accounts.models import Retailer
from qrshop.catalog.models import Listing, Product
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.feedback.models import Feedback

MAX_COMMENT_LENGTH = 1000


def leave_feedback(
    *, shopper_id: str, listing_id: int, store_id: int, rating=None, is_helpful=None,
    comment: str = "",
) -> Feedback:
    """Record (or replace) a shopper's feedback on a listing."""
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise InvalidInput("Choose from 1 to 5 stars.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"Keep the comment under {MAX_COMMENT_LENGTH} characters.")
    if rating is None and is_helpful is None and not comment:
        raise InvalidInput("Choose stars, answer the question or write a comment.")
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
    if comment:
        feedback.comment = comment
    feedback.store_id = store_id
    db.session.flush()
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


def feedback_by_listing(retailer_id: int, *, comments_per_listing: int = 5) -> list:
    """Per listing of a retailer that has feedback: stars, helpfulness and latest comments."""
    rows = db.session.execute(
        select(Listing.id, Product.name, Listing.sku, func.count(Feedback.rating),
               func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(Listing, Listing.id == Feedback.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == retailer_id)
        .group_by(Listing.id, Product.name, Listing.sku)
        .order_by(Product.name)
    ).all()
    result = []
    for listing_id, product, sku, ratings, average, helpful, not_helpful in rows:
        comments = db.session.execute(
            select(Feedback.comment, Feedback.rating, Feedback.updated_at)
            .where(Feedback.listing_id == listing_id, Feedback.comment != "")
            .order_by(Feedback.updated_at.desc())
            .limit(comments_per_listing)
        ).all()
        result.append(ListingFeedback(
            listing_id, product, sku, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful), [tuple(c) for c in comments],
        ))
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
    rows = db.session.execute(
        select(Listing.id, Product.name, Product.gtin, Retailer.name, func.count(Feedback.rating),
               func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(Listing, Listing.id == Feedback.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .join(Retailer, Retailer.id == Listing.retailer_id)
        .where(Product.vendor_id == vendor_id)
        .group_by(Listing.id, Product.name, Product.gtin, Retailer.name)
        .order_by(Product.name, Retailer.name)
    ).all()
    result = []
    for listing_id, product, gtin, retailer, ratings, average, helpful, not_helpful in rows:
        comments = db.session.execute(
            select(Feedback.comment, Feedback.rating)
            .where(Feedback.listing_id == listing_id, Feedback.comment != "")
            .order_by(Feedback.updated_at.desc())
            .limit(comments_per_row)
        ).all()
        result.append(ProductFeedback(
            product, gtin, retailer, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful), [tuple(c) for c in comments],
        ))
    return result
