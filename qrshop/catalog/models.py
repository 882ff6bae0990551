"""Products owned by vendors, and listings: a retailer carrying a product."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.accounts.models import Retailer, Vendor
from qrshop.db import TimestampMixin
from qrshop.extensions import db


class Product(TimestampMixin, db.Model):
    """A vendor's product, identified worldwide by its GTIN (stored as GTIN-14)."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    gtin: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(120))

    vendor: Mapped[Vendor] = relationship()


class Listing(TimestampMixin, db.Model):
    """A retailer carries a product under its own SKU and price."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("retailer_id", "sku"),
        UniqueConstraint("retailer_id", "product_id"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # A template name from content.templates; None means the retailer's default.
    template: Mapped[Optional[str]] = mapped_column(String(32))
    # The content revision this retailer approved; shoppers see only this one.
    live_revision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("content_revisions.id"))

    retailer: Mapped[Retailer] = relationship()
    product: Mapped[Product] = relationship()
