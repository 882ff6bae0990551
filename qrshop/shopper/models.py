"""Shoppers (anonymous, per retailer) and the append-only scan log."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import UTCDateTime, utcnow
from qrshop.extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL needs 64 bits for scans.
BigIntegerPK = BigInteger().with_variant(Integer(), "sqlite")


class Shopper(db.Model):
    """An anonymous shopper of one retailer, known by a random id in a signed cookie.

    The id is minted by the scan that sets the cookie, but the row is written only when the
    shopper first does something that needs it (saves an item, claims a coupon, subscribes,
    gives feedback, links a device): most people scan once and leave, and their scans need
    only the id. So scans.shopper_id has no foreign key; see shopper.services.
    """

    __tablename__ = "shoppers"
    # Finds every device's shopper with the same verified email (wish list across devices),
    # and serves every lookup by retailer: a second index on retailer_id alone would only
    # add a write to every new shopper.
    __table_args__ = (Index("ix_shoppers_retailer_id_email", "retailer_id", "email"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    email_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Scan(db.Model):
    """One request for a tag's landing page. Append-only; never stores an IP address.

    listing_id, store_id and retailer_id are copied from the tag at scan time so that analytics
    stay right when a tag is later reassigned. Only tag_id has a foreign key: the tag vouches
    for the copies, and a key on each would make every scan's INSERT lock its listing, store
    and retailer rows (every scan of a chain the same retailers row). Unknown codes are kept
    as orphan scans with tag_id NULL and the code in orphan_code.
    """

    __tablename__ = "scans"
    __table_args__ = (
        Index("ix_scans_shopper_id_tag_id_scanned_at", "shopper_id", "tag_id", "scanned_at"),
        # Covers the analytics queries (per store and time range): no table lookups.
        Index("ix_scans_store_id_scanned_at_counted", "store_id", "scanned_at", "is_bot",
              "listing_id", "shopper_id", "is_repeat"),
        Index("ix_scans_tag_id_scanned_at", "tag_id", "scanned_at"),
        # Partial: only scans inside an experiment are indexed (no cost to the others).
        Index("ix_scans_experiment_variant_id", "experiment_variant_id", "shopper_id",
              postgresql_where=text("experiment_variant_id IS NOT NULL"),
              sqlite_where=text("experiment_variant_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigIntegerPK, primary_key=True)
    tag_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tags.id"))
    # Copied from the tag; no foreign keys (see above).
    listing_id: Mapped[Optional[int]] = mapped_column(Integer())
    store_id: Mapped[Optional[int]] = mapped_column(Integer())
    retailer_id: Mapped[Optional[int]] = mapped_column(Integer())
    # The cookie's shopper id. No foreign key: the shoppers row may not exist (yet).
    shopper_id: Mapped[Optional[str]] = mapped_column(String(32))
    orphan_code: Mapped[Optional[str]] = mapped_column(String(32))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_bot: Mapped[bool] = mapped_column(default=False)
    # Why a scan is flagged is_bot: crawler, head, prefetch or no-agent.
    bot_reason: Mapped[Optional[str]] = mapped_column(String(16))
    is_repeat: Mapped[bool] = mapped_column(default=False)
    # phone, tablet or desktop, from the user agent at scan time (the agent is not kept).
    device: Mapped[Optional[str]] = mapped_column(String(8))
    # The experiment variant the page showed (docs/experiments.md); no foreign key, so the
    # append-only log's INSERT checks nothing more.
    experiment_variant_id: Mapped[Optional[int]] = mapped_column(Integer())
