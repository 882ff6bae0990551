"""Offers and the coupons shoppers claim from them (tables offers, coupon_claims)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.db import TimestampMixin, UTCDateTime, utcnow
from qrshop.extensions import db

if TYPE_CHECKING:  # only for type hints: relationships resolve by class name
    from qrshop.accounts.models import Retailer, Store, User
    from qrshop.catalog.models import Listing


class OfferKind(enum.StrEnum):
    """What a coupon of an offer gives the shopper."""

    PERCENT = "percent"
    AMOUNT = "amount"
    PERK = "perk"


class Offer(TimestampMixin, db.Model):
    """A merchandiser's instant offer: shoppers claim coupons from it on landing pages.

    listing_id NULL means every item of the retailer; store_id NULL means every store.
    claimed_count is only ever raised by one conditional UPDATE, so it never passes total_limit.
    """

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'amount', 'perk')", name="kind_known"),
        CheckConstraint(
            "(kind = 'percent' AND percent_off BETWEEN 1 AND 100) OR "
            "(kind = 'amount' AND amount_off_cents > 0) OR "
            "(kind = 'perk' AND perk_text IS NOT NULL)",
            name="value_matches_kind",
        ),
        CheckConstraint("ends_at > starts_at", name="window_not_empty"),
        CheckConstraint(
            "claimed_count >= 0 AND (total_limit IS NULL OR claimed_count <= total_limit)",
            name="claims_within_limit",
        ),
        CheckConstraint("per_shopper_limit >= 1", name="per_shopper_limit_positive"),
        CheckConstraint("coupon_valid_days >= 1", name="coupon_valid_days_positive"),
        Index("ix_offers_retailer_id_ends_at", "retailer_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    listing_id: Mapped[Optional[int]] = mapped_column(ForeignKey("listings.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    percent_off: Mapped[Optional[int]]
    amount_off_cents: Mapped[Optional[int]]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    perk_text: Mapped[Optional[str]] = mapped_column(String(200))
    terms: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    total_limit: Mapped[Optional[int]]
    claimed_count: Mapped[int] = mapped_column(default=0)
    per_shopper_limit: Mapped[int] = mapped_column(default=1)
    coupon_valid_days: Mapped[int] = mapped_column(default=7)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    retailer: Mapped[Retailer] = relationship()
    listing: Mapped[Optional[Listing]] = relationship()
    store: Mapped[Optional[Store]] = relationship()


class CouponClaim(db.Model):
    """One coupon a shopper claimed from an offer; redeemed at most once, at a till.

    code is the canonical 8-character form (shown to people as XXXX-XXXX). claim_number counts
    a shopper's claims of one offer (1, 2, ...); its unique constraint enforces the per-shopper
    limit even when the same shopper claims twice at once.
    """

    __tablename__ = "coupon_claims"
    __table_args__ = (
        UniqueConstraint("offer_id", "shopper_id", "claim_number"),
        CheckConstraint("claim_number >= 1", name="claim_number_positive"),
        CheckConstraint("sale_amount_cents IS NULL OR sale_amount_cents >= 0",
                        name="sale_amount_not_negative"),
        Index("ix_coupon_claims_shopper_id_claimed_at", "shopper_id", "claimed_at"),
        Index("ix_coupon_claims_listing_id_claimed_at", "listing_id", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    claim_number: Mapped[int] = mapped_column(default=1)
    # Where the shopper claimed it: the landing page's listing and store.
    listing_id: Mapped[Optional[int]] = mapped_column(ForeignKey("listings.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    redeemed_store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    redeemed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    sale_amount_cents: Mapped[Optional[int]]
    discount_cents: Mapped[Optional[int]]

    offer: Mapped[Offer] = relationship()
    listing: Mapped[Optional[Listing]] = relationship()
    store: Mapped[Optional[Store]] = relationship(foreign_keys=[store_id])
    redeemed_store: Mapped[Optional[Store]] = relationship(foreign_keys=[redeemed_store_id])
    redeemed_by: Mapped[Optional[User]] = relationship()
