"""The engagement block of a landing page: the offer a shopper sees, whether the item is on
their wish list, and their coupon of that offer. ONE query on the scan path, built once.

This is the landing page's justified read model (STYLE.md rule 15): it reads the wish list's
table beside the offers', so a scan costs one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, bindparam, case, exists, func, literal, select

from qrshop.db import DriverConnection, DriverStatement, UTCDateTime, utcnow
from qrshop.extensions import session_driver
from qrshop.offers.eligibility import offer_rule
from qrshop.offers.models import CouponClaim, Offer
from qrshop.wishlist.models import WishlistItem


@dataclass(frozen=True)
class OfferTeaser:
    """The few fields of an offer a landing page shows."""

    id: int
    title: str
    per_shopper_limit: int


@dataclass(frozen=True)
class LandingEngagement:
    """What the engagement block of a landing page shows, read in one query."""

    is_saved: bool
    offer: Optional[OfferTeaser]
    # The shopper's live coupon of that offer, and how many they have claimed of it.
    my_coupon_code: Optional[str]
    my_claims: int

    @property
    def can_claim(self) -> bool:
        """True when the shopper may claim (another) coupon of the offer."""
        return self.offer is not None and self.my_claims < self.offer.per_shopper_limit


def _landing_engagement_statement(with_shopper: bool, forced_offer: bool = False):
    """Built once: the scan path only binds values (statement building costs more than SQL).

    The best offer is the most specific one (this item before every item, this store before
    every store), then the one ending soonest. forced_offer: the offer bound as offer_id
    instead (an experiment's variant), if it is claimable here.
    """
    offers, claims, saved = Offer.__table__, CouponClaim.__table__, WishlistItem.__table__
    candidate = offers.alias("candidate")
    now = bindparam("now", type_=UTCDateTime())
    best_offer_id = (
        select(candidate.c.id)
        .where(offer_rule(candidate.c, retailer_id=bindparam("retailer_id"),
                          listing_id=bindparam("listing_id"), store_id=bindparam("store_id"),
                          now=now).claimable,
               *([candidate.c.id == bindparam("offer_id")] if forced_offer else []))
        .order_by(case((candidate.c.listing_id.is_(None), 1), else_=0),
                  case((candidate.c.store_id.is_(None), 1), else_=0),
                  candidate.c.ends_at, candidate.c.id)
        .limit(1)
        .scalar_subquery()
    )
    if with_shopper:
        shopper = bindparam("shopper_id")
        is_saved = exists().where(saved.c.shopper_id == shopper,
                                  saved.c.listing_id == bindparam("listing_id"),
                                  saved.c.removed_at.is_(None))
        mine = and_(claims.c.offer_id == offers.c.id, claims.c.shopper_id == shopper)
        my_code = (
            select(claims.c.code)
            .where(mine, claims.c.redeemed_at.is_(None), claims.c.expires_at > now)
            .order_by(claims.c.claimed_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        my_claims = select(func.count()).where(mine).scalar_subquery()
    else:
        is_saved, my_code, my_claims = literal(False), literal(None), literal(0)
    one_row = select(literal(1).label("one")).subquery()
    return (
        select(is_saved.label("is_saved"), offers.c.id, offers.c.title,
               offers.c.per_shopper_limit, my_code.label("my_code"),
               my_claims.label("my_claims"))
        .select_from(one_row)
        .outerjoin(offers, offers.c.id == best_offer_id)
    )


_ENGAGEMENT_FOR_SHOPPER = DriverStatement(_landing_engagement_statement(with_shopper=True))
_ENGAGEMENT_ANONYMOUS = DriverStatement(_landing_engagement_statement(with_shopper=False))
# {with_shopper: statement} showing one given offer (an experiment's variant).
_ENGAGEMENT_WITH_OFFER = {flag: DriverStatement(_landing_engagement_statement(flag, True))
                          for flag in (False, True)}


def landing_engagement(page, shopper_id: Optional[str],
                       driver: Optional[DriverConnection] = None, *,
                       now: Optional[datetime] = None,
                       offer_id: Optional[int] = None) -> LandingEngagement:
    """The best offer for a landing page and the shopper's wish-list and coupon state.
    offer_id: show that offer instead (an experiment's variant), if claimable here.

    ONE query on the scan path.
    """
    params = {"retailer_id": page.retailer_id, "listing_id": page.listing_id,
              "store_id": page.store_id, "now": now or utcnow()}
    if offer_id is not None:
        statement = _ENGAGEMENT_WITH_OFFER[shopper_id is not None]
        params["offer_id"] = offer_id
    elif shopper_id is None:
        statement = _ENGAGEMENT_ANONYMOUS
    else:
        statement = _ENGAGEMENT_FOR_SHOPPER
    if shopper_id is not None:
        params["shopper_id"] = shopper_id
    is_saved, offer_id, title, per_shopper, my_code, my_claims = (
        statement.execute(driver or session_driver(), params).fetchone())
    offer = OfferTeaser(offer_id, title, per_shopper) if offer_id is not None else None
    return LandingEngagement(bool(is_saved), offer, my_code, int(my_claims or 0))
