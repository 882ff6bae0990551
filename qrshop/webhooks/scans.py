"""scan.created on the scan path: nothing to pay when no webhook wants it.

ScanWebhooks keeps, per process, the retailers and vendors that have a live webhook for
scan.created, read again at most every max_age seconds (the scanner's tag memory age,
LANDING_DATA_MAX_AGE_SECONDS): a scan nobody subscribes to costs a clock read and two set
lookups. When one does, the scan's INSERT returns its repeat flag and the delivery rows are
inserted on the same driver connection before the scan's COMMIT, under the same write lock:
the scan and its deliveries commit together. Bots never emit scan.created.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select

from qrshop.db import DriverConnection, DriverStatement
from qrshop.security import pseudonym_key, shopper_pseudonym
from qrshop.webhooks.events import payload_text, vendor_data
from qrshop.webhooks.models import Webhook
from qrshop.webhooks.queue import event_pattern, queue_params, queue_statement, subscribed_condition

EVENT = "scan.created"

_SUBSCRIBERS = DriverStatement(
    select(Webhook.__table__.c.retailer_id, Webhook.__table__.c.vendor_id)
    .where(subscribed_condition(event_pattern(EVENT))))
_QUEUE = {owner: DriverStatement(queue_statement(owner)) for owner in ("retailer_id",
                                                                      "vendor_id")}


class ScanWebhooks:
    """Who wants scan.created (per process, at most max_age old), and queueing it."""

    def __init__(self, max_age: float, secret_key: str,
                 clock: Callable[[], float] = time.monotonic):
        self.max_age, self.clock = max_age, clock
        self._pseudonym_key = pseudonym_key(secret_key)
        self._read_at: Optional[float] = None
        self._owners: tuple[frozenset, frozenset] = (frozenset(), frozenset())

    def forget(self) -> None:
        """Read the subscribers again on the next scan (a webhook changed in this process)."""
        self._read_at = None

    def audience(self, retailer_id: int, vendor_id: int,
                 driver: DriverConnection) -> tuple[bool, bool]:
        """Whether the retailer, and the product's vendor, have a webhook for scan.created."""
        now = self.clock()
        if self._read_at is None or now - self._read_at >= self.max_age:
            rows = _SUBSCRIBERS.execute(driver, {}).fetchall()
            self._owners = (frozenset(r for r, _ in rows if r is not None),
                            frozenset(v for _, v in rows if v is not None))
            self._read_at = now
        retailers, vendors = self._owners
        return retailer_id in retailers, vendor_id in vendors

    def queue(self, driver: DriverConnection, page: Any, audience: tuple[bool, bool], *,
              shopper_id: Optional[str], is_repeat: bool, device: Optional[str],
              at: datetime) -> None:
        """Insert the scan's deliveries on the scan's connection (before its COMMIT).

        page is the scan's shopper.services.LandingPage.
        """
        to_retailer, to_vendor = audience
        data = {
            "retailer": page.retailer_slug, "store": page.store_code, "tag": page.code,
            "sku": page.sku, "gtin": page.gtin, "product": page.product_name,
            "shopper": shopper_pseudonym(page.retailer_id, shopper_id, key=self._pseudonym_key)
            if shopper_id else None,
            "device": device, "is_repeat": bool(is_repeat), "tag_retired": page.is_retired,
        }
        if to_retailer:
            _QUEUE["retailer_id"].execute(driver, queue_params(
                page.retailer_id, EVENT, payload_text(EVENT, at, data), at))
        if to_vendor:
            _QUEUE["vendor_id"].execute(driver, queue_params(
                page.vendor_id, EVENT, payload_text(EVENT, at, vendor_data(EVENT, data)), at))
