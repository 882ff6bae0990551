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

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select, update

from qrshop.accounts.models import Store
from qrshop.analytics.models import ScanDayRollup, ScanHourRollup, ScanRollupProgress
from qrshop.db import utcnow
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


@dataclass(frozen=True)
class _Progress:
    rolled_from: date
    rolled_through: date
    last_scan_id: int


def _yesterday(zone: ZoneInfo, now: datetime) -> date:
    """The last local day that ended at least GRACE ago."""
    return (now - GRACE).astimezone(zone).date() - timedelta(days=1)


def _progress(store: Store, high: int, now: datetime) -> Optional[_Progress]:
    """A store's rolled-up range of days, creating its (empty) row the first time."""
    query = (select(ScanRollupProgress.rolled_from, ScanRollupProgress.rolled_through,
                    ScanRollupProgress.last_scan_id, ScanRollupProgress.timezone)
             .where(ScanRollupProgress.store_id == store.id))
    row = db.session.execute(query).first()
    if row is not None and row.timezone == store.timezone:
        return _Progress(*row[:3])
    if row is not None:
        # The store moved to another time zone: its local days changed, so start again.
        db.session.execute(delete(ScanDayRollup).where(ScanDayRollup.store_id == store.id))
        db.session.execute(delete(ScanHourRollup).where(ScanHourRollup.store_id == store.id))
        db.session.execute(delete(ScanRollupProgress)
                           .where(ScanRollupProgress.store_id == store.id))
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
    high = db.session.scalar(select(func.max(Scan.id))) or 0
    scans = Scan.__table__.c
    added = 0
    for store in stores:
        old = _progress(store, high, now)
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
        # Late arrivals: stored after the last rollup, stamped on a rolled-up day. The id range
        # is the only usable index here (store_id + 0 keeps SQLite off the store index).
        late = list(_counted_rows(scans.id > old.last_scan_id, scans.id <= high,
                                  scans.store_id + 0 == store.id,
                                  scans.scanned_at >= old_start, scans.scanned_at < old_end)
                    ) if old.rolled_from <= old.rolled_through else []
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
        tally = _Tally(zone)
        tally.add(late)
        if old.rolled_from > old.rolled_through:  # nothing rolled up yet
            old_start = old_end = local_midnight(zone, through + timedelta(days=1))
        # Days before the rolled-up range, then days after it.
        for begin, end in ((local_midnight(zone, start), old_start),
                           (old_end, local_midnight(zone, through + timedelta(days=1)))):
            if begin < end:
                tally.add(_counted_rows(scans.store_id == store.id, scans.scanned_at >= begin,
                                        scans.scanned_at < end, scans.id <= high))
        _write(store.id, tally, old)
        added += (old.rolled_from - start).days + (through - old.rolled_through).days
    db.session.flush()
    return added


def roll_up_in_steps(stores: list[Store], *, back_to: Optional[date]) -> int:
    """roll_up in short transactions of DAYS_PER_STEP days, each committed at once and holding
    the scan path's write lock (so waiting scans wake as soon as it ends); return the days
    added. Commits: call it before anything else is written in the request."""
    write_lock = current_app.extensions["qrshop.write_lock"]
    total = 0
    while True:
        with write_lock():
            days = roll_up(stores, back_to=back_to, max_days=DAYS_PER_STEP)
            db.session.commit()
        if not days:
            return total
        total += days


def _write(store_id: int, tally: _Tally, old: _Progress) -> None:
    """Insert the tally's new days; add late scans of already rolled-up days to their rows."""
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


@dataclass
class ScanTotals:
    """Counted scans in a window of local days, for a set of stores."""

    # listing_id -> [scans, repeat scans, the shopper-id collections of its days]. The
    # collections are united only when counted: one C-level union per listing instead of a
    # set growing row by row (which also keeps the garbage collector busy).
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
        return len(set().union(*self.listings[listing_id][2]))

    def store_shoppers(self, store_id: int) -> int:
        """Distinct shoppers who scanned at a store (only the store table needs this)."""
        return len(set().union(*self.stores[store_id][1]))


def scan_totals(stores: list[Store], first: date, last: date, *,
                series_only: bool = False) -> ScanTotals:
    """Counted scans from first to last (local days, inclusive): rollups, then the raw log.

    series_only: only per_day and per_hour are wanted (a chart's previous period), so the
    rolled-up days' listing rows, with their shopper ids, are not read at all."""
    roll_up_in_steps(stores, back_to=first)
    totals = ScanTotals(per_day={first + timedelta(days=n): 0
                                 for n in range((last - first).days + 1)})
    rolled = {store_id: (rolled_from, rolled_through)
              for store_id, rolled_from, rolled_through in db.session.execute(
                  select(ScanRollupProgress.store_id, ScanRollupProgress.rolled_from,
                         ScanRollupProgress.rolled_through)
                  .where(ScanRollupProgress.store_id.in_([store.id for store in stores])))}
    days, hours = ScanDayRollup.__table__.c, ScanHourRollup.__table__.c
    # Core statements on the connection: thousands of plain rows, no ORM bookkeeping.
    connection = db.session.connection()
    for store in stores:
        totals.stores[store.id] = [0, []]
        zone = ZoneInfo(store.timezone)
        rolled_from, rolled_through = rolled.get(store.id, (last + timedelta(days=1), last))
        since, through = max(first, rolled_from), min(last, rolled_through)
        if since <= through and not series_only:
            listings, at_store = totals.listings, totals.stores[store.id]
            for listing_id, scans, repeats, shopper_ids in connection.execute(
                select(days.listing_id, days.scans, days.repeat_scans, days.shopper_ids)
                .where(days.store_id == store.id, days.day >= since, days.day <= through)
            ):
                # add_day, inlined: this loop runs once per listing and day.
                cell = listings.get(listing_id)
                if cell is None:
                    cell = listings[listing_id] = [0, 0, []]
                cell[0] += scans
                cell[1] += repeats
                at_store[0] += scans
                if shopper_ids:
                    shoppers = shopper_ids.split(",")
                    cell[2].append(shoppers)
                    at_store[1].append(shoppers)
        if since <= through:
            for day, scans in connection.execute(
                select(days.day, func.sum(days.scans))
                .where(days.store_id == store.id, days.day >= since, days.day <= through)
                .group_by(days.day)
            ):
                totals.per_day[day] += int(scans)
            for hour, scans in connection.execute(
                select(hours.hour, func.sum(hours.scans))
                .where(hours.store_id == store.id, hours.day >= since, hours.day <= through)
                .group_by(hours.hour)
            ):
                totals.per_hour[hour] += int(scans)
        # Days outside the rolled-up range (today, and days before it) come from the log.
        if since <= through:
            live = [(first, since - timedelta(days=1)), (through + timedelta(days=1), last)]
        else:
            live = [(first, last)]
        log = Scan.__table__.c
        for live_first, live_last in live:
            if live_first > live_last:
                continue
            tally = _Tally(zone)
            tally.add(_counted_rows(
                log.store_id == store.id,
                log.scanned_at >= local_midnight(zone, live_first),
                log.scanned_at < local_midnight(zone, live_last + timedelta(days=1))))
            for (day, listing_id), (count, repeats, shoppers) in tally.listings.items():
                totals.add_day(store.id, day, listing_id, count, repeats, shoppers)
            for (_day, hour), count in tally.hours.items():
                totals.per_hour[hour] += count
    return totals
