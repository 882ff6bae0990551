"""POST /api/v1/sales (the POS sales feed, up to 1,000 lines answered per line) and
GET /api/v1/analytics/lift (units per day before and after a listing's tag was printed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Optional

from flask import g, jsonify
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import sales_report, services
from qrshop.analytics.sales import Lookups, check_line, record_lines
from qrshop.analytics.views import AnalyticsQuery, local_today
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.web import allow_json_bytes

MAX_SALES_LINES = 1000
# A line is about 200 bytes of JSON: 1,000 of them fit in 512 KB.
allow_json_bytes("/api/v1/sales", 512 * 1024)


class SaleLineIn(BaseModel):
    """One POS sales line. A return has a negative quantity and amount."""

    model_config = ConfigDict(extra="forbid", title="SaleLineIn")

    store: str = Field(max_length=16, description="The store's code.")
    sku: str = Field(max_length=64, description="The listing's SKU.")
    sold_at: AwareDatetime = Field(description="ISO 8601 with its UTC offset.")
    quantity: StrictInt = Field(description="Units; negative for a return; never 0.")
    amount_cents: StrictInt = Field(description="The line's amount in minor units (sign of "
                                                "quantity).")
    currency: str = Field(max_length=3, description="The listing's currency.")
    line_id: str = Field(min_length=1, max_length=64,
                         description="The retailer's id of the line, unique per retailer: a "
                                     "resent line is answered as already known.")


@bp.post("/sales")
@api_roles_required(Role.MERCHANDISER, scope="sales:write")
@operation(summary="Send up to 1,000 POS sales lines, each answered on its own",
           tags=("analytics",),
           body=bulk_body(SaleLineIn, "SalesBulk", max_items=MAX_SALES_LINES),
           responses={200: (BulkResult, "One result per line: 201 stored; 200 with "
                                        "\"duplicate\": true when its line_id was already "
                                        "sent (nothing stored again); 422 unknown_store, "
                                        "unknown_sku, wrong_currency or invalid_input.")})
def post_sales(body):
    """Store each sales line on its own (a refused one stores nothing) and add it to the
    daily sales rollup."""
    retailer = g.api_user.retailer
    lookups = Lookups(retailer)

    def apply(item: SaleLineIn) -> tuple[int, dict]:
        row = check_line(lookups, 0, item.model_dump())
        if row.error:
            raise InvalidInput(row.error, code=row.code)
        stored, _known = record_lines(retailer, [row])
        data = {"line_id": row.line_id, "duplicate": not stored}
        return (201 if stored else 200), data

    return run_bulk(body.items, SaleLineIn, apply)


class LiftQuery(AnalyticsQuery):
    """Filters of /api/v1/analytics/lift: tags first printed from `from` to `to`."""

    weeks: int = Field(4, ge=1, le=sales_report.MAX_WEEKS,
                       description="N: weeks before and after the first print.")


class LiftReport(BaseModel):
    """The answer of /api/v1/analytics/lift."""

    store: Optional[str]
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    weeks: int
    listings: list[dict] = Field(description="One object per store and tagged listing (a "
                                             "vendor: per retailer and listing); see "
                                             "docs/analytics.md.")


def lift_window(query: LiftQuery, today) -> services.Window:
    """from/to of a lift report: by default the 365 days to today."""
    raw_from = query.from_
    if raw_from is None:
        end = services.parse_window(None, query.to, today).end
        raw_from = end - timedelta(days=364)
    return services.parse_window(raw_from, query.to, today)


@bp.get("/analytics/lift")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, Role.VENDOR, scope="analytics:read")
@operation(summary="Lift: units per day before and after a listing's tag was printed",
           tags=("analytics",), query=LiftQuery,
           responses={200: (LiftReport, "One object per tagged listing."),
                      404: (None, "Unknown store.")})
def api_lift(query: LiftQuery):
    """Units per day in the N weeks after each tag's first print against the N weeks before
    and against stores without a tag; enough_data false (with a reason) when too thin."""
    user = g.api_user
    if user.role == Role.VENDOR:
        if query.store:
            raise InvalidInput("A vendor's lift report covers every store; leave out store.")
        window = lift_window(query, utcnow().date())
        rows = sales_report.vendor_lift_rows(user.vendor_id, window.start, window.end,
                                             query.weeks)
    else:
        only_store = user.store_id if user.role == Role.ASSOCIATE else None
        stores = services.stores_for(user.retailer, query.store, only_store_id=only_store)
        window = lift_window(query, local_today(stores))
        rows = sales_report.lift_rows(user.retailer, stores, window.start, window.end,
                                      query.weeks)
    return jsonify({"store": query.store.upper() if query.store else None,
                    "from": window.start.isoformat(), "to": window.end.isoformat(),
                    "weeks": query.weeks, "listings": rows})
