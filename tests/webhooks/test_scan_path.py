"""scan.created on the scan path: the subscriber list is kept per process for a second, the
delivery is written with the scan, and a webhook that went away a moment ago costs no scan."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from qrshop.webhooks.models import Webhook, WebhookDelivery
from qrshop.webhooks.services import new_secret
from tests.helpers import new_phone
from tests.shopper.helpers import FakeClock


def _webhook_made_elsewhere(retailer_id: int) -> Webhook:
    """A webhook written by another process: this one's scanner is not told."""
    webhook = Webhook(retailer_id=retailer_id, url="http://127.0.0.1:9/", events=[
        "scan.created"], secret=new_secret(), is_enabled=True, consecutive_failures=0)
    db.session.add(webhook)
    db.session.commit()
    return webhook


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_subscribers_are_read_again_at_most_every_max_age(app, parties):
    scan_webhooks = app.extensions["qrshop.scan_webhooks"]
    clock = FakeClock()
    scan_webhooks.clock, scan_webhooks.max_age = clock, 1.0
    url = f"/t/{parties.shop.tag.code}"
    new_phone(app).get(url)  # reads the (empty) subscriber list
    webhook = _webhook_made_elsewhere(parties.shop.retailer.id)
    clock.advance(0.5)
    new_phone(app).get(url)
    assert _count(WebhookDelivery) == 0  # the list is half a second old: kept
    clock.advance(0.6)
    new_phone(app).get(url)
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert delivery.webhook_id == webhook.id and delivery.event_type == "scan.created"
    assert _count(Scan) == 3


def test_a_webhook_deleted_a_moment_ago_gets_nothing_and_the_scan_is_kept(app, parties):
    scan_webhooks = app.extensions["qrshop.scan_webhooks"]
    clock = FakeClock()
    scan_webhooks.clock, scan_webhooks.max_age = clock, 1.0
    webhook = _webhook_made_elsewhere(parties.shop.retailer.id)
    url = f"/t/{parties.shop.tag.code}"
    assert new_phone(app).get(url).status_code == 200
    assert _count(WebhookDelivery) == 1
    webhook.deleted_at, webhook.is_enabled = utcnow(), False  # elsewhere: the list still has it
    db.session.commit()
    assert new_phone(app).get(url).status_code == 200
    assert _count(WebhookDelivery) == 1 and _count(Scan) == 2


def test_the_flask_view_queues_like_the_fast_path(app, parties):
    app.config["SCAN_FAST_PATH"] = False
    _webhook_made_elsewhere(parties.shop.retailer.id)
    phone = new_phone(app)
    assert phone.get(f"/t/{parties.shop.tag.code}").status_code == 200
    assert phone.get(f"/T/{parties.shop.tag.code}?via=engage").status_code == 200  # a visit
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert json.loads(delivery.payload)["data"]["tag"] == parties.shop.tag.code


def test_a_retired_tags_scan_says_so(app, parties):
    from qrshop.tags.services import retire_tag

    _webhook_made_elsewhere(parties.shop.retailer.id)
    retire_tag(parties.shop.tag)
    db.session.commit()
    assert new_phone(app).get(f"/t/{parties.shop.tag.code}").status_code == 410
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert json.loads(delivery.payload)["data"]["tag_retired"] is True
