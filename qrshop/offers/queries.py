"""Reading offers from other features: which running offers are about to run out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from qrshop.extensions import db
from qrshop.offers.models import Offer

ENDING_WITHIN = timedelta(days=7)
NEARLY_CLAIMED = 0.8  # of an offer's total_limit


def offers_running_out(retailer_id: int, now: datetime, *, within: timedelta = ENDING_WITHIN,
                       limit: int = 5) -> list[dict]:
    """Running offers that end within `within` or have 80% of their coupons claimed, soonest
    end first: {id, title, ends_at, claimed, total_limit}."""
    offers = db.session.scalars(
        select(Offer).where(
            Offer.retailer_id == retailer_id, Offer.starts_at <= now, Offer.ends_at > now,
            or_(Offer.ends_at <= now + within,
                Offer.claimed_count >= Offer.total_limit * NEARLY_CLAIMED))
        .order_by(Offer.ends_at, Offer.id).limit(limit)
    )
    return [{"id": offer.id, "title": offer.title, "ends_at": offer.ends_at,
             "claimed": offer.claimed_count, "total_limit": offer.total_limit}
            for offer in offers]


def listing_offers(retailer_id: int, listing_id: int, after: datetime) -> list[Offer]:
    """The retailer's offers a listing's page can show (this item's or every item's) that
    end after `after`, by title (an experiment's variant may show one of them)."""
    return list(db.session.scalars(
        select(Offer).where(Offer.retailer_id == retailer_id,
                            or_(Offer.listing_id.is_(None), Offer.listing_id == listing_id),
                            Offer.ends_at > after)
        .order_by(Offer.title, Offer.id)))


def offer_titles(offer_ids: list[int]) -> dict[int, str]:
    """{offer id: title}."""
    if not offer_ids:
        return {}
    return dict(db.session.execute(
        select(Offer.id, Offer.title).where(Offer.id.in_(offer_ids))).all())
