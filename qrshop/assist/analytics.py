"""The figures of "ask an associate" and holds per store for a range of local dates:
requests (median time to claim and to close), holds (placed -> ready -> collected, expired,
cancelled), and the sales of the requested and held items in that store on the day they
were asked for or held (from the sales feed, where the store has one). Shown at
/console/assist/analytics and answered by GET /api/v1/analytics/assist."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import select

from qrshop.analytics.sales_report import stores_with_sales, units_by_day
from qrshop.assist.models import AssistRequest, Hold
from qrshop.extensions import db
from qrshop.i18n import store_zone


@dataclass
class StoreFigures:
    """One store's figures over the range (times in whole seconds; None: nothing to
    measure, or, for sales, no sales feed in the store over the range)."""

    store: str
    name: str
    requests: int = 0
    requests_claimed: int = 0
    median_seconds_to_claim: Optional[int] = None
    requests_closed: int = 0
    median_seconds_to_close: Optional[int] = None
    requests_sold_same_day: Optional[int] = None
    requested_units_sold: Optional[int] = None
    holds_placed: int = 0
    holds_ready: int = 0
    holds_collected: int = 0
    holds_expired: int = 0
    holds_cancelled: int = 0
    holds_sold_same_day: Optional[int] = None
    held_units_sold: Optional[int] = None

    def as_dict(self) -> dict:
        """The figures as the API answers them."""
        return asdict(self)


def _median_seconds(spans: list[timedelta]) -> Optional[int]:
    return round(statistics.median(s.total_seconds() for s in spans)) if spans else None


def _rows(model, store_ids: list[int], first: date, last: date, zones: dict) -> list:
    """(row, local day) of a model's rows created on the range's local days in their
    store: read with a day's margin either side in UTC, then kept by local day."""
    start = datetime.combine(first - timedelta(days=1), time.min, store_zone("UTC"))
    end = datetime.combine(last + timedelta(days=2), time.min, store_zone("UTC"))
    rows = db.session.scalars(select(model).where(
        model.store_id.in_(store_ids), model.created_at >= start, model.created_at < end))
    found = []
    for row in rows:
        day = row.created_at.astimezone(zones[row.store_id]).date()
        if first <= day <= last:
            found.append((row, day))
    return found


def _sales_of(rows: list, units: dict) -> tuple[int, int]:
    """(rows whose item sold in its store that day, units of those items sold those days,
    each store, item and day counted once)."""
    sold_rows, counted, total = 0, set(), 0
    for row, day in rows:
        sold = units.get((row.store_id, row.listing_id), {}).get(day, 0)
        if sold:
            sold_rows += 1
            if (row.store_id, row.listing_id, day) not in counted:
                counted.add((row.store_id, row.listing_id, day))
                total += sold
    return sold_rows, total


def store_figures(stores: list, first: date, last: date) -> list[StoreFigures]:
    """Each store's figures over the local dates first..last (stores: the caller's)."""
    if not stores:
        return []
    store_ids = [store.id for store in stores]
    zones = {store.id: store_zone(store.timezone) for store in stores}
    requests = _rows(AssistRequest, store_ids, first, last, zones)
    held = _rows(Hold, store_ids, first, last, zones)
    listing_ids = sorted({row.listing_id for row, _ in requests + held})
    units = units_by_day(store_ids, listing_ids, first, last)
    with_feed = stores_with_sales(store_ids, first, last)
    by_store_requests, by_store_holds = defaultdict(list), defaultdict(list)
    for row, day in requests:
        by_store_requests[row.store_id].append((row, day))
    for row, day in held:
        by_store_holds[row.store_id].append((row, day))
    figures = []
    for store in stores:
        mine, holds = by_store_requests[store.id], by_store_holds[store.id]
        claimed = [r.claimed_at - r.created_at for r, _ in mine if r.claimed_at]
        closed = [r.closed_at - r.created_at for r, _ in mine if r.closed_at]
        row = StoreFigures(
            store=store.code, name=store.name, requests=len(mine),
            requests_claimed=len(claimed), median_seconds_to_claim=_median_seconds(claimed),
            requests_closed=len(closed), median_seconds_to_close=_median_seconds(closed),
            holds_placed=len(holds),
            holds_ready=sum(1 for h, _ in holds if h.ready_at is not None),
            holds_collected=sum(1 for h, _ in holds if h.status == "collected"),
            holds_expired=sum(1 for h, _ in holds if h.status == "expired"),
            holds_cancelled=sum(1 for h, _ in holds if h.status == "cancelled"))
        if store.id in with_feed:
            row.requests_sold_same_day, row.requested_units_sold = _sales_of(mine, units)
            row.holds_sold_same_day, row.held_units_sold = _sales_of(holds, units)
        figures.append(row)
    return figures
