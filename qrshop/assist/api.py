"""GET /api/v1/analytics/assist: the figures of requests and holds per store
(qrshop.assist.analytics), as the console's /console/assist/analytics shows them."""

from __future__ import annotations

from typing import Optional

from flask import g, jsonify
from pydantic import BaseModel, Field

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import services as analytics
from qrshop.analytics.views import AnalyticsQuery, local_today
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.assist.analytics import store_figures


class AssistStoreFigures(BaseModel):
    """One store's requests and holds made on the range's local dates. Sales figures are
    null where the store has no sales feed over the range."""

    store: str
    name: str
    requests: int
    requests_claimed: int
    median_seconds_to_claim: Optional[int] = Field(description="null: none claimed.")
    requests_closed: int
    median_seconds_to_close: Optional[int] = Field(description="null: none closed.")
    requests_sold_same_day: Optional[int] = Field(
        description="Requests whose item sold in the store on the day it was asked about.")
    requested_units_sold: Optional[int] = Field(
        description="Units of requested items sold in the store on those days.")
    holds_placed: int
    holds_ready: int = Field(description="Holds the store made ready (collected or not).")
    holds_collected: int
    holds_expired: int
    holds_cancelled: int
    holds_sold_same_day: Optional[int]
    held_units_sold: Optional[int]


class AssistReport(BaseModel):
    """The answer of /api/v1/analytics/assist."""

    store: Optional[str]
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    stores: list[AssistStoreFigures]


@bp.get("/analytics/assist")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Requests from the shelf and holds per store", tags=("analytics",),
           query=AnalyticsQuery,
           responses={200: (AssistReport, "One object per store."),
                      404: (None, "unknown_store: you have no store with this code.")})
def analytics_assist(query: AnalyticsQuery):
    """Requests (median time to claim and close), holds (placed, ready, collected,
    expired, cancelled) and same-day sales of their items, per store."""
    user = g.api_user
    only_store = user.store_id if user.role == Role.ASSOCIATE else None
    stores = analytics.stores_for(user.retailer, query.store, only_store_id=only_store)
    window = analytics.parse_window(query.from_, query.to, local_today(stores))
    return jsonify({"store": query.store.upper() if query.store else None,
                    "from": window.start.isoformat(), "to": window.end.isoformat(),
                    "stores": [row.as_dict() for row in store_figures(stores, window.start,
                                                                      window.end)]})
