"""Daily rollups of the scan log, so a dashboard reads a month without rereading every scan.

A rollup row holds the counted scans (bots excluded) of one store's completed local day.
The raw scans stay the source of truth: `qrshop.analytics.rollup` fills these tables from
them, and everything after the last rolled-up day is read from the scan log directly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, SmallInteger, String, Text
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
