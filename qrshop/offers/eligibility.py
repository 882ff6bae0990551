"""The one rule of when an offer can be claimed: the landing page, its cache horizon and the
claim itself all build their SQL from offer_rule(), so they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class OfferRule:
    """The parts of the rule, each a SQL condition on one offers row."""

    in_scope: ColumnElement[bool]  # this retailer; this item or every item; this store or all
    started: ColumnElement[bool]
    not_ended: ColumnElement[bool]
    has_coupons_left: ColumnElement[bool]

    @property
    def claimable(self) -> ColumnElement[bool]:
        """The offer can be claimed right now on this listing's page in this store."""
        return and_(self.in_scope, self.started, self.not_ended, self.has_coupons_left)


def offer_rule(offers: Any, *, retailer_id: Any, listing_id: Any, store_id: Any,
               now: Any) -> OfferRule:
    """The rule for `offers` (the Offer model, or a table's or alias's `.c`).

    The other arguments are values or bind parameters, so a statement built once on the
    scan path uses the same rule as the claim's conditional UPDATE.
    """
    return OfferRule(
        in_scope=and_(
            offers.retailer_id == retailer_id,
            or_(offers.listing_id.is_(None), offers.listing_id == listing_id),
            or_(offers.store_id.is_(None), offers.store_id == store_id),
        ),
        started=offers.starts_at <= now,
        not_ended=offers.ends_at > now,
        has_coupons_left=or_(offers.total_limit.is_(None),
                             offers.claimed_count < offers.total_limit),
    )
