"""Monthly partitions of the append-only tables on PostgreSQL (the scan log, the POS sales
lines): created ahead by the worker and `qrshop db partitions`, dropped whole by
`qrshop scans prune`. SQLite keeps one plain table and this module does nothing there.

A partition holds one UTC calendar month, [first instant, first instant of the next month),
and is named `<table>_YYYY_MM`; a row for a month without its partition lands in
`<table>_default`. Creating a month's partition when the default already holds rows of that
month moves those rows into it (PostgreSQL refuses a partition that would make rows of the
default misplaced). Everything that creates partitions takes one transaction-scoped advisory
lock first, so any number of machines may run it at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, text

# Every name put into SQL text here comes from PARTITIONED and dates, never from input.

# table -> the timestamp it is partitioned on.
PARTITIONED: dict[str, str] = {"scans": "scanned_at", "sales_lines": "sold_at"}
MONTHS_AHEAD = 3  # the current month and the next three always have their partitions
LOCK_TIMEOUT = "5s"
LOCK_KEY = 0x7172_5061  # pg_advisory_xact_lock key of partition maintenance ("qrPa")
_PARTITION_NAME = re.compile(r"^(?P<table>[a-z_]+)_(?:(?P<year>\d{4})_(?P<month>\d{2})|default)$")


@dataclass(frozen=True)
class Partition:
    """One partition: its table, name, first month (None for the default) and what was done."""

    table: str
    name: str
    month: date | None
    action: str = "found"  # found, created, dropped, would drop


def is_partition_name(name: str) -> bool:
    """True for a partition's own table name (scans_2026_12, scans_default): migrations'
    comparisons with the models leave those out."""
    match = _PARTITION_NAME.match(name)
    return bool(match) and match["table"] in PARTITIONED


def first_of_month(moment: datetime | date) -> date:
    """The first day of the (UTC) month of a moment."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return date(moment.year, moment.month, 1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    """scans_2026_12."""
    return f"{table}_{month:%Y_%m}"


def _bound(month: date) -> str:
    return f"{month:%Y-%m-%d} 00:00:00+00"


def is_partitioned(connection: Connection, table: str) -> bool:
    """True when `table` is a partitioned table (PostgreSQL after the conversion)."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.scalar(text(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c "
        "ON c.oid = p.partrelid WHERE c.relname = :table "
        "AND c.relnamespace = current_schema()::regnamespace)"), {"table": table}))


def partitions_of(connection: Connection, table: str) -> list[Partition]:
    """The partitions of `table`, oldest month first, the default last."""
    names = connection.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :table "
        "AND p.relnamespace = current_schema()::regnamespace"), {"table": table}).all()
    found = []
    for name in names:
        match = _PARTITION_NAME.match(name)
        if match and match["table"] == table:
            month = date(int(match["year"]), int(match["month"]), 1) if match["year"] else None
            found.append(Partition(table, name, month))
    return sorted(found, key=lambda part: (part.month is None, part.month or date.min))


def create_month(connection: Connection, table: str, month: date) -> bool:
    """Create the partition of one month unless it exists; True if created. Rows of that
    month already in the default partition move into it. Call under the advisory lock."""
    name, column = partition_name(table, month), PARTITIONED[table]
    if connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}):
        return False
    low, high = _bound(month), _bound(add_months(month, 1))
    default = f"{table}_default"
    has_default = connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"),
                                    {"name": default})
    stray = has_default and connection.scalar(text(
        f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE {column} >= :low '  # noqa: S608
        f'AND {column} < :high)'), {"low": low, "high": high})
    if not stray:
        connection.execute(text(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
            f"FOR VALUES FROM ('{low}') TO ('{high}')"))
        return True
    connection.execute(text(
        f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    connection.execute(text(
        f'WITH moved AS (DELETE FROM "{default}" WHERE {column} >= :low '  # noqa: S608
        f'AND {column} < :high RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'),
        {"low": low, "high": high})
    connection.execute(text(
        f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" '
        f"FOR VALUES FROM ('{low}') TO ('{high}')"))
    return True


def ensure_partitions(connection: Connection, now: datetime,
                      ahead: int = MONTHS_AHEAD) -> list[Partition]:
    """Create the partitions of this month and `ahead` more for every partitioned table (and
    a default partition if missing); return each with "created" or "found". Nothing on
    SQLite. Takes the advisory lock for the rest of the caller's transaction."""
    if connection.dialect.name != "postgresql":
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # Creating a partition locks its table briefly; behind a long report it would queue the
    # scans' INSERTs too. Give up instead: the next hour tries again, months ahead.
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    done = []
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        connection.execute(text(
            f'CREATE TABLE IF NOT EXISTS "{table}_default" PARTITION OF "{table}" DEFAULT'))
        for step in range(ahead + 1):
            month = add_months(first_of_month(now), step)
            created = create_month(connection, table, month)
            done.append(Partition(table, partition_name(table, month), month,
                                  "created" if created else "found"))
    return done


def drop_months_before(connection: Connection, table: str, cutoff: date,
                       dry_run: bool = False) -> tuple[list[Partition], int]:
    """Detach and drop the month partitions of `table` wholly before `cutoff` (a first of
    month), and delete the default partition's rows before it; return the partitions and
    the number of default rows (counted, on a dry run). Takes the advisory lock."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    column = PARTITIONED[table]
    dropped = []
    for part in partitions_of(connection, table):
        if part.month is None or add_months(part.month, 1) > cutoff:
            continue
        if not dry_run:
            connection.execute(text(f'ALTER TABLE "{table}" DETACH PARTITION "{part.name}"'))
            connection.execute(text(f'DROP TABLE "{part.name}"'))
        dropped.append(Partition(table, part.name, part.month,
                                 "would drop" if dry_run else "dropped"))
    default = f"{table}_default"
    stray = 0
    if connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": default}):
        where = f'FROM "{default}" WHERE {column} < :cutoff'
        if dry_run:
            stray = connection.scalar(text(f"SELECT count(*) {where}"),
                                      {"cutoff": _bound(cutoff)})
        else:
            stray = connection.execute(text(f"DELETE {where}"),
                                       {"cutoff": _bound(cutoff)}).rowcount
    return dropped, stray


@click.command("partitions")
@click.option("--ahead", default=MONTHS_AHEAD, show_default=True, type=click.IntRange(0, 24),
              help="Months after this one to create partitions for.")
@with_appcontext
def partitions_command(ahead: int):
    """Create the month partitions of the scan log and the sales lines for this month and
    the next ones (PostgreSQL); print what was created or found. Safe to run on several
    machines at once (the worker runs it every hour)."""
    from qrshop.db import utcnow
    from qrshop.extensions import db

    if db.engine.dialect.name != "postgresql":
        click.echo("Nothing to do: on SQLite the scan log and the sales lines are plain "
                   "tables (partitions are a PostgreSQL feature).")
        return
    with db.engine.begin() as connection:
        done = ensure_partitions(connection, utcnow(), ahead)
    if not done:
        click.echo("Nothing to do: no partitioned table (run `qrshop db upgrade` first).")
    for part in done:
        click.echo(f"{part.action:<8} {part.name}")
    created = sum(part.action == "created" for part in done)
    click.echo(f"{created} partitions created, {len(done) - created} already there.")
