"""Reading accounts from other features: retailers, their stores, their staff."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Select, Subquery, exists, func, or_, select
from sqlalchemy.orm import joinedload

from qrshop.accounts.models import HouseVendor, Retailer, RetailerVendor, Store, User, Vendor
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


def vendors_except(vendor_ids: Select) -> Select:
    """A select of the vendors whose id is not in vendor_ids (a subquery)."""
    return select(Vendor).where(Vendor.id.not_in(vendor_ids))


def linked_vendor_ids(retailer_id: int) -> Select[tuple[int]]:
    """A subquery of the ids of the vendors linked to (supplying) the retailer."""
    return select(RetailerVendor.vendor_id).where(RetailerVendor.retailer_id == retailer_id)


def linked_vendor_count(retailer_id: int) -> int:
    """How many vendors are linked to the retailer."""
    return db.session.scalar(select(func.count()).select_from(RetailerVendor)
                             .where(RetailerVendor.retailer_id == retailer_id)) or 0


def all_retailer_staff_ids() -> Select[tuple[int]]:
    """A subquery of the ids of every retailer's staff users (not vendors, not admins)."""
    return select(User.id).where(User.retailer_id.is_not(None))


def stores_by_code(code: str, retailer_id: Optional[int] = None) -> list[Store]:
    """The stores with this code (any case), of one retailer when given (codes repeat
    across retailers)."""
    query = select(Store).where(Store.code == (code or "").strip().upper())
    if retailer_id is not None:
        query = query.where(Store.retailer_id == retailer_id)
    return list(db.session.scalars(query))


def retailer_names() -> Subquery:
    """The retailers' names as a subquery to join by retailer_id: retailer_id, retailer_name."""
    return select(Retailer.id.label("retailer_id"),
                  Retailer.name.label("retailer_name")).subquery("retailer_names")


def retailer_names_of(retailer_ids: list[int]) -> dict[int, str]:
    """The names of these retailers, by id (unknown ids left out)."""
    return dict(db.session.execute(
        select(Retailer.id, Retailer.name).where(Retailer.id.in_(retailer_ids))).all())


def store_names() -> Subquery:
    """The stores' names as a subquery to join by store_id: store_id, store_name."""
    return select(Store.id.label("store_id"), Store.name.label("store_name")).subquery(
        "store_names")


def vendor_names() -> Subquery:
    """The vendors' names as a subquery to join by vendor_id: vendor_id, vendor_name."""
    return select(Vendor.id.label("vendor_id"), Vendor.name.label("vendor_name")).subquery(
        "vendor_names")


def all_stores() -> list[Store]:
    """Every store of every retailer, by id."""
    return list(db.session.scalars(select(Store).order_by(Store.id)))


DEFAULT_THEME = {"primary_colour": "#1f2937", "accent_colour": "#ffffff", "font": "system"}


def store_ids_of(retailer_id: int) -> Select[tuple[int]]:
    """A subquery of the retailer's store ids (for another feature's EXISTS probe)."""
    return select(Store.id).where(Store.retailer_id == retailer_id)


def onboarding_probes(retailer_id: int) -> dict:
    """EXISTS probes of the retailer's first steps in accounts (the console's checklist):
    a theme of its own, a store, a linked vendor. Each stops at its first row."""
    theme_set = or_(Retailer.logo_media_id.is_not(None),
                    *(getattr(Retailer, column) != value
                      for column, value in DEFAULT_THEME.items()))
    return {
        "theme": exists().where(Retailer.id == retailer_id, theme_set),
        "stores": exists().where(Store.retailer_id == retailer_id),
        "vendors": exists().where(RetailerVendor.retailer_id == retailer_id),
    }


def house_owner(vendor_id: int) -> Optional[int]:
    """The retailer whose house vendor this is, or None for an ordinary vendor."""
    return db.session.scalar(select(HouseVendor.retailer_id)
                             .where(HouseVendor.vendor_id == vendor_id))


def ordinary_vendors():
    """A select of vendors that are not house vendors (for vendor lists and links)."""
    return vendors_except(select(HouseVendor.vendor_id))


def stores_after(retailer_id: Optional[int], after_id: int, limit: int) -> list[Store]:
    """Up to `limit` stores with an id above after_id, by id (the API's cursor pages), with
    their retailer: one retailer's, or every retailer's (None)."""
    query = (select(Store).where(Store.id > after_id).order_by(Store.id).limit(limit)
             .options(joinedload(Store.retailer)))
    if retailer_id is not None:
        query = query.where(Store.retailer_id == retailer_id)
    return list(db.session.scalars(query))


def retailer_by_slug(slug: str) -> Optional[Retailer]:
    """The retailer with this slug, if any."""
    return db.session.scalar(select(Retailer).where(Retailer.slug == slug))
