"""Products owned by vendors, and listings: a retailer carrying a product."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Retailer, Store, Vendor


class Product(TimestampMixin, db.Model):
    """A vendor's product, identified worldwide by its GTIN (stored as GTIN-14)."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    gtin: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(120))
    # Variants (sizes, colours) share a group: the GTIN-14 of the group's first product
    # (the `variant_of` of imports); None for a product without variants.
    variant_group: Mapped[Optional[str]] = mapped_column(String(14), index=True)
    size: Mapped[Optional[str]] = mapped_column(String(40))
    colour: Mapped[Optional[str]] = mapped_column(String(40))

    vendor: Mapped[Vendor] = relationship()

    @property
    def variant_label(self) -> str:
        """What tells this variant from its siblings: "M · Navy"."""
        return " · ".join(part for part in (self.size, self.colour) if part)


class ListingStatus:
    """What `Listing.status` answers."""

    ACTIVE = "active"
    DISCONTINUED = "discontinued"


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
    # Set when the retailer stops carrying the product; its tags are retired at that moment.
    discontinued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    retailer: Mapped[Retailer] = relationship()
    product: Mapped[Product] = relationship()
    stock: Mapped[list[ListingStock]] = relationship(
        back_populates="listing", order_by="ListingStock.store_id")

    @property
    def status(self) -> str:
        """'active', or 'discontinued' once the retailer stopped carrying it."""
        return ListingStatus.DISCONTINUED if self.discontinued_at else ListingStatus.ACTIVE


class ListingStock(db.Model):
    """How many of a listing one store has, and where in the store it is."""

    __tablename__ = "listing_stock"
    __table_args__ = (
        CheckConstraint("in_stock >= 0", name="in_stock_not_negative"),
    )

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    # None: the quantity is not known (only the location was given).
    in_stock: Mapped[Optional[int]]
    location: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    listing: Mapped[Listing] = relationship(back_populates="stock")
    store: Mapped[Store] = relationship()
