"""Uploaded media, stored content-addressed by storage.py."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import TimestampMixin
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
