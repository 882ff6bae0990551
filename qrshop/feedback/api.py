"""/api/v1/feedback: shoppers' ratings and comments. A merchandiser reads its listings'
feedback with the store; a vendor reads its products' feedback at every retailer, as the
vendor portal shows it: without the store. Nobody gets a shopper or their contact data."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from flask import abort, g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import UtcDateTime, iso_utc
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.feedback import reviews
from qrshop.feedback.models import Feedback


class FeedbackOut(BaseModel):
    """One shopper's say about one listing (sending again replaces it: see updated_at)."""

    model_config = ConfigDict(title="Feedback")

    id: int
    rating: Optional[int] = Field(description="1 to 5 stars, or null.")
    is_helpful: Optional[bool] = Field(description="'Was this page helpful?', or null.")
    comment: str
    comment_status: Literal["pending", "approved", "rejected"] = Field(
        description="The comment's moderation: only approved comments show on the landing "
                    "page (pending also when there is no comment).")
    sku: str = Field(description="The retailer's SKU of the listing.")
    gtin: str
    product: str
    retailer: str = Field(description="The retailer's name.")
    store: Optional[str] = Field(description="Store code (merchandisers); always null for "
                                 "vendors.")
    created_at: datetime
    updated_at: datetime


class FeedbackQuery(CursorQuery):
    """Filters of the feedback list."""

    store: Optional[str] = Field(None, max_length=16, description="Store code "
                                 "(merchandisers only).")
    since: Optional[UtcDateTime] = Field(None, description="Given or changed at or after "
                                         "this instant.")
    comment_status: Optional[Literal["pending", "approved", "rejected"]] = Field(
        None, description="Only comments in this moderation state (pending: the queue).")


FeedbackPage = page_model(FeedbackOut, "FeedbackPage")


@bp.get("/feedback")
@api_roles_required(Role.MERCHANDISER, Role.VENDOR, scope="feedback:read")
@operation(summary="List shoppers' feedback", tags=("feedback",), query=FeedbackQuery,
           responses={200: (FeedbackPage, "A page of feedback, oldest first.")})
def list_feedback(query: FeedbackQuery):
    """A page of feedback on the retailer's listings, or on the vendor's products."""
    user = g.api_user
    statement, feedback_json = _feedback_of(user, query.store)
    if query.since is not None:
        statement = statement.where(Feedback.updated_at >= query.since)
    if query.comment_status is not None:
        statement = statement.where(Feedback.comment_status == query.comment_status,
                                    Feedback.comment != "")
    return jsonify(cursor_page(statement, Feedback.id, query, feedback_json, scalars=False))


def _feedback_of(user, store_code: Optional[str] = None):
    """(the statement of the feedback this user may read, its rows' JSON)."""
    facts, names = catalog.listing_facts(), accounts.retailer_names()
    statement = (
        select(Feedback.id, Feedback.rating, Feedback.is_helpful, Feedback.comment,
               Feedback.comment_status, Feedback.store_id, Feedback.created_at,
               Feedback.updated_at, facts.c.sku, facts.c.gtin, facts.c.product_name,
               names.c.retailer_name)
        .join(facts, facts.c.listing_id == Feedback.listing_id)
        .join(names, names.c.retailer_id == facts.c.retailer_id)
    )
    stores: dict[int, str] = {}
    if user.role == Role.VENDOR:
        if store_code is not None:
            raise InvalidInput("store: vendors see feedback per retailer, not per store.")
        statement = statement.where(facts.c.vendor_id == user.vendor_id)
    else:
        statement = statement.where(facts.c.retailer_id == user.retailer_id)
        stores = {store.id: store.code for store in accounts.stores_of_retailer(user.retailer_id)}
        if store_code is not None:
            store = accounts.store_of_retailer(user.retailer_id, store_code)
            if store is None:
                raise InvalidInput(f"store: you have no store {store_code!r}.",
                                   code="unknown_store")
            statement = statement.where(Feedback.store_id == store.id)

    def feedback_json(row) -> dict:
        return {"id": row.id, "rating": row.rating, "is_helpful": row.is_helpful,
                "comment": row.comment, "comment_status": row.comment_status,
                "sku": row.sku, "gtin": row.gtin, "product": row.product_name,
                "retailer": row.retailer_name,
                "store": stores.get(row.store_id), "created_at": iso_utc(row.created_at),
                "updated_at": iso_utc(row.updated_at)}

    return statement, feedback_json


class Moderation(BaseModel):
    """A merchandiser's decision on a shopper's comment."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"] = Field(
        description="approve: the landing page shows it (the newest few approved); reject: "
                    "it is never shown. Either can be changed later.")


@bp.post("/feedback/<int:feedback_id>/moderation")
@api_roles_required(Role.MERCHANDISER, scope="feedback:write")
@operation(summary="Approve or reject a shopper's comment", tags=("feedback",),
           body=Moderation,
           responses={200: (FeedbackOut, "Decided: the feedback with its comment_status."),
                      404: (ErrorBody, "not_found: no comment with this id on your "
                                       "listings."),
                      422: (ErrorBody, "invalid_input: decision is approve or reject.")})
def moderate_feedback(feedback_id: int, body: Moderation):
    """Decide on a comment of the retailer's listings, as the console's queue does."""
    user = g.api_user
    try:
        reviews.moderate(user.retailer_id, feedback_id, body.decision, user=user)
    except LookupError:
        abort(404, description="No comment with this id on your listings.")
    statement, feedback_json = _feedback_of(user)
    row = db.session.execute(statement.where(Feedback.id == feedback_id)).one()
    return jsonify(feedback_json(row))
