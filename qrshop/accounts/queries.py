"""Reading accounts from other features: retailers, their stores, their staff."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Select, select

from qrshop.accounts.models import Retailer, Store, User
from qrshop.extensions import db


def retailer(retailer_id: int) -> Optional[Retailer]:
    """The retailer with this id, if any."""
    return db.session.get(Retailer, retailer_id)


def retailer_staff_ids(retailer_id: int) -> Select[tuple[int]]:
    """A subquery of the ids of the retailer's staff users (to filter by author)."""
    return select(User.id).where(User.retailer_id == retailer_id)


def store(store_id: int) -> Optional[Store]:
    """The store with this id, if any."""
    return db.session.get(Store, store_id)


def stores_of_retailer(retailer_id: int) -> list[Store]:
    """The retailer's stores, by code."""
    return list(db.session.scalars(
        select(Store).where(Store.retailer_id == retailer_id).order_by(Store.code)))


def first_store(retailer_id: int) -> Optional[Store]:
    """The retailer's store with the first code, if it has any."""
    return db.session.scalar(select(Store).where(Store.retailer_id == retailer_id)
                             .order_by(Store.code).limit(1))


def store_of_retailer(retailer_id: int, code: str) -> Optional[Store]:
    """The retailer's store with this code (any case, spaces around ignored), if any."""
    return db.session.scalar(select(Store).where(Store.retailer_id == retailer_id,
                                                 Store.code == code.strip().upper()))
