"""Reading the shopper feature's data from other features (outside the read models)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Exists, Select, and_, exists, func, literal, select

from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper


def human_scans_exist(store_ids: Select) -> Exists:
    """An EXISTS probe: a shopper (not a bot) has scanned a tag in one of these stores."""
    return exists().where(Scan.store_id.in_(store_ids), Scan.is_bot == literal(False))


def last_scanned_store_id(shopper_ids: list[str]) -> Optional[int]:
    """The store of the latest tag scan by any of these shoppers (None: they scanned none)."""
    if not shopper_ids:
        return None
    return db.session.scalar(
        select(Scan.store_id).where(Scan.shopper_id.in_(shopper_ids), Scan.tag_id.is_not(None))
        .order_by(Scan.scanned_at.desc()).limit(1))


def retailer_of_shopper(shopper_id: str) -> Optional[int]:
    """The retailer a shopper row belongs to (None: no such row)."""
    return db.session.scalar(select(Shopper.retailer_id).where(Shopper.id == shopper_id))


def retailers_with_verified_email(email: str) -> set[int]:
    """The retailers where some shopper has verified this email."""
    return set(db.session.scalars(
        select(Shopper.retailer_id).where(Shopper.email == email,
                                          Shopper.email_verified_at.is_not(None))))


def verified_for_another_email(shopper_ids: list[str], email: str) -> set[str]:
    """Those of these shoppers that verified an email other than this one."""
    return set(db.session.scalars(
        select(Shopper.id).where(Shopper.id.in_(shopper_ids), Shopper.email.is_not(None),
                                 Shopper.email != email,
                                 Shopper.email_verified_at.is_not(None))))


def same_email_shoppers(shopper_ids: list[str]) -> list[str]:
    """The shoppers of the same retailer with the same verified email as one of these."""
    verified = (
        select(Shopper.retailer_id, Shopper.email)
        .where(Shopper.id.in_(shopper_ids), Shopper.email.is_not(None),
               Shopper.email_verified_at.is_not(None))
        .subquery()
    )
    return list(db.session.scalars(
        select(Shopper.id)
        .join(verified, and_(Shopper.retailer_id == verified.c.retailer_id,
                             Shopper.email == verified.c.email))
        .where(Shopper.email_verified_at.is_not(None))))


def first_scan_at() -> Optional[datetime]:
    """When the first scan ever recorded happened (None: no scans yet)."""
    return db.session.scalar(select(func.min(Scan.scanned_at)))


def experiment_assignments(variant_ids: list[int]):
    """A subquery (shopper_id, variant_id): each shopper whose scan showed one of these
    experiment variants (one variant per shopper: the assignment is stable)."""
    return (select(Scan.shopper_id.label("shopper_id"),
                   Scan.experiment_variant_id.label("variant_id"))
            .where(Scan.experiment_variant_id.in_(variant_ids), Scan.is_bot == literal(False))
            .distinct().subquery())


def experiment_scans(variant_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{variant id: (scans by people, unique shoppers)} of these experiment variants."""
    if not variant_ids:
        return {}
    rows = db.session.execute(
        select(Scan.experiment_variant_id, func.count(), func.count(Scan.shopper_id.distinct()))
        .where(Scan.experiment_variant_id.in_(variant_ids), Scan.is_bot == literal(False))
        .group_by(Scan.experiment_variant_id))
    return {variant_id: (scans, shoppers) for variant_id, scans, shoppers in rows}
