"""Daily rollups of the scan log, so a dashboard reads a month without rereading every scan.

A rollup row holds the counted scans (bots excluded) of one store's completed local day.
The raw scans stay the source of truth: `qrshop.analytics.rollup` fills these tables from
them, and everything after the last rolled-up day is read from the scan log directly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import UTCDateTime, utcnow
from qrshop.extensions import db


class ScanDayRollup(db.Model):
    """One listing's counted scans at one store on one local day."""

    __tablename__ = "scan_day_rollups"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    scans: Mapped[int] = mapped_column(default=0)
    repeat_scans: Mapped[int] = mapped_column(default=0)
    # The distinct shopper ids of those scans, sorted, comma-separated: unique shoppers over
    # any range of days stay exact (a union, not a sum of daily counts).
    shopper_ids: Mapped[str] = mapped_column(Text(), default="")


class ScanHourRollup(db.Model):
    """Counted scans at one store in one local hour of one local day (the time-of-day chart)."""

    __tablename__ = "scan_hour_rollups"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger(), primary_key=True, autoincrement=False)
    scans: Mapped[int] = mapped_column(default=0)


class ScanRollupProgress(db.Model):
    """Which of one store's days are rolled up: an unbroken range of local days.

    Every counted scan of the store with a local day from rolled_from to rolled_through and an
    id up to last_scan_id is in the rollup tables; a later-stored scan of such a day (a late
    arrival) is merged in by the next rollup step. rolled_from > rolled_through: none yet.
    """

    __tablename__ = "scan_rollup_progress"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True,
                                          autoincrement=False)
    rolled_from: Mapped[date] = mapped_column(Date())
    rolled_through: Mapped[date] = mapped_column(Date())
    last_scan_id: Mapped[int] = mapped_column(BigInteger(), default=0)
    # The store's time zone when its days were rolled up: if it changes, they are redone.
    timezone: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SalesLine(db.Model):
    """One line of a retailer's POS sales feed: a quantity of a listing sold (or returned,
    negative) at a store at an instant. line_id is the retailer's own id of the line: a
    resent line is recognised by it (in sales_line_keys) and stored once.

    On PostgreSQL the table is partitioned by month on sold_at (qrshop.partitions), its
    primary key (id, sold_at); a unique (retailer_id, line_id) would have to hold sold_at too,
    hence SalesLineKey."""

    __tablename__ = "sales_lines"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    line_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The store's local date of sold_at, fixed when the line is stored (its rollup's day).
    day: Mapped[date] = mapped_column(Date())
    quantity: Mapped[int] = mapped_column()
    amount_cents: Mapped[int] = mapped_column(BigInteger())
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SalesLineKey(db.Model):
    """A line_id a retailer has sent: the line is stored when its key is new. A small plain
    table (never partitioned), so "a resend is already known" holds whatever its sold_at."""

    __tablename__ = "sales_line_keys"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SalesDayRollup(db.Model):
    """One listing's POS sales at one store on one local day: kept up to date as lines are
    stored (in the same transaction), so reports never read the raw lines."""

    __tablename__ = "sales_day_rollups"
    __table_args__ = (Index("ix_sales_day_rollups_listing_day", "listing_id", "day"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger(), default=0)
    lines: Mapped[int] = mapped_column(default=0)


class ScanZoneRollup(db.Model):
    """A retailer's counted scans of one local day at all its stores in one time zone, derived
    from that day's store rows (scan_day_rollups, scan_hour_rollups): what a chain-wide report
    reads, so 200 stores cost it as many rows as one. One row per kind and key: the day's
    total (kind DAY, key 0, also the mark that the day is built), a listing's (LISTING, its
    id), a store's (STORE, its id) or a local hour's (HOUR, 0-23). shoppers: the distinct
    shoppers of a LISTING or STORE row as sorted 64-bit hashes of their ids (8 bytes each,
    little-endian; zones.shopper_hashes), which numpy unites in C over a month of a chain.

    Built on first read (qrshop.analytics.zones) and deleted whenever a store row of its day
    changes, so it always equals the store rows it sums."""

    __tablename__ = "scan_zone_rollups"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger(), primary_key=True, autoincrement=False)
    key: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    scans: Mapped[int] = mapped_column(default=0)
    repeat_scans: Mapped[int] = mapped_column(default=0)
    shoppers: Mapped[bytes] = mapped_column(LargeBinary(), default=b"")


class SalesChainRollup(db.Model):
    """One listing's POS sales at all of a retailer's stores on one local day (each line on
    its store's local day): the sum of its sales_day_rollups rows, kept in the same
    transaction, so a chain-wide report reads one row per listing and day, not one per
    store (a report on some stores reads sales_day_rollups)."""

    __tablename__ = "sales_chain_rollups"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger(), default=0)
    lines: Mapped[int] = mapped_column(default=0)
