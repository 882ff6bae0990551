"""Uploaded media, stored content-addressed by storage.py."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import TimestampMixin
from qrshop.extensions import db


class Media(TimestampMixin, db.Model):
    """One uploaded file, named by the sha256 of its bytes."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
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
