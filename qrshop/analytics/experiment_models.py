"""Experiments: a listing shows two or three variants to shoppers split by weight, and the
console compares what each variant's shoppers did (docs/experiments.md).

The scan log records which variant a scan showed in scans.experiment_variant_id (the scan's
one INSERT carries it); saves and claims are attributed to the variant their shopper was
assigned, which is stable for the whole experiment (qrshop.shopper.experiment_path).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db


class Experiment(TimestampMixin, db.Model):
    """One experiment on one listing, from starts_at until ends_at (or ended_at if ended
    early)."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when a merchandiser ends it before ends_at.
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    variants: Mapped[list[ExperimentVariant]] = relationship(
        back_populates="experiment", order_by="ExperimentVariant.position",
        cascade="all, delete-orphan")

    @property
    def effective_end(self) -> datetime:
        """When it stops (or stopped) showing variants."""
        if self.ended_at is not None and self.ended_at < self.ends_at:
            return self.ended_at
        return self.ends_at

    def status(self, now: datetime) -> str:
        """scheduled, running or finished (ended early counts as finished)."""
        if self.ended_at is not None or now >= self.ends_at:
            return "finished"
        return "running" if now >= self.starts_at else "scheduled"


class ExperimentVariant(db.Model):
    """One variant: the listing as it is (no override), or another template, another
    approved revision, or another offer; shown to `weight` percent of the shoppers."""

    __tablename__ = "experiment_variants"
    __table_args__ = (UniqueConstraint("experiment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"))
    position: Mapped[int] = mapped_column(SmallInteger())  # 0, 1, 2: A, B, C
    label: Mapped[str] = mapped_column(String(60))
    weight: Mapped[int] = mapped_column(Integer())  # percent; an experiment's sum to 100
    template: Mapped[Optional[str]] = mapped_column(String(32))
    revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("content_revisions.id"))
    offer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("offers.id"))

    experiment: Mapped[Experiment] = relationship(back_populates="variants")

    @property
    def letter(self) -> str:
        """A, B or C."""
        return "ABC"[self.position]

    @property
    def kind(self) -> str:
        """What the variant changes: current, template, revision or offer."""
        if self.template:
            return "template"
        if self.revision_id:
            return "revision"
        if self.offer_id:
            return "offer"
        return "current"
