"""A tag: a short code printed as a QR that points at one listing in one store."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Store
    from qrshop.catalog.models import Listing


class Tag(TimestampMixin, db.Model):
    """A printed QR tag on a shelf, hang tag or poster."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    placement: Mapped[str] = mapped_column(String(120), default="")
    printed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    listing: Mapped[Listing] = relationship()
    store: Mapped[Store] = relationship()

    @property
    def status(self) -> str:
        """'active' or 'retired'."""
        return "retired" if self.retired_at else "active"
