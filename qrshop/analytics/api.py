"""/api/v1/analytics: the dashboard's stores, days and hours tables as JSON, and one report
grouped by listing, store, day or hour. (/api/v1/analytics/listings is in views.py.)

Every report reads the scan figures once, through the rollups (services.scan_totals), for
the same stores and local-date window as the listings report: an associate's token sees its
own store only. The figures are the console dashboard's, to the scan.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from flask import g, jsonify
from pydantic import BaseModel, Field

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import services
from qrshop.analytics.views import AnalyticsQuery, ListingAnalytics, local_today
from qrshop.api.spec import operation
from qrshop.api.views import bp

GroupBy = Literal["listing", "store", "day", "hour"]


class StoreAnalytics(BaseModel):
    """One store's figures (the dashboard's store table); bots never counted."""

    store: str
    name: str
    scans: int
    unique_shoppers: int
    active_tags: int = Field(description="Tags not retired, now.")


class DayAnalytics(BaseModel):
    """Counted scans on one local date (every date of the range, zeros included)."""

    date: str = Field(json_schema_extra={"format": "date"})
    scans: int


class HourAnalytics(BaseModel):
    """Counted scans in one local hour of the day (0 to 23) over the range."""

    hour: int = Field(ge=0, le=23)
    scans: int


class _Report(BaseModel):
    store: Optional[str]
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")


class StoreReport(_Report):
    """The answer of /api/v1/analytics/stores."""

    stores: list[StoreAnalytics]


class DayReport(_Report):
    """The answer of /api/v1/analytics/days."""

    days: list[DayAnalytics]


class HourReport(_Report):
    """The answer of /api/v1/analytics/hours."""

    hours: list[HourAnalytics]


class GroupedQuery(AnalyticsQuery):
    """Filters of /api/v1/analytics, and how to group."""

    group_by: GroupBy = Field(description="listing, store, day or hour.")


class GroupedReport(_Report):
    """The answer of /api/v1/analytics: rows of the group's shape."""

    group_by: GroupBy
    rows: list[Union[ListingAnalytics, StoreAnalytics, DayAnalytics, HourAnalytics]]


def report_rows(group_by: str, query: AnalyticsQuery) -> dict:
    """{"store", "from", "to", "rows"}: the token's figures grouped one way."""
    user = g.api_user
    only_store = user.store_id if user.role == Role.ASSOCIATE else None
    stores = services.stores_for(user.retailer, query.store, only_store_id=only_store)
    window = services.parse_window(query.from_, query.to, local_today(stores))
    totals = services.scan_totals(stores, window)
    if group_by == "listing":
        rows = [row.as_dict() for row in services.listing_figures(user.retailer, stores,
                                                                   window, totals=totals)]
    elif group_by == "store":
        rows = services.store_comparison(stores, window, totals=totals)
    else:
        series = services.scan_time_series(stores, window, totals=totals)
        rows = ([{"date": day.isoformat(), "scans": n} for day, n in series.per_day.items()]
                if group_by == "day" else
                [{"hour": hour, "scans": n} for hour, n in enumerate(series.per_hour)])
    return {"store": query.store.upper() if query.store else None,
            "from": window.start.isoformat(), "to": window.end.isoformat(), "rows": rows}


def _one_group(group_by: str, key: str, query: AnalyticsQuery):
    report = report_rows(group_by, query)
    report[key] = report.pop("rows")
    return jsonify(report)


_UNKNOWN_STORE = {404: (None, "unknown_store: you have no store with this code.")}


@bp.get("/analytics/stores")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Figures per store for a date range", tags=("analytics",),
           query=AnalyticsQuery,
           responses={200: (StoreReport, "One object per store."), **_UNKNOWN_STORE})
def analytics_stores(query: AnalyticsQuery):
    """Counted scans, unique shoppers and active tags per store."""
    return _one_group("store", "stores", query)


@bp.get("/analytics/days")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Counted scans per local date", tags=("analytics",), query=AnalyticsQuery,
           responses={200: (DayReport, "One object per date of the range."), **_UNKNOWN_STORE})
def analytics_days(query: AnalyticsQuery):
    """Counted scans per local date, every date of the range."""
    return _one_group("day", "days", query)


@bp.get("/analytics/hours")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Counted scans per local hour of the day", tags=("analytics",),
           query=AnalyticsQuery,
           responses={200: (HourReport, "24 objects, hours 0 to 23."), **_UNKNOWN_STORE})
def analytics_hours(query: AnalyticsQuery):
    """Counted scans per local hour of the day, summed over the range."""
    return _one_group("hour", "hours", query)


@bp.get("/analytics")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="analytics:read")
@operation(summary="Figures grouped by listing, store, day or hour", tags=("analytics",),
           query=GroupedQuery,
           responses={200: (GroupedReport, "Rows shaped as the group's report."),
                      **_UNKNOWN_STORE})
def analytics_grouped(query: GroupedQuery):
    """One report, grouped as asked: the rows of the listings, stores, days or hours report."""
    report = report_rows(query.group_by, query)
    return jsonify({"group_by": query.group_by, **report})
