"""What the landing page shows from the features above shopper, filled at app start.

offers (the best offer, the shopper's coupons, whether the item is saved) and recommend
("Complete the look") sit above shopper: their shopper views use the shopper's cookie and
read scans. So shopper does not import them; the app factory (qrshop.create_app) hands
their functions over here before it builds the scan handler, which binds them once (the
scan path calls them directly: no lookup, no query added).
"""

from __future__ import annotations

from collections.abc import Callable

_parts: dict[str, Callable] = {}


def provide(**parts: Callable) -> None:
    """Called at app start with engagement=(page, shopper_id, driver=None) -> LandingEngagement,
    recommendations=(listing_id, store_id) -> items, and
    cached_recommendations=(app extensions, listing_id, store_id) -> items or None, and
    experiments=(driver, now) -> [shopper.experiment_path.ExperimentPlan] (the running
    ones); reviews=(listing_id, driver) -> feedback's ReviewSummary (read with the page's
    data)."""
    _parts.update(parts)


def part(name: str) -> Callable:
    """The provided function; a KeyError names a part the app factory did not provide."""
    return _parts[name]


def _no_reviews(listing_id, driver=None):
    """Before feedback provides its summary (never in a running app): nothing to show."""
    return None


_parts.setdefault("reviews", _no_reviews)
