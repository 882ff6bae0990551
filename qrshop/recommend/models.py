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
