"""Dashboards (/console/analytics, /vendor/analytics), CSV exports and the analytics API."""

from __future__ import annotations

from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, g, jsonify, render_template, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from qrshop.accounts.auth import api_roles_required, roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import charts, services
from qrshop.api.spec import operation
from qrshop.api.views import bp as api_bp
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.web import csv_download

bp = Blueprint("analytics", __name__)

CSV_TABLES = ("listings", "stores", "days", "hours", "silent", "orphans")


def local_today(stores) -> datetime:
    """Today in the first store's time zone (UTC without stores): where a report ends."""
    zone = ZoneInfo(stores[0].timezone) if stores else ZoneInfo("UTC")
    return utcnow().astimezone(zone).date()


def _charts(series: services.TimeSeries, before: services.TimeSeries,
            previous: services.Window) -> dict:
    """The day and hour charts' points, each with the previous period's value."""
    days = [
        charts.Point(f"{day:%b} {day.day}", n, before.per_day.get(earlier, 0),
                     f"{day:%a} {day.day} {day:%b} {day.year}")
        for (day, n), earlier in zip(series.per_day.items(), previous.days, strict=True)
    ]
    hours = [charts.Point(f"{hour:02d}:00", n, before.per_hour[hour],
                          f"{hour:02d}:00 to {hour:02d}:59")
             for hour, n in enumerate(series.per_hour)]
    current, earlier = sum(series.per_day.values()), sum(before.per_day.values())
    return {"day_chart": days, "hour_chart": hours, "previous": previous,
            "comparison": {"scans": current, "previous_scans": earlier,
                           "change": charts.format_change(current, earlier)}}


def _retailer_report(user, store_code: Optional[str], raw_from: Optional[str],
                     raw_to: Optional[str], raw_days: Optional[str] = None) -> dict:
    """Everything the merchandiser dashboard shows, for a user's retailer."""
    only_store = user.store_id if user.role == Role.ASSOCIATE else None
    stores = services.stores_for(user.retailer, store_code, only_store_id=only_store)
    today = local_today(stores)
    window = services.parse_range(raw_days, raw_from, raw_to, today)
    # One read of the scan figures feeds the listing table, the charts and the store table.
    # The previous period first: its rollup step covers both periods.
    previous = services.previous_window(window)
    before = services.scan_time_series(stores, previous)
    totals = services.scan_totals(stores, window, rolled=True)
    listings = services.listing_figures(user.retailer, stores, window, totals=totals)
    ranked = sorted(listings, key=lambda row: (-row.scans, row.product))
    series = services.scan_time_series(stores, window, totals=totals)
    orphan_total, orphan_top = services.orphan_scans(window, stores=stores)
    return {
        "stores": stores,
        "all_stores": services.stores_for(user.retailer, None, only_store_id=only_store),
        "store_code": (store_code or "").upper(),
        "window": window,
        "listings": listings,
        "top": ranked[:5],
        "bottom": [row for row in reversed(ranked)][:5],
        "series": series,
        **_charts(series, before, previous),
        "today": today, "days": raw_days or "",
        "presets": services.PRESET_DAYS,
        "per_store": services.store_comparison(stores, window, totals=totals),
        "funnel": services.funnel(listings),
        "silent": services.silent_tags(stores, utcnow()),
        "orphan_total": orphan_total,
        "orphan_top": orphan_top,
        "zones": {store.code: ZoneInfo(store.timezone) for store in stores},
    }


@bp.get("/console/analytics")
@roles_required(Role.MERCHANDISER)
def console_dashboard():
    """The merchandiser dashboard: filters, charts, per-listing and per-store tables."""
    report = _retailer_report(current_user, request.args.get("store"),
                              request.args.get("from"), request.args.get("to"),
                              request.args.get("days"))
    return render_template("analytics/console.html", bar_chart=charts.bar_chart, **report)


def _csv(name: str, header: list[str], rows: list[list]) -> Response:
    return csv_download(name, header, rows)


def _table(report: dict, table: str) -> tuple[list[str], list[list]]:
    if table == "listings":
        header = list(services.ListingFigures(0, "", "", "").as_dict())
        return header, [list(row.as_dict().values()) for row in report["listings"]]
    if table == "stores":
        header = ["store", "name", "scans", "unique_shoppers", "active_tags"]
        return header, [[row[key] for key in header] for row in report["per_store"]]
    if table == "days":
        return ["date", "scans"], [[day.isoformat(), n] for day, n in
                                   report["series"].per_day.items()]
    if table == "hours":
        return ["hour", "scans"], [[hour, n] for hour, n in enumerate(report["series"].per_hour)]
    if table == "silent":
        header = ["code", "store", "product", "placement", "last_scan"]
        return header, [[row["code"], row["store"], row["product"], row["placement"],
                         row["last_scan"].astimezone(report["zones"][row["store"]]).isoformat()
                         if row["last_scan"] else ""] for row in report["silent"]]
    return ["code", "scans"], [[code, n] for code, n in report["orphan_top"]]


@bp.get("/console/analytics/<table>.csv")
@roles_required(Role.MERCHANDISER)
def console_csv(table: str):
    """Any dashboard table as CSV, for the same filters."""
    if table not in CSV_TABLES:
        raise InvalidInput(f"No table {table!r}; choose one of {', '.join(CSV_TABLES)}.",
                           status_code=404, code="not_found")
    report = _retailer_report(current_user, request.args.get("store"),
                              request.args.get("from"), request.args.get("to"),
                              request.args.get("days"))
    header, rows = _table(report, table)
    return _csv(f"{current_user.retailer.slug}-{table}-{report['window'].start}-"
                f"{report['window'].end}", header, rows)


def _vendor_report(raw_from, raw_to) -> dict:
    window = services.parse_window(raw_from, raw_to, utcnow().date())
    return {"window": window, "rows": services.vendor_figures(current_user.vendor_id, window)}


@bp.get("/vendor/analytics")
@roles_required(Role.VENDOR)
def vendor_dashboard():
    """The vendor's products at every retailer: figures per retailer, never shoppers."""
    report = _vendor_report(request.args.get("from"), request.args.get("to"))
    return render_template("analytics/vendor.html", **report)


@bp.get("/vendor/analytics.csv")
@roles_required(Role.VENDOR)
def vendor_csv():
    """The vendor dashboard's table as CSV."""
    report = _vendor_report(request.args.get("from"), request.args.get("to"))
    header = ["retailer", *services.ListingFigures(0, "", "", "").as_dict()]
    return _csv(f"{current_user.vendor.slug}-analytics-{report['window'].start}-"
                f"{report['window'].end}", header,
                [[row[key] for key in header] for row in report["rows"]])


DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class AnalyticsQuery(BaseModel):
    """Filters for /api/v1/analytics/listings."""

    # A misspelt filter (?form=...) is an error, not silently the default range.
    model_config = ConfigDict(extra="forbid")

    store: Optional[str] = Field(None, max_length=16, description="Store code; all if absent.")
    # "from" is a Python keyword, hence the alias.
    from_: Optional[str] = Field(None, alias="from", pattern=DATE_PATTERN,
                                 json_schema_extra={"format": "date"},
                                 description="First local date (default: 29 days before `to`).")
    to: Optional[str] = Field(None, pattern=DATE_PATTERN, json_schema_extra={"format": "date"},
                              description="Last local date (default: today).")


class ListingAnalytics(BaseModel):
    """One listing's figures; bots never counted."""

    listing_id: int
    sku: str
    product: str
    gtin: str
    scans: int
    repeat_scans: int
    unique_shoppers: int
    wishlist_adds: int
    coupons_claimed: int
    coupons_redeemed: int
    sales_cents: int = Field(description="Sale amounts typed at coupon redemption (as "
                                         "always); the same as coupon_sales_cents.")
    conversion: float
    units_sold: int = Field(description="Units in the POS sales feed (returns subtract).")
    pos_sales_cents: int = Field(description="Amounts in the POS sales feed.")
    coupon_sales_cents: int = Field(description="Sale amounts of redeemed coupon claims.")
    scan_to_sale: float = Field(description="units_sold per counted scan (0 without scans).")


class ListingAnalyticsPage(BaseModel):
    """The answer of /api/v1/analytics/listings."""

    store: Optional[str]
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    listings: list[ListingAnalytics]


@api_bp.get("/analytics/listings")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Figures per listing for a store and date range", tags=("analytics",),
           query=AnalyticsQuery,
           responses={200: (ListingAnalyticsPage, "One object per listing."),
                      404: (None, "Unknown store.")})
def api_listings(query: AnalyticsQuery):
    """Per-listing figures (the dashboard's table) as JSON."""
    user = g.api_user
    only_store = user.store_id if user.role == Role.ASSOCIATE else None
    stores = services.stores_for(user.retailer, query.store, only_store_id=only_store)
    window = services.parse_window(query.from_, query.to, local_today(stores))
    rows = services.listing_figures(user.retailer, stores, window)
    return jsonify({
        "store": query.store.upper() if query.store else None,
        "from": window.start.isoformat(), "to": window.end.isoformat(),
        "listings": [row.as_dict() for row in rows],
    })


# The stores, days and hours reports and ?group_by= add their routes when imported.
from qrshop.analytics import api  # noqa: E402, F401
