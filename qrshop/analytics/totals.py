"""Counted scans of a set of stores over a window of local days, from the rollups and, for the
days not rolled up (today), the scan log.

A retailer's stores of one time zone, all of them, are read from the zone rows
(qrshop.analytics.zones): a chain's dashboard reads as many rows as one store's. Any other set
of stores (one store, an associate's) reads its store rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.analytics import zones
from qrshop.analytics.models import ScanDayRollup, ScanHourRollup, ScanRollupProgress
from qrshop.analytics.rollup import (
    Tally,
    counted_rows_by_store,
    local_midnight,
    roll_up_in_steps,
)
from qrshop.extensions import db
from qrshop.shopper.models import Scan


@dataclass
class ScanTotals:
    """Counted scans in a window of local days, for a set of stores."""

    # listing_id -> [scans, repeat scans, the shopper collections of its days: shopper ids,
    # or a zone row's hashes as a numpy array]. They are united only when counted: one
    # C-level union per listing instead of a set growing row by row (zones.distinct_shoppers).
    listings: dict[int, list] = field(default_factory=dict)
    # store_id -> [scans, the shopper-id collections of its days (united on demand)]
    stores: dict[int, list] = field(default_factory=dict)
    per_day: dict[date, int] = field(default_factory=dict)
    per_hour: list[int] = field(default_factory=lambda: [0] * 24)

    def add_day(self, store_id: int, day: date, listing_id: int, scans: int, repeats: int,
                shoppers: Collection[str]) -> None:
        """Count one listing's scans of one store and day."""
        cell = self.listings.get(listing_id)
        if cell is None:
            cell = self.listings[listing_id] = [0, 0, []]
        cell[0] += scans
        cell[1] += repeats
        cell[2].append(shoppers)
        at_store = self.stores[store_id]
        at_store[0] += scans
        at_store[1].append(shoppers)
        if day in self.per_day:
            self.per_day[day] += scans

    def listing_shoppers(self, listing_id: int) -> int:
        """Distinct shoppers who scanned a listing (at any of the stores)."""
        return zones.distinct_shoppers(self.listings[listing_id][2])

    def store_shoppers(self, store_id: int) -> int:
        """Distinct shoppers who scanned at a store (only the store table needs this)."""
        return zones.distinct_shoppers(self.stores[store_id][1])


def read_scan_totals(stores: list[Store], first: date, last: date, *,
                     series_only: bool = False, rolled: bool = False) -> ScanTotals:
    """Counted scans from first to last (local days, inclusive): rollups, then the raw log.

    series_only: only per_day and per_hour are wanted (a chart's previous period), so the
    rolled-up days' listing rows, with their shopper ids, are not read at all. rolled: the
    stores were just rolled up back to first or earlier (no rollup step)."""
    if not rolled:
        roll_up_in_steps(stores, back_to=first)
    totals = ScanTotals(per_day={first + timedelta(days=n): 0
                                 for n in range((last - first).days + 1)})
    ranges = {store_id: (rolled_from, rolled_through)
              for store_id, rolled_from, rolled_through in db.session.execute(
                  select(ScanRollupProgress.store_id, ScanRollupProgress.rolled_from,
                         ScanRollupProgress.rolled_through)
                  .where(ScanRollupProgress.store_id.in_([store.id for store in stores])))}
    # Stores that share a time zone and a rolled-up range (most do) are read together: a few
    # queries per group instead of per store.
    groups: dict[tuple, list[int]] = defaultdict(list)
    retailer_of = {}
    for store in stores:
        totals.stores[store.id] = [0, []]
        retailer_of[store.id] = store.retailer_id
        rolled_from, rolled_through = ranges.get(store.id, (last + timedelta(days=1), last))
        groups[(store.timezone, max(first, rolled_from), min(last, rolled_through))].append(
            store.id)
    whole_zones = zones.zone_stores(stores) if stores else {}
    log = Scan.__table__.c
    for (timezone, since, through), ids in groups.items():
        zone = ZoneInfo(timezone)
        if since <= through:
            retailer_id = retailer_of[ids[0]]
            whole = sorted(whole_zones.get((retailer_id, timezone), ())) == sorted(ids)
            if not (whole and zones.ensure_days(retailer_id, timezone, ids, since,
                                                through) is not None
                    and _add_zone_days(totals, retailer_id, timezone, since, through,
                                       series_only)):
                _add_store_days(totals, ids, since, through, series_only)
            # Days outside the rolled-up range (today, and days before it): from the log.
            live = [(first, since - timedelta(days=1)), (through + timedelta(days=1), last)]
        else:
            live = [(first, last)]
        for live_first, live_last in live:
            if live_first > live_last:
                continue
            by_store = counted_rows_by_store(
                log.store_id.in_(ids),
                log.scanned_at >= local_midnight(zone, live_first),
                log.scanned_at < local_midnight(zone, live_last + timedelta(days=1)))
            labels: dict = {}  # UTC minute -> local day and hour: the same for the zone
            for store_id, rows in by_store.items():
                tally = Tally(zone, labels=labels)
                tally.add(rows)
                for (day, listing_id), (count, repeats, shoppers) in tally.listings.items():
                    totals.add_day(store_id, day, listing_id, count, repeats, shoppers)
                for (_day, hour), count in tally.hours.items():
                    totals.per_hour[hour] += count
    return totals


def _add_zone_days(totals: ScanTotals, retailer_id: int, timezone: str, since: date,
                   through: date, series_only: bool) -> bool:
    """Count a whole zone's built days from since to through; False (nothing counted) if
    one of them was forgotten since it was built (a late scan): read the store rows then."""
    rows = zones.read_days(retailer_id, timezone, since, through,
                           series_only=series_only).all()
    if sum(1 for row in rows if row[1] == zones.DAY) != (through - since).days + 1:
        return False
    if any(row[1] == zones.STORE and row[2] not in totals.stores for row in rows):
        return False  # a store left the zone since (checked before anything is counted)
    listings, at_stores, per_day, per_hour = (totals.listings, totals.stores, totals.per_day,
                                              totals.per_hour)
    for day, kind, key, scans, *rest in rows:
        if kind == zones.DAY:
            per_day[day] += scans
        elif kind == zones.HOUR:
            per_hour[key] += scans
        elif kind == zones.LISTING:
            cell = listings.get(key)
            if cell is None:
                cell = listings[key] = [0, 0, []]
            cell[0] += scans
            cell[1] += rest[0]
            if rest[1]:
                cell[2].append(np.frombuffer(rest[1], dtype="<i8"))
        else:
            at_store = at_stores[key]
            at_store[0] += scans
            if rest[1]:
                at_store[1].append(np.frombuffer(rest[1], dtype="<i8"))
    return True


def _add_store_days(totals: ScanTotals, ids: list[int], since: date, through: date,
                    series_only: bool) -> None:
    """Count these stores' rolled-up days from since to through from their store rows."""
    # Core statements on the connection: thousands of plain rows, no ORM bookkeeping.
    connection = db.session.connection()
    days, hours = ScanDayRollup.__table__.c, ScanHourRollup.__table__.c
    if not series_only:
        listings, at_stores = totals.listings, totals.stores
        for store_id, listing_id, scans, repeats, shopper_ids in connection.execute(
            select(days.store_id, days.listing_id, days.scans, days.repeat_scans,
                   days.shopper_ids)
            .where(days.store_id.in_(ids), days.day >= since, days.day <= through)
        ):
            # add_day, inlined: this loop runs once per listing, store and day.
            cell = listings.get(listing_id)
            if cell is None:
                cell = listings[listing_id] = [0, 0, []]
            cell[0] += scans
            cell[1] += repeats
            at_store = at_stores[store_id]
            at_store[0] += scans
            if shopper_ids:
                shoppers = shopper_ids.split(",")
                cell[2].append(shoppers)
                at_store[1].append(shoppers)
    for day, scans in connection.execute(
        select(days.day, func.sum(days.scans))
        .where(days.store_id.in_(ids), days.day >= since, days.day <= through)
        .group_by(days.day)
    ):
        totals.per_day[day] += int(scans)
    for hour, scans in connection.execute(
        select(hours.hour, func.sum(hours.scans))
        .where(hours.store_id.in_(ids), hours.day >= since, hours.day <= through)
        .group_by(hours.hour)
    ):
        totals.per_hour[hour] += int(scans)
