"""Curated "complete the look" links between listings."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.extensions import db


class CuratedLink(db.Model):
    """A merchandiser's pick: show `related` on `listing`'s page, in this position."""

    __tablename__ = "curated_links"
    __table_args__ = (CheckConstraint("listing_id <> related_listing_id", name="not_itself"),)

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    related_listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
