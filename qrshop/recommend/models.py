"""Listings a merchandiser curated to go with a listing ("complete the look")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import UTCDateTime, utcnow
from qrshop.extensions import db


class CuratedRecommendation(db.Model):
    """One listing recommended on another listing's page, in the merchandiser's order."""

    __tablename__ = "curated_recommendations"
    __table_args__ = (
        CheckConstraint("listing_id <> recommended_listing_id", name="not_itself"),
    )

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    recommended_listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"),
                                                        primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CoScan(db.Model):
    """How many shoppers scanned `related` the same day as `listing`, at one store.

    Refreshed from the scan log by `qrshop recommend refresh` (run it hourly), so the scan
    path reads a few indexed rows instead of joining the scan log.
    """

    __tablename__ = "co_scans"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    related_listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"),
                                                    primary_key=True)
    shoppers: Mapped[int]
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
