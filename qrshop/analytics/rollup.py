"""Roll the scan log up into daily figures, and read scan figures for a window of local days.

A store's completed local days (ended at least GRACE ago) are rolled up into
scan_day_rollups / scan_hour_rollups; later days (today) are read from the scan log itself, so
the figures always equal a count over the raw scans. The rollup step runs before every read
(and from `qrshop analytics rollup`); it only writes when a day completed or a late scan of a
rolled-up day arrived. It never touches the scan INSERT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from qrshop.accounts.models import Store
from qrshop.analytics.models import ScanDayRollup, ScanHourRollup, ScanRollupProgress
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan

# A day is rolled up only this long after its local midnight: a scan stamped just before
# midnight is committed well within it. A scan stored later still is merged by id (below).
GRACE = timedelta(minutes=10)


def local_midnight(zone: ZoneInfo, day: date) -> datetime:
    """The UTC instant at which a local day starts."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _utc_minute():
    """A scan's UTC minute as text 'YYYY-MM-DD HH:MM': every time zone's day and hour
    boundaries fall on whole minutes, and text is cheaper to read than a datetime per row."""
    scans = Scan.__table__.c
    if db.session.get_bind().dialect.name == "sqlite":
        return func.substr(scans.scanned_at, 1, 16)  # stored as naive UTC ISO text
    return func.to_char(func.timezone("UTC", scans.scanned_at), "YYYY-MM-DD HH24:MI")


def _counted_rows(*conditions):
    """Counted scans (people, of a known tag) as (listing, shopper, repeat, UTC minute) rows."""
    scans = Scan.__table__.c
    return db.session.connection().execute(
        select(scans.listing_id, scans.shopper_id, scans.is_repeat, _utc_minute())
        .where(scans.is_bot == literal(False), scans.listing_id.is_not(None), *conditions)
    )


@dataclass
class _Tally:
    """Counted scans of one store by (local day, listing) and by (local day, local hour)."""

    zone: ZoneInfo
    # (day, listing_id) -> [scans, repeat scans, shopper ids]
    listings: dict = field(default_factory=dict)
    hours: dict = field(default_factory=lambda: defaultdict(int))
    # UTC minute text -> (local day, local hour)
    _labels: dict = field(default_factory=dict)

    def _label(self, minute: str) -> tuple[date, int]:
        local = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(self.zone)
        label = self._labels[minute] = (local.date(), local.hour)
        return label

    def add(self, rows: Iterable) -> None:
        """Count rows of _counted_rows."""
        labels, listings, hours = self._labels, self.listings, self.hours
        for listing_id, shopper_id, is_repeat, minute in rows:
            label = labels.get(minute) or self._label(minute)
            cell = listings.get((label[0], listing_id))
            if cell is None:
                cell = listings[(label[0], listing_id)] = [0, 0, set()]
            cell[0] += 1
            if is_repeat:
                cell[1] += 1
            if shopper_id is not None:
                cell[2].add(shopper_id)
            hours[label] += 1


def _insert_ignoring_conflict(table, values: dict):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()


def _progress(store: Store, high: int) -> Optional[tuple[date, int, str]]:
    """(rolled_through, last_scan_id, timezone) of a store, creating its row the first time."""
    query = (select(ScanRollupProgress.rolled_through, ScanRollupProgress.last_scan_id,
                    ScanRollupProgress.timezone)
             .where(ScanRollupProgress.store_id == store.id))
    row = db.session.execute(query).first()
    if row is not None and row.timezone == store.timezone:
        return tuple(row)
    zone = ZoneInfo(store.timezone)
    if row is not None:
        # The store moved to another time zone: its local days changed, so start again.
        db.session.execute(delete(ScanDayRollup).where(ScanDayRollup.store_id == store.id))
        db.session.execute(delete(ScanHourRollup).where(ScanHourRollup.store_id == store.id))
        db.session.execute(delete(ScanRollupProgress)
                           .where(ScanRollupProgress.store_id == store.id))
    # Nothing rolled up yet: "through the day before the first scan" (every scan up to
    # `high` is on or after that scan).
    first = db.session.scalar(select(func.min(Scan.scanned_at))
                              .where(Scan.store_id == store.id, Scan.id <= high))
    today = utcnow().astimezone(zone).date()
    start = (first.astimezone(zone).date() if first else today) - timedelta(days=1)
    db.session.execute(_insert_ignoring_conflict(ScanRollupProgress.__table__, {
        "store_id": store.id, "rolled_through": start, "last_scan_id": high,
        "timezone": store.timezone, "updated_at": utcnow()}))
    row = db.session.execute(query).first()
    return tuple(row) if row is not None else None


def roll_up(stores: list[Store], now: Optional[datetime] = None) -> int:
    """Bring these stores' rollups up to date; return the number of local days added.

    Flushes, never commits. Two callers at once cannot double-count: a conditional UPDATE of
    the store's progress row decides which one writes.
    """
    now = now or utcnow()
    high = db.session.scalar(select(func.max(Scan.id))) or 0
    added = 0
    for store in stores:
        progress = _progress(store, high)
        if progress is None:
            continue
        rolled_through, last_scan_id, _zone_name = progress
        zone = ZoneInfo(store.timezone)
        target = max(rolled_through,
                     (now - GRACE).astimezone(zone).date() - timedelta(days=1))
        rolled_end = local_midnight(zone, rolled_through + timedelta(days=1))
        # Late arrivals: stored after the last rollup, stamped on a rolled-up day. The id range
        # is the only usable index here (store_id + 0 keeps SQLite off the store index).
        scans = Scan.__table__.c
        late = list(_counted_rows(scans.id > last_scan_id, scans.id <= high,
                                  scans.store_id + 0 == store.id, scans.scanned_at < rolled_end))
        if target == rolled_through and not late:
            continue
        claimed = db.session.execute(
            update(ScanRollupProgress)
            .where(ScanRollupProgress.store_id == store.id,
                   ScanRollupProgress.rolled_through == rolled_through,
                   ScanRollupProgress.last_scan_id == last_scan_id)
            .values(rolled_through=target, last_scan_id=high, updated_at=now)
        ).rowcount
        if claimed != 1:
            continue  # another request is rolling this store up
        tally = _Tally(zone)
        tally.add(late)
        tally.add(_counted_rows(scans.store_id == store.id, scans.scanned_at >= rolled_end,
                                scans.scanned_at < local_midnight(zone, target
                                                                  + timedelta(days=1)),
                                scans.id <= high))
        _write(store.id, tally, rolled_through)
        added += (target - rolled_through).days
    db.session.flush()
    return added


def _write(store_id: int, tally: _Tally, rolled_through: date) -> None:
    """Insert the tally's new days; add late scans of already rolled-up days to their rows."""
    new_days, new_hours = [], []
    for (day, listing_id), (scans, repeats, shoppers) in tally.listings.items():
        existing = (db.session.get(ScanDayRollup, (store_id, day, listing_id))
                    if day <= rolled_through else None)
        if existing is None:
            new_days.append({"store_id": store_id, "day": day, "listing_id": listing_id,
                             "scans": scans, "repeat_scans": repeats,
                             "shopper_ids": ",".join(sorted(shoppers))})
        else:
            existing.scans += scans
            existing.repeat_scans += repeats
            known = set(existing.shopper_ids.split(",")) if existing.shopper_ids else set()
            existing.shopper_ids = ",".join(sorted(known | shoppers))
    for (day, hour), scans in tally.hours.items():
        existing = (db.session.get(ScanHourRollup, (store_id, day, hour))
                    if day <= rolled_through else None)
        if existing is None:
            new_hours.append({"store_id": store_id, "day": day, "hour": hour, "scans": scans})
        else:
            existing.scans += scans
    for model, rows in ((ScanDayRollup, new_days), (ScanHourRollup, new_hours)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])


@dataclass
class ScanTotals:
    """Counted scans in a window of local days, for a set of stores."""

    # listing_id -> [scans, repeat scans, distinct shopper ids]
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
            cell = self.listings[listing_id] = [0, 0, set()]
        cell[0] += scans
        cell[1] += repeats
        cell[2].update(shoppers)
        at_store = self.stores[store_id]
        at_store[0] += scans
        at_store[1].append(shoppers)
        if day in self.per_day:
            self.per_day[day] += scans

    def store_shoppers(self, store_id: int) -> int:
        """Distinct shoppers who scanned at a store (only the store table needs this)."""
        return len(set().union(*self.stores[store_id][1]))


def scan_totals(stores: list[Store], first: date, last: date) -> ScanTotals:
    """Counted scans from first to last (local days, inclusive): rollups, then the raw log."""
    roll_up(stores)
    totals = ScanTotals(per_day={first + timedelta(days=n): 0
                                 for n in range((last - first).days + 1)})
    rolled = dict(db.session.execute(
        select(ScanRollupProgress.store_id, ScanRollupProgress.rolled_through)
        .where(ScanRollupProgress.store_id.in_([store.id for store in stores]))
    ).all())
    days, hours = ScanDayRollup.__table__.c, ScanHourRollup.__table__.c
    # Core statements on the connection: thousands of plain rows, no ORM bookkeeping.
    connection = db.session.connection()
    for store in stores:
        totals.stores[store.id] = [0, []]
        zone = ZoneInfo(store.timezone)
        rolled_through = rolled.get(store.id, first - timedelta(days=1))
        if first <= rolled_through:
            through = min(last, rolled_through)
            listings, at_store = totals.listings, totals.stores[store.id]
            for listing_id, scans, repeats, shopper_ids in connection.execute(
                select(days.listing_id, days.scans, days.repeat_scans, days.shopper_ids)
                .where(days.store_id == store.id, days.day >= first, days.day <= through)
            ):
                # add_day, inlined: this loop runs once per listing and day.
                cell = listings.get(listing_id)
                if cell is None:
                    cell = listings[listing_id] = [0, 0, set()]
                cell[0] += scans
                cell[1] += repeats
                at_store[0] += scans
                if shopper_ids:
                    shoppers = shopper_ids.split(",")
                    cell[2].update(shoppers)
                    at_store[1].append(shoppers)
            for day, scans in connection.execute(
                select(days.day, func.sum(days.scans))
                .where(days.store_id == store.id, days.day >= first, days.day <= through)
                .group_by(days.day)
            ):
                totals.per_day[day] += int(scans)
            for hour, scans in connection.execute(
                select(hours.hour, func.sum(hours.scans))
                .where(hours.store_id == store.id, hours.day >= first, hours.day <= through)
                .group_by(hours.hour)
            ):
                totals.per_hour[hour] += int(scans)
        live_first = max(first, rolled_through + timedelta(days=1))
        if live_first <= last:
            tally = _Tally(zone)
            scans = Scan.__table__.c
            tally.add(_counted_rows(
                scans.store_id == store.id,
                scans.scanned_at >= local_midnight(zone, live_first),
                scans.scanned_at < local_midnight(zone, last + timedelta(days=1))))
            for (day, listing_id), (scans, repeats, shoppers) in tally.listings.items():
                totals.add_day(store.id, day, listing_id, scans, repeats, shoppers)
            for (_day, hour), scans in tally.hours.items():
                totals.per_hour[hour] += scans
    return totals
