"""A chain's rolled-up days, summed over the stores of one time zone (scan_zone_rollups).

A report on every store of a retailer would otherwise read one row per store, listing and day
(200 stores x 100 listings x 30 days = 600,000 rows, a second of Python at 10 million scans).
Stores in one time zone share their local days, so their store rows of a day add up to one
row per listing, store and hour of that zone and day: what build_days() writes the first time
a report asks for the day, and what rollup.py deletes whenever a store row of the day changes
(a late scan, a store moving to another time zone).

A zone day is built only when every store of the zone has rolled it up: on PostgreSQL the
stores' progress rows are read FOR SHARE, which waits for a rollup step writing one of them to
commit; on SQLite the build's first statement is a DELETE, which takes the database's one
write lock before anything is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from hashlib import blake2b
from typing import Optional

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, insert, select

from qrshop.accounts.models import Store
from qrshop.analytics.models import (
    ScanDayRollup,
    ScanHourRollup,
    ScanRollupProgress,
    ScanZoneRollup,
)
from qrshop.db import BINARY_RESULTS, objects_kept_loaded
from qrshop.extensions import db

DAY, LISTING, STORE, HOUR = 0, 1, 2, 3
NO_SHOPPERS = np.empty(0, dtype="<i8")


def shopper_hashes(shopper_ids: Collection[str]) -> np.ndarray:
    """Distinct shopper ids as sorted 64-bit hashes (BLAKE2b): what a zone row keeps. Two ids
    share a hash with odds of about one in 10^7 among a million shoppers, so counts stay
    exact for any real chain."""
    if not shopper_ids:
        return NO_SHOPPERS
    hashes = np.fromiter(
        (int.from_bytes(blake2b(shopper_id.encode(), digest_size=8).digest(), "little",
                        signed=True) for shopper_id in shopper_ids),
        dtype="<i8", count=len(shopper_ids))
    hashes.sort()
    return hashes


def distinct_shoppers(parts: Collection) -> int:
    """How many distinct shoppers are in these collections: zone rows' hash arrays and
    shopper ids (of store rows and of today's scans), united."""
    arrays = [part for part in parts if isinstance(part, np.ndarray)]
    if not arrays:
        return len(set().union(*parts))
    ids = set().union(*(part for part in parts if not isinstance(part, np.ndarray)))
    if ids:
        arrays.append(shopper_hashes(ids))
    return _distinct(np.concatenate(arrays))


def _distinct(hashes: np.ndarray) -> int:
    """How many distinct values: sorted in place, then counted where they change (an order
    of magnitude faster than np.unique on the few thousand values of a listing's month)."""
    if not hashes.size:
        return 0
    hashes.sort()
    return int(np.count_nonzero(hashes[1:] != hashes[:-1])) + 1

_ZONE = ScanZoneRollup.__table__.c


def forget(retailer_id: int, timezone: str, days: Iterable[date] | None = None) -> None:
    """Delete a zone's built days (all of them without days): their store rows changed."""
    query = delete(ScanZoneRollup).where(ScanZoneRollup.retailer_id == retailer_id,
                                         ScanZoneRollup.timezone == timezone)
    if days is not None:
        days = sorted(set(days))
        if not days:
            return
        query = query.where(ScanZoneRollup.day.in_(days))
    db.session.execute(query)


def zone_stores(stores: list[Store]) -> dict[tuple[int, str], list[int]]:
    """Every store id of these stores' retailers, by (retailer, time zone): one query.

    A retailer with a store whose time zone changed since its days were rolled up is left
    out: its old zone's built days still hold that store's scans until a rollup step of the
    store forgets them (rollup._progress), so its reports read store rows until then."""
    zones: dict[tuple[int, str], list[int]] = defaultdict(list)
    moved: set[int] = set()
    retailer_ids = sorted({store.retailer_id for store in stores})
    for store_id, retailer_id, timezone, rolled_in in db.session.execute(
            select(Store.id, Store.retailer_id, Store.timezone, ScanRollupProgress.timezone)
            .outerjoin(ScanRollupProgress, ScanRollupProgress.store_id == Store.id)
            .where(Store.retailer_id.in_(retailer_ids))):
        zones[(retailer_id, timezone)].append(store_id)
        if rolled_in is not None and rolled_in != timezone:
            moved.add(retailer_id)
    return {key: ids for key, ids in zones.items() if key[0] not in moved}


def built_days(retailer_id: int, timezone: str, first: date, last: date) -> set[date]:
    """The zone's days from first to last that are built."""
    return set(db.session.scalars(
        select(ScanZoneRollup.day).where(
            ScanZoneRollup.retailer_id == retailer_id, ScanZoneRollup.timezone == timezone,
            ScanZoneRollup.day >= first, ScanZoneRollup.day <= last,
            ScanZoneRollup.kind == DAY, ScanZoneRollup.key == 0)))


def ensure_days(retailer_id: int, timezone: str, store_ids: list[int], first: date,
                last: date) -> Optional[int]:
    """Build the zone's missing days from first to last, a day per committed transaction;
    return how many were built, None if one could not be (a store of the zone has not rolled
    it up). Commits: call it before anything else is written in the request (like
    rollup.roll_up_in_steps)."""
    have = built_days(retailer_id, timezone, first, last)
    missing = [first + timedelta(days=n) for n in range((last - first).days + 1)
               if first + timedelta(days=n) not in have]
    if not missing:
        return 0
    write_lock = current_app.extensions["qrshop.write_lock"]
    with objects_kept_loaded(db.session()):  # the builds write only their own table
        db.session.commit()  # end the read: a build starts with its write
        for day in missing:
            with write_lock():
                built = build_day(retailer_id, timezone, store_ids, day)
                if built:
                    db.session.commit()
                else:
                    db.session.rollback()
            if not built:
                return None
    return len(missing)


def build_all(stores: list[Store], since: Optional[date] = None) -> int:
    """Build every day (from since, if given) that all the stores of a zone have rolled up,
    for these stores' retailers (`qrshop analytics rollup`, and the worker for recent days:
    a chain's first report then reads built days); return how many were built."""
    ranges = {store_id: (rolled_from, rolled_through)
              for store_id, rolled_from, rolled_through in db.session.execute(
                  select(ScanRollupProgress.store_id, ScanRollupProgress.rolled_from,
                         ScanRollupProgress.rolled_through))}
    built = 0
    for (retailer_id, timezone), store_ids in zone_stores(stores).items():
        spans = [ranges.get(store_id) for store_id in store_ids]
        if None in spans:
            continue
        first, last = max(span[0] for span in spans), min(span[1] for span in spans)
        if since is not None:
            first = max(first, since)
        if first <= last:
            built += ensure_days(retailer_id, timezone, store_ids, first, last) or 0
    return built


def build_day(retailer_id: int, timezone: str, store_ids: list[int], day: date) -> bool:
    """Write one zone day from its store rows; False (nothing written) when a store of the
    zone has not rolled the day up yet (or moved zone). Flushes, never commits."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One builder of a zone at a time (a second one would insert the same keys); it
        # finds the day built when the first one is done.
        db.session.execute(select(func.pg_advisory_xact_lock(_lock_key(retailer_id,
                                                                        timezone))))
        if built_days(retailer_id, timezone, day, day):
            return True
    forget(retailer_id, timezone, [day])  # first: on SQLite, the write lock before any read
    progress = db.session.execute(
        select(ScanRollupProgress.store_id, ScanRollupProgress.rolled_from,
               ScanRollupProgress.rolled_through, ScanRollupProgress.timezone)
        .where(ScanRollupProgress.store_id.in_(store_ids))
        .order_by(ScanRollupProgress.store_id)  # locked in id order, as roll_up claims them
        .with_for_update(read=True)).all()
    covered = {store_id for store_id, rolled_from, rolled_through, zone in progress
               if rolled_from <= day <= rolled_through and zone == timezone}
    if covered != set(store_ids):
        return False
    days, hours = ScanDayRollup.__table__.c, ScanHourRollup.__table__.c
    listings: dict[int, list] = {}
    at_stores: dict[int, list] = {}
    total = 0
    for store_id, listing_id, scans, repeats, shopper_ids in db.session.connection().execute(
            select(days.store_id, days.listing_id, days.scans, days.repeat_scans,
                   days.shopper_ids)
            .where(days.store_id.in_(store_ids), days.day == day)):
        shoppers = shopper_ids.split(",") if shopper_ids else ()
        cell = listings.setdefault(listing_id, [0, 0, set()])
        cell[0] += scans
        cell[1] += repeats
        cell[2].update(shoppers)
        at_store = at_stores.setdefault(store_id, [0, 0, set()])
        at_store[0] += scans
        at_store[1] += repeats
        at_store[2].update(shoppers)
        total += scans
    rows = [{"kind": DAY, "key": 0, "scans": total, "repeat_scans": 0, "shoppers": b""}]
    for kind, cells in ((LISTING, listings), (STORE, at_stores)):
        rows.extend({"kind": kind, "key": key, "scans": scans, "repeat_scans": repeats,
                     "shoppers": shopper_hashes(shoppers).tobytes()}
                    for key, (scans, repeats, shoppers) in cells.items())
    rows.extend({"kind": HOUR, "key": hour, "scans": int(scans), "repeat_scans": 0,
                 "shoppers": b""}
                for hour, scans in db.session.connection().execute(
                    select(hours.hour, func.sum(hours.scans))
                    .where(hours.store_id.in_(store_ids), hours.day == day)
                    .group_by(hours.hour)))
    for row in rows:
        row.update(retailer_id=retailer_id, timezone=timezone, day=day)
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(ScanZoneRollup), rows[start:start + 5000])
    return True


def _lock_key(retailer_id: int, timezone: str) -> int:
    """The advisory lock of a retailer's zone: a signed 64-bit number of its name."""
    return int.from_bytes(blake2b(f"qrshop.zone:{retailer_id}:{timezone}".encode(),
                                  digest_size=8).digest(), "little", signed=True)


def read_days(retailer_id: int, timezone: str, first: date, last: date, *,
              series_only: bool = False):
    """The zone's built rows from first to last: (day, kind, key, scans, repeats, shopper
    hashes as bytes); only the DAY and HOUR rows with series_only."""
    query = (select(_ZONE.day, _ZONE.kind, _ZONE.key, _ZONE.scans, _ZONE.repeat_scans,
                    _ZONE.shoppers)
             .where(_ZONE.retailer_id == retailer_id, _ZONE.timezone == timezone,
                    _ZONE.day >= first, _ZONE.day <= last))
    if series_only:
        query = query.with_only_columns(_ZONE.day, _ZONE.kind, _ZONE.key, _ZONE.scans).where(
            _ZONE.kind.in_((DAY, HOUR)))
    return db.session.connection().execute(query.execution_options(**{BINARY_RESULTS: True}))
