"""The shopper's coupons on the wish list page.

Coupons belong to offers, which sits above the wish list (claiming saves the item, the
landing page reads what is saved); offers fills this hook at app start (qrshop.create_app),
so the wish list never imports offers. Without a provider there are no coupons.
"""

from __future__ import annotations

from collections.abc import Callable

# (shopper ids, retailer ids) -> {retailer_id: [coupon, ...]}
CouponsOf = Callable[[list[str], set[int]], dict[int, list]]
_provider: dict[str, CouponsOf] = {}


def provide(coupons_of: CouponsOf) -> None:
    """Called once at app start by the feature that owns coupons."""
    _provider["coupons"] = coupons_of


def coupons_of(shopper_ids: list[str], retailer_ids: set[int]) -> dict[int, list]:
    provider = _provider.get("coupons")
    return provider(shopper_ids, retailer_ids) if provider else {}
