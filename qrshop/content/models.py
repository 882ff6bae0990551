"""Vendor content: uploaded media and its variants, content revisions, reviews, audit log."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime, utcnow
from qrshop.extensions import db


class Media(TimestampMixin, db.Model):
    """One uploaded file, named by the sha256 of its bytes."""

    __tablename__ = "media"
    # The same bytes uploaded by two vendors are stored once on disk but owned twice.
    __table_args__ = (UniqueConstraint("vendor_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="image",
                                      server_default="image")  # image, video, document
    original_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # What the image shows, in words: its alt text and gallery caption (never the file name).
    alt_text: Mapped[str] = mapped_column(String(300), default="", server_default="")
    extension: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    vendor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vendors.id"))

    @property
    def filename(self) -> str:
        """The stored file name: sha256 plus extension."""
        return f"{self.sha256}.{self.extension}"

    @property
    def is_raster_image(self) -> bool:
        """True for a (PNG, JPEG or WebP) image with its size known: what a logo needs (a PDF
        or MP4 stored as a retailer logo before the theme refused them is not one)."""
        return self.kind == "image" and bool(self.width) and bool(self.height)


class MediaVariant(db.Model):
    """A resized copy of an image (a width in one format), for responsive pages."""

    __tablename__ = "media_variants"

    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), primary_key=True)
    width: Mapped[int] = mapped_column(primary_key=True)
    extension: Mapped[str] = mapped_column(String(8), primary_key=True)
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]

    @property
    def filename(self) -> str:
        """The stored file name."""
        return f"{self.sha256}.{self.extension}"


class RevisionStatus(enum.StrEnum):
    """A revision is edited as a draft, then submitted (and immutable from then on)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ContentRevision(TimestampMixin, db.Model):
    """One version of a product's landing-page content: the template slots, filled in."""

    __tablename__ = "content_revisions"
    __table_args__ = (UniqueConstraint("product_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RevisionStatus.DRAFT.value)
    # Slot name -> value; images carry their stored variant names so a page needs no lookup.
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # The shoppers' language it is written in (qrshop.i18n.LOCALES), reviewed per language.
    locale: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    product: Mapped[Product] = relationship()  # noqa: F821  (catalog.models)
    reviews: Mapped[list[Review]] = relationship(back_populates="revision",
                                                 order_by="Review.retailer_id")

    @property
    def is_draft(self) -> bool:
        """Drafts can still be edited and submitted."""
        return self.status == RevisionStatus.DRAFT

    def slots_json(self) -> str:
        """The slots as the JSON text the landing page reads."""
        return json.dumps(self.slots, sort_keys=True)


class LiveTranslation(db.Model):
    """The approved revision a listing shows shoppers of one language other than its
    retailer's default (whose approved revision is listings.live_revision_id)."""

    __tablename__ = "live_translations"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("content_revisions.id"))


class ReviewStatus(enum.StrEnum):
    """A retailer's decision on a submitted revision."""

    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    SUPERSEDED = "superseded"  # a newer submission replaced it before a decision


class Review(TimestampMixin, db.Model):
    """A retailer's review of a submitted revision of a product it carries."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("revision_id", "retailer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("content_revisions.id"))
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default=ReviewStatus.PENDING.value)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    revision: Mapped[ContentRevision] = relationship(back_populates="reviews")
    retailer: Mapped[Retailer] = relationship()  # noqa: F821  (accounts.models)


class AuditEntry(db.Model):
    """Who did what to content, when: every submission and review decision."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("content_revisions.id"))
    retailer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("retailers.id"))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Optional[User]] = relationship()  # noqa: F821  (accounts.models)
