"""Experiments on the scan path: which variant of a listing's page a shopper sees.

The experiments feature (qrshop.analytics.experiments, above shopper) hands over, through
shopper.landing_parts, a loader of the running experiments; the scan handler keeps what it
loaded for LANDING_DATA_MAX_AGE_SECONDS, as it keeps tags. So a scan of a listing without a
running experiment costs one dict lookup, and one with an experiment a hash of the shopper
id: no query is added to a scan (the loader runs at most once per max_age per process).

Assignment is stable: the variant is a function of (experiment id, shopper id) alone, so a
shopper sees the same variant on every scan for the whole experiment, on every node.
"""

from __future__ import annotations

import hashlib
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import accumulate
from typing import Any, Optional

from qrshop.db import DriverConnection, utcnow
from qrshop.shopper.services import LandingPage


def assigned_position(experiment_id: int, shopper_id: str, weights: Sequence[int]) -> int:
    """The variant (its index in weights, percents summing to 100) of a shopper: the first
    8 bytes of sha256("<experiment id>:<shopper id>") as a number, taken modulo 10,000 and
    placed on the cumulative weights (so 34/33/33 is 0-3399, 3400-6699, 6700-9999)."""
    digest = hashlib.sha256(f"{experiment_id}:{shopper_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10_000
    bounds = [total * 100 for total in accumulate(weights)]
    return min(bisect_right(bounds, bucket), len(weights) - 1)


@dataclass(frozen=True)
class VariantPlan:
    """What one variant changes on the page (None: as the listing is)."""

    id: int
    template: Optional[str] = None
    revision_id: Optional[int] = None
    content_json: Optional[str] = None  # the revision's slots as JSON
    offer: Any = None  # offers.landing.OfferTeaser of the variant's offer
    offer_store_id: Optional[int] = None  # the offer's store, if it is one store's
    offer_claimable: bool = False  # at load time (started, not ended, coupons left)

    @property
    def offer_id(self) -> Optional[int]:
        """The variant's offer id, if it shows another offer."""
        return self.offer.id if self.offer is not None else None

    def page(self, page: LandingPage) -> LandingPage:
        """The landing page as this variant shows it."""
        if self.template:
            page = replace(page, listing_template=self.template)
        if self.revision_id:
            page = replace(page, live_revision_id=self.revision_id,
                           content_json=self.content_json, translations=())
        return page

    def anonymous_engagement(self, engagement, store_id: int):
        """A shopper without a cookie's engagement block under this variant (from the kept
        block of the tag, whose best offer this variant's offer replaces)."""
        if self.offer is None or engagement is None:
            return engagement
        shows = self.offer_claimable and self.offer_store_id in (None, store_id)
        return replace(engagement, offer=self.offer if shows else None)


@dataclass(frozen=True)
class ExperimentPlan:
    """A running experiment of a listing, as the scan path needs it."""

    id: int
    listing_id: int
    starts_at: datetime
    ends_at: datetime
    weights: tuple[int, ...]
    variants: tuple[VariantPlan, ...]

    def variant_for(self, shopper_id: str) -> VariantPlan:
        """The shopper's variant."""
        return self.variants[assigned_position(self.id, shopper_id, self.weights)]


class ScanExperiments:
    """The running experiments by listing id, loaded at most once per max_age seconds."""

    def __init__(self, loader: Callable[[DriverConnection, datetime], list[ExperimentPlan]],
                 max_age: float, clock: Callable[[], float] = time.monotonic):
        self.loader, self.max_age, self.clock = loader, max_age, clock
        self._plans: dict[int, ExperimentPlan] = {}
        self._read_at: Optional[float] = None
        self._lock = threading.Lock()
        self._pages: dict = {}  # (id(page), variant id) -> (page, the variant's page)

    def plan(self, listing_id: int, driver: DriverConnection) -> Optional[ExperimentPlan]:
        """The listing's running experiment, if any."""
        now = self.clock()
        if self._read_at is None or now - self._read_at >= self.max_age:
            plans = {plan.listing_id: plan for plan in self.loader(driver, utcnow())}
            with self._lock:
                self._plans, self._read_at, self._pages = plans, now, {}
        plan = self._plans.get(listing_id)
        if plan is None:
            return None
        at = utcnow()
        return plan if plan.starts_at <= at < plan.ends_at else None

    def page(self, variant: VariantPlan, page: LandingPage) -> LandingPage:
        """The variant's page, built once per kept tag read (a page hashes ~40 fields)."""
        key = (id(page), variant.id)
        kept = self._pages.get(key)
        if kept is None or kept[0] is not page:
            kept = self._pages[key] = (page, variant.page(page))
        return kept[1]
