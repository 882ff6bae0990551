"""Tables of the associate's client book: a shopper's consent per retailer
(client_book_consents) and the associates' notes about that shopper (client_notes)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import UTCDateTime, utcnow
from qrshop.extensions import db


class ClientBookConsent(db.Model):
    """A shopper let a retailer's associates see their wish list, requests and coupons and
    keep notes. The row is the consent: withdrawing deletes it (and the notes)."""

    __tablename__ = "client_book_consents"
    __table_args__ = (UniqueConstraint("shopper_id", "retailer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    consent_text: Mapped[str] = mapped_column(Text)  # as shown, in the shopper's language
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClientNote(db.Model):
    """An associate's note about a shopper who consented ("prefers size M")."""

    __tablename__ = "client_notes"
    __table_args__ = (Index("ix_client_notes_retailer_shopper", "retailer_id", "shopper_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
