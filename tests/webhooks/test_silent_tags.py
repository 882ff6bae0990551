"""tag.silent: queued once per tag and silence by `qrshop tags report-silent`."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import insert

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import make_tag
from tests.webhooks.conftest import create_webhook, deliveries


def _scan(tag, days_ago: float) -> None:
    db.session.execute(insert(Scan), [{
        "tag_id": tag.id, "listing_id": tag.listing_id, "store_id": tag.store_id,
        "retailer_id": tag.listing.retailer_id, "shopper_id": "s0",
        "scanned_at": utcnow() - timedelta(days=days_ago), "is_bot": False,
        "is_repeat": False}])
    db.session.commit()


def test_a_silent_tag_is_reported_once_per_silence(allow_private, client, runner, parties):
    busy = parties.shop.tag
    quiet = make_tag(parties.shop.retailer, parties.shop.store, parties.shop.vendor,
                     name="Forgotten Lamp")
    busy.created_at = quiet.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    _scan(busy, 1)  # the store is busy ...
    _scan(quiet, 20)  # ... and this tag was last scanned 20 days ago
    hook = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/", ["tag.silent"])
    vendor_hook = create_webhook(client, parties.vendor, "http://127.0.0.1:9/v",
                                 ["scan.created"])

    result = runner.invoke(args=["tags", "report-silent"])
    assert result.exit_code == 0 and "Queued 1 tag.silent" in result.output
    [delivery] = deliveries(hook["id"])
    data = json.loads(delivery.payload)["data"]
    assert data["tag"] == quiet.code and data["store"] == "NYC01"
    assert data["product"] == "Forgotten Lamp" and data["last_scan_at"].endswith("Z")
    assert "Queued 0" in runner.invoke(args=["tags", "report-silent"]).output  # once only

    _scan(quiet, 16)  # a newer scan, but still 16 days ago: silent again, since then
    assert "Queued 1" in runner.invoke(args=["tags", "report-silent"]).output
    assert len(deliveries(hook["id"])) == 2 and deliveries(vendor_hook["id"]) == []
