"""emit(): queue an event for every webhook that wants it, in the caller's transaction.

Called by the features where things happen (offers, wishlist, alerts, feedback, content,
tags). One SELECT finds whether any live webhook of the retailer or of the product's vendor
subscribes; only then is the data built and one delivery row per webhook inserted (queue.py).
The scan path has its own, cheaper way in (scans.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Optional, Union

from sqlalchemy import or_, select

from qrshop.accounts import queries as accounts
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.security import shopper_pseudonym
from qrshop.webhooks.events import EVENTS, VENDOR_FIELDS, payload_text, vendor_data
from qrshop.webhooks.models import Webhook
from qrshop.webhooks.queue import event_pattern, queue_params, queue_statement, subscribed_condition

Data = Union[Mapping[str, Any], Callable[[], Mapping[str, Any]]]


def subscribed(event_type: str, retailer_id: Optional[int],
               vendor_id: Optional[int]) -> tuple[bool, bool]:
    """Whether a live webhook of the retailer, and one of the vendor, subscribes to the event."""
    owners = []
    if retailer_id is not None:
        owners.append(Webhook.retailer_id == retailer_id)
    if vendor_id is not None and event_type in VENDOR_FIELDS:
        owners.append(Webhook.vendor_id == vendor_id)
    if not owners:
        return False, False
    rows = db.session.execute(
        select(Webhook.retailer_id, Webhook.vendor_id)
        .where(or_(*owners), subscribed_condition(event_pattern(event_type)))
    ).all()
    return (any(row.retailer_id is not None for row in rows),
            any(row.vendor_id is not None for row in rows))


def subscribed_retailers(event_type: str) -> list[int]:
    """The retailers with a live webhook subscribed to the event."""
    return list(db.session.scalars(
        select(Webhook.retailer_id).distinct()
        .where(Webhook.retailer_id.is_not(None),
               subscribed_condition(event_pattern(event_type)))
        .order_by(Webhook.retailer_id)))


def emit(event_type: str, *, retailer_id: Optional[int], vendor_id: Optional[int] = None,
         data: Data, event_key: Optional[str] = None) -> int:
    """Queue an event for the retailer's webhooks and (cut to VENDOR_FIELDS) the vendor's;
    return how many deliveries were queued.

    data may be a function returning the data, called only if some webhook subscribes.
    event_key makes the event once-only per webhook (a repeat with the same key is dropped).
    The rows are flushed in the caller's transaction: they commit or roll back with the event.
    """
    if event_type not in EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    to_retailer, to_vendor = subscribed(event_type, retailer_id, vendor_id)
    if not (to_retailer or to_vendor):
        return 0
    facts = dict(data() if callable(data) else data)
    now, queued = utcnow(), 0
    audiences = []
    if to_retailer:
        audiences.append(("retailer_id", retailer_id, facts))
    if to_vendor:
        audiences.append(("vendor_id", vendor_id, vendor_data(event_type, facts)))
    for owner, owner_id, shown in audiences:
        statement = queue_statement(owner, keyed=event_key is not None, returning=True)
        queued += len(db.session.execute(statement, queue_params(
            owner_id, event_type, payload_text(event_type, now, shown), now, event_key)).all())
    return queued


def emit_for_listing(event_type: str, *, listing_id: Optional[int],
                     retailer_id: Optional[int] = None, store_id: Optional[int] = None,
                     shopper_id: Optional[str] = None, **fields: Any) -> int:
    """emit() an event about a listing: retailer, sku, gtin, product, then the store and the
    shopper's pseudonym when given, then `fields`; the vendor's webhooks are the product's.

    Without a listing (a retailer-wide coupon redeemed), retailer_id's webhooks get the
    event with empty product fields and no vendor hears of it.
    """
    listing = catalog.listing(listing_id) if listing_id is not None else None
    if listing is None and retailer_id is None:
        return 0
    owner = listing.retailer_id if listing is not None else retailer_id

    def data() -> dict[str, Any]:
        product = listing.product if listing is not None else None
        facts: dict[str, Any] = {
            "retailer": listing.retailer.slug if listing is not None
            else accounts.retailer(owner).slug,
            "sku": listing.sku if listing is not None else None,
            "gtin": product.gtin if product is not None else None,
            "product": product.name if product is not None else None,
        }
        if store_id is not None:
            store = accounts.store(store_id)
            facts["store"] = store.code if store is not None else None
        if shopper_id is not None:
            facts["shopper"] = shopper_pseudonym(owner, shopper_id)
        return {**facts, **fields}

    return emit(event_type, retailer_id=owner,
                vendor_id=listing.product.vendor_id if listing is not None else None,
                data=data)
