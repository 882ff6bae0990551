"""/api/v1/content: a vendor reads its revisions and each retailer's status of them; a
merchandiser reads its review queue and decides (the same rules as the console's review)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, or_, select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import iso_utc
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.catalog.services import normalise_gtin
from qrshop.content import services
from qrshop.content.models import ContentRevision, Review, ReviewStatus, RevisionStatus
from qrshop.errors import InvalidInput
from qrshop.web import row_or_none

# A revision's status at one retailer. live: approved and what that retailer's page shows.
RetailerStatus = Literal["pending", "approved", "changes_requested", "superseded", "live"]


class RetailerReview(BaseModel):
    """Where a submitted revision stands at one retailer carrying the product."""

    model_config = ConfigDict(title="RetailerReview")

    retailer: str = Field(description="The retailer's slug.")
    retailer_name: str
    status: RetailerStatus
    comment: str = Field(description="The reviewer's note (changes requested, approved).")
    decided_at: Optional[datetime]


class RevisionOut(BaseModel):
    """One revision of a product's content and its status at every retailer."""

    model_config = ConfigDict(title="ContentRevision")

    id: int
    gtin: str
    product: str
    number: int
    status: Literal["draft", "submitted"]
    locale: Literal["en", "es", "fr"] = Field(
        description="The shoppers' language it is written in; approved per language.")
    created_at: datetime
    submitted_at: Optional[datetime]
    slots: dict[str, Any]
    retailers: list[RetailerReview] = Field(description="Empty for a draft.")


class RevisionsQuery(CursorQuery):
    """Filters of the revision list."""

    product: Optional[str] = Field(None, max_length=20, description="The product's GTIN.")
    status: Optional[Literal["draft", "pending", "approved", "changes_requested",
                             "superseded", "live"]] = Field(
        None, description="draft, or revisions with this status at any retailer.")


class ReviewOut(BaseModel):
    """A revision waiting for (or given) this retailer's decision."""

    model_config = ConfigDict(title="ContentReview")

    id: int
    revision_id: int
    revision_number: int
    gtin: str
    product: str
    sku: str
    status: Literal["pending", "approved", "changes_requested", "superseded"]
    live: bool = Field(description="This revision is what your page shows.")
    comment: str
    submitted_at: Optional[datetime]
    decided_at: Optional[datetime]
    slots: dict[str, Any]


class ReviewsQuery(CursorQuery):
    """Filters of the review queue."""

    status: Literal["pending", "approved", "changes_requested", "superseded"] = Field(
        "pending", description="pending (the queue; default), approved, changes_requested or "
                               "superseded (replaced by a newer submission before a decision).")


class Decision(BaseModel):
    """A review decision."""

    model_config = ConfigDict(title="ReviewDecision", extra="forbid")

    decision: Literal["approve", "request_changes"]
    note: str = Field("", max_length=2000, description="For the vendor; required with "
                      "request_changes.")


RevisionPage = page_model(RevisionOut, "ContentRevisionPage")
ReviewPage = page_model(ReviewOut, "ContentReviewPage")


def _retailer_status(review: Review, live_at: set[int]) -> str:
    if review.status == ReviewStatus.APPROVED and review.retailer_id in live_at:
        return "live"
    return review.status


def revision_json(revision: ContentRevision) -> dict:
    """The API shape of a revision, with its status at each retailer (a vendor's view)."""
    product = revision.product
    live_at = services.retailers_showing(revision)
    return {
        "id": revision.id, "gtin": product.gtin, "product": product.name,
        "number": revision.number, "status": revision.status, "locale": revision.locale,
        "created_at": iso_utc(revision.created_at),
        "submitted_at": iso_utc(revision.submitted_at), "slots": revision.slots,
        "retailers": [
            {"retailer": review.retailer.slug, "retailer_name": review.retailer.name,
             "status": _retailer_status(review, live_at), "comment": review.comment,
             "decided_at": iso_utc(review.decided_at)}
            for review in revision.reviews
        ],
    }


def review_json(review: Review) -> dict:
    """The API shape of a review (a merchandiser's view)."""
    revision = review.revision
    listing = catalog.listing_for_product(review.retailer_id, revision.product_id)
    return {
        "id": review.id, "revision_id": revision.id, "revision_number": revision.number,
        "gtin": revision.product.gtin, "product": revision.product.name,
        "sku": listing.sku if listing else "", "status": review.status,
        "live": listing is not None and listing.live_revision_id == revision.id,
        "comment": review.comment, "submitted_at": iso_utc(revision.submitted_at),
        "decided_at": iso_utc(review.decided_at), "slots": revision.slots,
    }


def _vendor_revisions():
    """The vendor's own revisions (not those a retailer wrote before the vendor took the
    product over), as the vendor portal lists them."""
    products = [product.id for product in catalog.vendor_products(g.api_user.vendor_id)]
    by_staff = accounts.all_retailer_staff_ids()
    return select(ContentRevision).where(
        ContentRevision.product_id.in_(products),
        or_(ContentRevision.created_by_id.is_(None),
            ContentRevision.created_by_id.not_in(by_staff)))


def _own_revision(revision_id: int) -> ContentRevision:
    revision = row_or_none(ContentRevision, revision_id)
    if revision is None or revision.product.vendor_id != g.api_user.vendor_id:
        raise InvalidInput("No such revision.", code="not_found", status_code=404)
    return revision


@bp.get("/content/revisions")
@api_roles_required(Role.VENDOR, scope="content:read")
@operation(summary="List your content revisions and their status per retailer",
           tags=("content",), query=RevisionsQuery,
           responses={200: (RevisionPage, "A page of revisions, oldest first.")})
def content_revisions(query: RevisionsQuery):
    """A page of the vendor's revisions, by product GTIN and status."""
    statement = _vendor_revisions()
    if query.product is not None:
        try:
            gtin = normalise_gtin(query.product)
        except InvalidInput as error:
            raise InvalidInput(f"product: {error.message}") from None
        ids = [product.id for product in catalog.vendor_products(g.api_user.vendor_id)
               if product.gtin == gtin]
        statement = statement.where(ContentRevision.product_id.in_(ids))
    if query.status == "draft":
        statement = statement.where(ContentRevision.status == RevisionStatus.DRAFT.value)
    elif query.status == "live":
        statement = statement.where(ContentRevision.id.in_(catalog.live_revision_ids()))
    elif query.status is not None:
        statement = statement.where(exists().where(Review.revision_id == ContentRevision.id,
                                                   Review.status == query.status))
    return jsonify(cursor_page(statement, ContentRevision.id, query, revision_json))


@bp.get("/content/revisions/<int:revision_id>")
@api_roles_required(Role.VENDOR, scope="content:read")
@operation(summary="Get a content revision and its status per retailer", tags=("content",),
           responses={200: (RevisionOut, "The revision."),
                      404: (ErrorBody, "not_found: no revision of your products has this id.")})
def content_revision(revision_id: int):
    """One revision of one of the vendor's products."""
    return jsonify(revision_json(_own_revision(revision_id)))


@bp.get("/content/reviews")
@api_roles_required(Role.MERCHANDISER, scope="content:read")
@operation(summary="List the review queue", tags=("content",), query=ReviewsQuery,
           responses={200: (ReviewPage, "A page of reviews, oldest first.")})
def content_reviews(query: ReviewsQuery):
    """A page of the retailer's reviews with this status (pending: the queue), of products it
    still lists, as the console's queue shows them."""
    facts = catalog.listing_facts()
    listing = facts.c
    statement = (select(Review).join(ContentRevision, ContentRevision.id == Review.revision_id)
                 .join(facts,
                       (listing.product_id == ContentRevision.product_id)
                       & (listing.retailer_id == Review.retailer_id))
                 .where(Review.retailer_id == g.api_user.retailer_id,
                        Review.status == query.status))
    return jsonify(cursor_page(statement, Review.id, query, review_json))


@bp.get("/content/reviews/<int:review_id>")
@api_roles_required(Role.MERCHANDISER, scope="content:read")
@operation(summary="Get a review", tags=("content",),
           responses={200: (ReviewOut, "The review."),
                      404: (ErrorBody, "not_found: no review of yours has this id.")})
def content_review(review_id: int):
    """One review of the retailer (of a product it still lists), as the console shows it."""
    return jsonify(review_json(services.review_for_merchandiser(review_id, g.api_user)))


@bp.post("/content/reviews/<int:review_id>/decision")
@api_roles_required(Role.MERCHANDISER, scope="content:write")
@operation(summary="Approve a revision or request changes", tags=("content",), body=Decision,
           responses={200: (ReviewOut, "Decided: approved revisions are live at once."),
                      404: (ErrorBody, "not_found: no review of yours has this id."),
                      409: (ErrorBody, "already_decided: the review was closed before."),
                      422: (ErrorBody, "invalid_input: note is required to request changes.")})
def content_decision(review_id: int, body: Decision):
    """Decide a review, exactly as the console's review page does (audited)."""
    review = services.review_for_merchandiser(review_id, g.api_user)
    if body.decision == "request_changes" and not body.note.strip():
        raise InvalidInput("note: say what should change, so the vendor can fix it.")
    services.decide_review(review, g.api_user, approve=body.decision == "approve",
                           comment=body.note)
    return jsonify(review_json(review))
