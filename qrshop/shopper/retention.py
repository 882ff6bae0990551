"""How long the scan log keeps its rows: `qrshop scans prune --older-than MONTHS`.

Scans of the months before the cutoff go: on PostgreSQL whole month partitions are detached
and dropped (instant, no dead rows left to vacuum) and the default partition's stray old rows
deleted; on SQLite, or a PostgreSQL scan log not yet partitioned, rows are deleted in batches
by id. The rollups (scan_day_rollups, scan_hour_rollups) are another feature's tables and stay:
dashboards of pruned periods still show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select

from qrshop.extensions import db
from qrshop.partitions import (
    Partition,
    add_months,
    drop_months_before,
    first_of_month,
    is_partitioned,
)
from qrshop.shopper.models import Scan

MAX_MONTHS = 1200
BATCH = 5000  # rows per DELETE on SQLite: each batch is a short write transaction


def prune_cutoff(months: int, now: datetime) -> date:
    """The first instant kept: the first of the month `months` months before this one (UTC);
    with 12 in December 2026, 2025-12-01."""
    return add_months(first_of_month(now), -months)


@dataclass
class PruneReport:
    """What a prune removed (or would remove, on a dry run)."""

    cutoff: date
    partitions: list[Partition] = field(default_factory=list)
    rows: int = 0  # rows deleted one by one (SQLite, or PostgreSQL's default partition)


def prune_partitions(cutoff: date, dry_run: bool = False) -> PruneReport | None:
    """On a partitioned scan log, drop the month partitions before cutoff (and the default
    partition's older rows); None when the scan log is a plain table. Does not commit."""
    connection = db.session.connection()
    if not is_partitioned(connection, Scan.__tablename__):
        return None
    dropped, rows = drop_months_before(connection, Scan.__tablename__, cutoff, dry_run)
    return PruneReport(cutoff, dropped, rows)


def _before(cutoff: date):
    return Scan.scanned_at < datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)


def count_scans_before(cutoff: date) -> int:
    """How many scans a prune to cutoff would delete from a plain table."""
    return db.session.scalar(select(func.count()).select_from(Scan).where(_before(cutoff)))


def delete_scan_batch(cutoff: date, limit: int = BATCH) -> int:
    """Delete up to `limit` of the oldest scans before cutoff from a plain table; return how
    many. Flushes; the caller commits each batch (short write transactions on SQLite)."""
    ids = select(Scan.id).where(_before(cutoff)).order_by(Scan.id).limit(limit)
    return db.session.execute(delete(Scan).where(Scan.id.in_(ids.scalar_subquery()))).rowcount
