"""Shoppers' ratings, "was this helpful?" answers and comments (table feedback)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Store


class CommentStatus(StrEnum):
    """Where a shopper's comment is in the merchandiser's moderation queue."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Feedback(TimestampMixin, db.Model):
    """A shopper's say about a listing: stars, "was this page helpful?", a comment.

    One row per shopper and listing; sending again replaces the earlier answer.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("shopper_id", "listing_id"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        Index("ix_feedback_listing_id_created_at", "listing_id", "created_at"),
        # The landing page's rating summary (count and sum of one listing's stars) and its
        # approved comments, newest first, read from indexes alone.
        Index("ix_feedback_listing_id_rating", "listing_id", "rating"),
        Index("ix_feedback_listing_id_comment_status_updated_at", "listing_id",
              "comment_status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    rating: Mapped[Optional[int]]
    is_helpful: Mapped[Optional[bool]]
    comment: Mapped[str] = mapped_column(Text, default="")
    # Nothing a shopper writes is shown on the landing page before a merchandiser approves
    # it; a changed comment goes back to pending (feedback.reviews).
    comment_status: Mapped[str] = mapped_column(
        String(16), default=CommentStatus.PENDING.value,
        server_default=CommentStatus.PENDING.value)
    moderated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    moderated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    store: Mapped[Optional[Store]] = relationship()
