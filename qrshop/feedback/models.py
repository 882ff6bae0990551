"""Shoppers' ratings, "was this helpful?" answers and comments (table feedback)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Store


class Feedback(TimestampMixin, db.Model):
    """A shopper's say about a listing: stars, "was this page helpful?", a comment.

    One row per shopper and listing; sending again replaces the earlier answer.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("shopper_id", "listing_id"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        Index("ix_feedback_listing_id_created_at", "listing_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    rating: Mapped[Optional[int]]
    is_helpful: Mapped[Optional[bool]]
    comment: Mapped[str] = mapped_column(Text, default="")

    store: Mapped[Optional[Store]] = relationship()
