"""Roll the scan log up into daily figures, and read scan figures for a window of local days.

A store's completed local days (ended at least GRACE ago) are rolled up into
scan_day_rollups / scan_hour_rollups; later days (today) are read from the scan log itself, so
the figures always equal a count over the raw scans. The rollup step runs before every read
(and from `qrshop analytics rollup`); it only writes when a day completed or a late scan of a
rolled-up day arrived. It never touches the scan INSERT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select, update

from qrshop.accounts.models import Store
from qrshop.analytics import zones
from qrshop.analytics.models import ScanDayRollup, ScanHourRollup, ScanRollupProgress
from qrshop.db import objects_kept_loaded, utcnow
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.shopper.models import Scan

# A day is rolled up only this long after its local midnight: a scan stamped just before
# midnight is committed well within it. A scan stored later still is merged by id (below).
GRACE = timedelta(minutes=10)
# Days rolled up per store and transaction. On SQLite a write transaction holds the database's
# one write lock, which scan requests wait for, so history is rolled up a day at a time.
DAYS_PER_STEP = 1


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


def counted_rows_by_store(*conditions) -> dict[int, list]:
    """_counted_rows of several stores in one query, split by store id."""
    scans = Scan.__table__.c
    by_store: dict[int, list] = defaultdict(list)
    for store_id, *row in db.session.connection().execute(
            select(scans.store_id, scans.listing_id, scans.shopper_id, scans.is_repeat,
                   _utc_minute())
            .where(scans.is_bot == literal(False), scans.listing_id.is_not(None),
                   *conditions)):
        by_store[store_id].append(row)
    return by_store


@dataclass
class Tally:
    """Counted scans of one store by (local day, listing) and by (local day, local hour)."""

    zone: ZoneInfo
    # (day, listing_id) -> [scans, repeat scans, shopper ids]
    listings: dict = field(default_factory=dict)
    hours: dict = field(default_factory=lambda: defaultdict(int))
    # UTC minute text -> (local day, local hour)
    labels: dict = field(default_factory=dict)

    def _label(self, minute: str) -> tuple[date, int]:
        local = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(self.zone)
        label = self.labels[minute] = (local.date(), local.hour)
        return label

    def add(self, rows: Iterable) -> None:
        """Count rows of _counted_rows."""
        labels, listings, hours = self.labels, self.listings, self.hours
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


@dataclass(frozen=True)
class _Progress:
    rolled_from: date
    rolled_through: date
    last_scan_id: int


def _yesterday(zone: ZoneInfo, now: datetime) -> date:
    """The last local day that ended at least GRACE ago."""
    return (now - GRACE).astimezone(zone).date() - timedelta(days=1)


_PROGRESS_COLUMNS = (ScanRollupProgress.rolled_from, ScanRollupProgress.rolled_through,
                     ScanRollupProgress.last_scan_id, ScanRollupProgress.timezone)


def _progress_rows(stores: list[Store]) -> dict:
    """The stores' progress rows, read in one query: {store_id: row}."""
    return {row.store_id: row for row in db.session.execute(
        select(*_PROGRESS_COLUMNS, ScanRollupProgress.store_id)
        .where(ScanRollupProgress.store_id.in_([store.id for store in stores])))}


def _progress(store: Store, high: int, now: datetime, row=None) -> Optional[_Progress]:
    """A store's rolled-up range of days (row: its progress row if read already), creating
    its (empty) row the first time."""
    query = select(*_PROGRESS_COLUMNS).where(ScanRollupProgress.store_id == store.id)
    if row is None:
        row = db.session.execute(query).first()
    if row is not None and row.timezone == store.timezone:
        return _Progress(*row[:3])
    if row is not None:
        # The store moved to another time zone: its local days changed, so start again.
        db.session.execute(delete(ScanDayRollup).where(ScanDayRollup.store_id == store.id))
        db.session.execute(delete(ScanHourRollup).where(ScanHourRollup.store_id == store.id))
        db.session.execute(delete(ScanRollupProgress)
                           .where(ScanRollupProgress.store_id == store.id))
        # The zone days it was summed into, and those of the zone it joins, are redone.
        zones.forget(store.retailer_id, row.timezone)
        zones.forget(store.retailer_id, store.timezone)
    yesterday = _yesterday(ZoneInfo(store.timezone), now)
    insert_ignoring_duplicates(ScanRollupProgress, {
        "store_id": store.id, "rolled_from": yesterday + timedelta(days=1),
        "rolled_through": yesterday, "last_scan_id": high, "timezone": store.timezone,
        "updated_at": now}, ["store_id"])
    row = db.session.execute(query).first()
    return _Progress(*row[:3]) if row is not None else None


def roll_up(stores: list[Store], now: Optional[datetime] = None, *,
            back_to: Optional[date] = None, max_days: Optional[int] = None) -> int:
    """Bring these stores' rollups up to date; return the number of local days added.

    The rolled-up days of a store are one unbroken range: it grows forward to the last
    completed day, and backward to back_to (a report's first day) when asked, at most
    max_days each way. Flushes, never commits. Two callers at once cannot double-count: a
    conditional UPDATE of the store's progress row decides which one writes.
    """
    now = now or utcnow()
    # Progress rows are claimed (row-locked on PostgreSQL) in store id order by every caller
    # (dashboards list stores by code, the worker by id): two callers never deadlock.
    stores = sorted(stores, key=lambda store: store.id)
    high = db.session.scalar(select(func.max(Scan.id))) or 0
    scans = Scan.__table__.c
    added = 0
    rows = _progress_rows(stores)
    progress = {store.id: _progress(store, high, now, rows.get(store.id)) for store in stores}
    # Late arrivals: stored after the last rollup, stamped on a rolled-up day; one query for
    # the stores that share a rollup state (most do). The id range is the only usable index
    # here (store_id + 0 keeps SQLite off the store index).
    sharing: dict[tuple, list[int]] = defaultdict(list)
    for store in stores:
        old = progress[store.id]
        if old is not None and old.rolled_from <= old.rolled_through:
            sharing[(old, store.timezone)].append(store.id)
    late_of: dict[int, list] = {}
    for (old, timezone), ids in sharing.items():
        zone = ZoneInfo(timezone)
        late_of.update(counted_rows_by_store(
            scans.id > old.last_scan_id, scans.id <= high, (scans.store_id + 0).in_(ids),
            scans.scanned_at >= local_midnight(zone, old.rolled_from),
            scans.scanned_at < local_midnight(zone, old.rolled_through + timedelta(days=1))))
    for store in stores:
        old = progress[store.id]
        if old is None:
            continue
        zone = ZoneInfo(store.timezone)
        through = max(old.rolled_through, _yesterday(zone, now))
        start = min(old.rolled_from, back_to) if back_to else old.rolled_from
        start = min(start, through + timedelta(days=1))
        if max_days is not None:
            through = min(through, old.rolled_through + timedelta(days=max_days))
            start = max(start, old.rolled_from - timedelta(days=max_days))
        old_start = local_midnight(zone, old.rolled_from)
        old_end = local_midnight(zone, old.rolled_through + timedelta(days=1))
        late = late_of.get(store.id, [])
        if (start, through) == (old.rolled_from, old.rolled_through) and not late:
            continue
        claimed = db.session.execute(
            update(ScanRollupProgress)
            .where(ScanRollupProgress.store_id == store.id,
                   ScanRollupProgress.rolled_from == old.rolled_from,
                   ScanRollupProgress.rolled_through == old.rolled_through,
                   ScanRollupProgress.last_scan_id == old.last_scan_id)
            .values(rolled_from=start, rolled_through=through, last_scan_id=high,
                    updated_at=now)
        ).rowcount
        if claimed != 1:
            continue  # another request is rolling this store up
        tally = Tally(zone)
        tally.add(late)
        if old.rolled_from > old.rolled_through:  # nothing rolled up yet
            old_start = old_end = local_midnight(zone, through + timedelta(days=1))
        # Days before the rolled-up range, then days after it.
        for begin, end in ((local_midnight(zone, start), old_start),
                           (old_end, local_midnight(zone, through + timedelta(days=1)))):
            if begin < end:
                tally.add(_counted_rows(scans.store_id == store.id, scans.scanned_at >= begin,
                                        scans.scanned_at < end, scans.id <= high))
        _write(store, tally, old)
        added += (old.rolled_from - start).days + (through - old.rolled_through).days
    db.session.flush()
    return added


def roll_up_in_steps(stores: list[Store], *, back_to: Optional[date]) -> int:
    """roll_up in short transactions of DAYS_PER_STEP days, each committed at once and holding
    the scan path's write lock (so waiting scans wake as soon as it ends); return the days
    added. Commits: call it before anything else is written in the request."""
    write_lock = current_app.extensions["qrshop.write_lock"]
    total = 0
    with objects_kept_loaded(db.session()):  # the rollup writes only its own tables
        while True:
            with write_lock():
                days = roll_up(stores, back_to=back_to, max_days=DAYS_PER_STEP)
                db.session.commit()
            if not days:
                return total
            total += days


def _write(store: Store, tally: Tally, old: _Progress) -> None:
    """Insert the tally's new days; add late scans of already rolled-up days to their rows;
    forget the zone days these rows were summed into."""
    store_id = store.id
    zones.forget(store.retailer_id, store.timezone,
                 {day for day, _ in tally.listings} | {day for day, _ in tally.hours})
    new_days, new_hours = [], []
    for (day, listing_id), (scans, repeats, shoppers) in tally.listings.items():
        existing = (db.session.get(ScanDayRollup, (store_id, day, listing_id))
                    if old.rolled_from <= day <= old.rolled_through else None)
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
                    if old.rolled_from <= day <= old.rolled_through else None)
        if existing is None:
            new_hours.append({"store_id": store_id, "day": day, "hour": hour, "scans": scans})
        else:
            existing.scans += scans
    for model, rows in ((ScanDayRollup, new_days), (ScanHourRollup, new_hours)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
