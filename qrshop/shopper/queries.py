"""Reading the shopper feature's data from other features (outside the read models)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Exists, Select, exists, literal, select

from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper


def human_scans_exist(store_ids: Select) -> Exists:
    """An EXISTS probe: a shopper (not a bot) has scanned a tag in one of these stores."""
    return exists().where(Scan.store_id.in_(store_ids), Scan.is_bot == literal(False))


def retailer_of_shopper(shopper_id: str) -> Optional[int]:
    """The retailer a shopper row belongs to (None: no such row)."""
    return db.session.scalar(select(Shopper.retailer_id).where(Shopper.id == shopper_id))


def retailers_with_verified_email(email: str) -> set[int]:
    """The retailers where some shopper has verified this email."""
    return set(db.session.scalars(
        select(Shopper.retailer_id).where(Shopper.email == email,
                                          Shopper.email_verified_at.is_not(None))))
