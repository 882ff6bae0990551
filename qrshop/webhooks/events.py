"""The events a webhook can subscribe to, and what each party's webhooks receive.

A retailer's webhooks get its own events with their full data (the shopper only as
security.shopper_pseudonym, never an address, IP or user agent). A vendor's webhooks get the
events of its own products, cut down to VENDOR_FIELDS: product-level facts (which product, at
which retailer), never a shopper, a store, a tag or anything from the till. docs/webhooks.md
lists every field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Every event: name -> what happened (README and docs/webhooks.md are generated from this).
EVENTS: dict[str, str] = {
    "scan.created": "A shopper scanned a tag (bots, link previewers and prefetches are not "
                    "sent).",
    "coupon.claimed": "A shopper claimed a coupon on a landing page.",
    "coupon.redeemed": "A coupon was redeemed at a till or through the API.",
    "wishlist.added": "A shopper saved an item to their wish list.",
    "subscription.confirmed": "A shopper confirmed an alert sign-up (double opt-in).",
    "feedback.created": "A shopper sent feedback on an item (stars, helpful or not, comment).",
    "content.submitted": "A vendor submitted a content revision for the retailer's review.",
    "content.approved": "A merchandiser approved a content revision: it is live.",
    "content.changes_requested": "A merchandiser asked the vendor for changes to a revision.",
    "tag.silent": "An active tag had no counted scan for 14 days at a store that had scans "
                  "(it may have fallen off the shelf).",
}

_PRODUCT = ("retailer", "gtin", "product")

# The data fields a vendor's webhooks receive, per event. An event missing here (tag.silent,
# about the retailer's shelves) is not offered to vendors at all.
VENDOR_FIELDS: dict[str, tuple[str, ...]] = {
    "scan.created": _PRODUCT,
    "coupon.claimed": _PRODUCT,
    "coupon.redeemed": _PRODUCT,
    "wishlist.added": _PRODUCT,
    "subscription.confirmed": (*_PRODUCT, "channel", "topics"),
    "feedback.created": (*_PRODUCT, "rating", "is_helpful", "comment"),
    "content.submitted": (*_PRODUCT, "revision", "status"),
    "content.approved": (*_PRODUCT, "revision", "status", "comment"),
    "content.changes_requested": (*_PRODUCT, "revision", "status", "comment"),
}

VENDOR_EVENTS = tuple(name for name in EVENTS if name in VENDOR_FIELDS)


def events_for(*, vendor: bool) -> tuple[str, ...]:
    """The events a retailer's (or a vendor's) webhook may subscribe to."""
    return VENDOR_EVENTS if vendor else tuple(EVENTS)


def vendor_data(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of an event's data a vendor's webhook may see."""
    return {name: data.get(name) for name in VENDOR_FIELDS.get(event_type, ())}


def payload_text(event_type: str, at: datetime, data: Mapping[str, Any]) -> str:
    """The JSON body of a delivery: {"type", "timestamp", "data"}, compact."""
    return json.dumps({"type": event_type, "timestamp": utc_text(at), "data": dict(data)},
                      separators=(",", ":"), default=_json_value)


def utc_text(at: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC, e.g. 2026-12-04T21:00:00.123456Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
