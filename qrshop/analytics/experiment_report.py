"""An experiment's results per variant: scans, saves, claims, redemptions, units sold in the
store while it ran, conversion, and whether each variant's rate differs from A's by more
than chance (significance.py names the method)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from qrshop.analytics.experiment_models import Experiment, ExperimentVariant
from qrshop.analytics.models import SalesLine
from qrshop.analytics.significance import ALPHA, METHOD, ZTest, two_proportion_z_test
from qrshop.catalog import queries as catalog_queries
from qrshop.extensions import db
from qrshop.offers import queries as offer_queries
from qrshop.offers.analytics import claims_by_variant
from qrshop.shopper.queries import experiment_assignments, experiment_scans
from qrshop.wishlist.analytics import saves_by_variant


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass(frozen=True)
class VariantResult:
    """What one variant's shoppers did."""

    variant: ExperimentVariant
    what: str  # what it shows, for people
    scans: int
    shoppers: int
    saves: int
    savers: int
    claims: int
    redemptions: int
    claimers: int
    save_test: Optional[ZTest]  # against A; None for A itself
    claim_test: Optional[ZTest]

    @property
    def save_rate(self) -> Optional[float]:
        """Shoppers who saved the item, of the shoppers who saw this variant."""
        return _rate(self.savers, self.shoppers)

    @property
    def claim_rate(self) -> Optional[float]:
        """Shoppers who claimed a coupon, of the shoppers who saw this variant."""
        return _rate(self.claimers, self.shoppers)

    def as_dict(self) -> dict:
        """For the API."""
        variant = self.variant
        return {"id": variant.id, "letter": variant.letter, "label": variant.label,
                "kind": variant.kind, "weight": variant.weight, "template": variant.template,
                "revision_id": variant.revision_id, "offer_id": variant.offer_id,
                "scans": self.scans, "shoppers": self.shoppers, "saves": self.saves,
                "claims": self.claims, "redemptions": self.redemptions,
                "save_rate": self.save_rate, "claim_rate": self.claim_rate,
                "save_test": self.save_test.as_dict() if self.save_test else None,
                "claim_test": self.claim_test.as_dict() if self.claim_test else None}


@dataclass(frozen=True)
class ExperimentResults:
    """The results page's figures."""

    experiment: Experiment
    status: str
    sku: str
    product_name: str
    variants: list[VariantResult]
    units_sold: int  # of the listing in every store, from starts_at to the end (or now)
    counted_until: datetime
    method: str = METHOD
    alpha: float = ALPHA


def _what(variant: ExperimentVariant, offer_titles: dict[int, str]) -> str:
    if variant.template:
        return f"template {variant.template}"
    if variant.revision_id:
        return f"content revision #{variant.revision_id}"
    if variant.offer_id:
        return f"offer \u201c{offer_titles.get(variant.offer_id, variant.offer_id)}\u201d"
    return "the listing as it is"


def units_sold(listing_id: int, start: datetime, end: datetime) -> int:
    """Units of a listing sold (returns subtracted) in every store from start to end."""
    if end <= start:
        return 0
    return int(db.session.scalar(
        select(func.coalesce(func.sum(SalesLine.quantity), 0))
        .where(SalesLine.listing_id == listing_id, SalesLine.sold_at >= start,
               SalesLine.sold_at < end)) or 0)


def experiment_results(experiment: Experiment, now: datetime) -> ExperimentResults:
    """Every variant's figures, each tested against A (with three variants, alpha is
    halved: Bonferroni's correction for two comparisons)."""
    variants = list(experiment.variants)
    ids = [variant.id for variant in variants]
    start, end = experiment.starts_at, min(experiment.effective_end, now)
    scans = experiment_scans(ids)
    assigned = experiment_assignments(ids)
    saves = saves_by_variant(assigned, experiment.listing_id, start, end)
    claims = claims_by_variant(assigned, experiment.listing_id, start, end)
    titles = offer_queries.offer_titles([v.offer_id for v in variants if v.offer_id])
    alpha = ALPHA / max(1, len(variants) - 1)
    results: list[VariantResult] = []
    for variant in variants:
        n_scans, shoppers = scans.get(variant.id, (0, 0))
        n_saves, savers = saves.get(variant.id, (0, 0))
        n_claims, redeemed, claimers = claims.get(variant.id, (0, 0, 0))
        save_test = claim_test = None
        if results:
            base = results[0]
            save_test = two_proportion_z_test(base.savers, base.shoppers, savers, shoppers,
                                              alpha=alpha)
            claim_test = two_proportion_z_test(base.claimers, base.shoppers, claimers,
                                               shoppers, alpha=alpha)
        results.append(VariantResult(variant, _what(variant, titles), n_scans, shoppers,
                                     n_saves, savers, n_claims, redeemed, claimers,
                                     save_test, claim_test))
    listing = catalog_queries.listing(experiment.listing_id)
    return ExperimentResults(experiment, experiment.status(now), listing.sku,
                             listing.product.name, results,
                             units_sold(experiment.listing_id, start, end), end, alpha=alpha)


def results_dict(results: ExperimentResults) -> dict:
    """The API's object of an experiment with its results."""
    experiment = results.experiment
    return {"id": experiment.id, "name": experiment.name, "sku": results.sku,
            "status": results.status, "starts_at": experiment.starts_at.isoformat(),
            "ends_at": experiment.ends_at.isoformat(),
            "ended_at": experiment.ended_at.isoformat() if experiment.ended_at else None,
            "method": results.method, "alpha": results.alpha,
            "units_sold": results.units_sold,
            "variants": [variant.as_dict() for variant in results.variants]}
