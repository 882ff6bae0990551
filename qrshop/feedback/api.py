"""/api/v1/feedback: shoppers' ratings and comments. A merchandiser reads its listings'
feedback with the store; a vendor reads its products' feedback at every retailer, as the
vendor portal shows it: without the store. Nobody gets a shopper or their contact data."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import UtcDateTime, iso_utc
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.feedback.models import Feedback


class FeedbackOut(BaseModel):
    """One shopper's say about one listing (sending again replaces it: see updated_at)."""

    model_config = ConfigDict(title="Feedback")

    id: int
    rating: Optional[int] = Field(description="1 to 5 stars, or null.")
    is_helpful: Optional[bool] = Field(description="'Was this page helpful?', or null.")
    comment: str
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


FeedbackPage = page_model(FeedbackOut, "FeedbackPage")


@bp.get("/feedback")
@api_roles_required(Role.MERCHANDISER, Role.VENDOR, scope="feedback:read")
@operation(summary="List shoppers' feedback", tags=("feedback",), query=FeedbackQuery,
           responses={200: (FeedbackPage, "A page of feedback, oldest first.")})
def list_feedback(query: FeedbackQuery):
    """A page of feedback on the retailer's listings, or on the vendor's products."""
    user = g.api_user
    facts, names = catalog.listing_facts(), accounts.retailer_names()
    statement = (
        select(Feedback.id, Feedback.rating, Feedback.is_helpful, Feedback.comment,
               Feedback.store_id, Feedback.created_at, Feedback.updated_at, facts.c.sku,
               facts.c.gtin, facts.c.product_name, names.c.retailer_name)
        .join(facts, facts.c.listing_id == Feedback.listing_id)
        .join(names, names.c.retailer_id == facts.c.retailer_id)
    )
    stores: dict[int, str] = {}
    if user.role == Role.VENDOR:
        if query.store is not None:
            raise InvalidInput("store: vendors see feedback per retailer, not per store.")
        statement = statement.where(facts.c.vendor_id == user.vendor_id)
    else:
        statement = statement.where(facts.c.retailer_id == user.retailer_id)
        stores = {store.id: store.code for store in accounts.stores_of_retailer(user.retailer_id)}
        if query.store is not None:
            store = accounts.store_of_retailer(user.retailer_id, query.store)
            if store is None:
                raise InvalidInput(f"store: you have no store {query.store!r}.",
                                   code="unknown_store")
            statement = statement.where(Feedback.store_id == store.id)
    if query.since is not None:
        statement = statement.where(Feedback.updated_at >= query.since)

    def feedback_json(row) -> dict:
        return {"id": row.id, "rating": row.rating, "is_helpful": row.is_helpful,
                "comment": row.comment, "sku": row.sku, "gtin": row.gtin,
                "product": row.product_name, "retailer": row.retailer_name,
                "store": stores.get(row.store_id), "created_at": iso_utc(row.created_at),
                "updated_at": iso_utc(row.updated_at)}

    return jsonify(cursor_page(statement, Feedback.id, query, feedback_json, scalars=False))
