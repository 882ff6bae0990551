"""Webhooks end to end: real events through the HTTP routes, a local receiver, signatures
checked with standardwebhooks' own verifier, retries with back-off, the delivery log, resend,
and disabling after 20 consecutive failures."""

from __future__ import annotations

import json
import re
import socket
from datetime import timedelta

from standardwebhooks.webhooks import Webhook as Verifier

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.security import shopper_pseudonym
from qrshop.webhooks.delivery import DISABLE_AFTER, MAX_ATTEMPTS, send_due
from tests.conftest import MOBILE_SAFARI
from tests.factories import queued_emails
from tests.helpers import claim_coupon, make_offer, new_phone
from tests.webhooks.conftest import create_webhook, deliveries, make_due, webhook_row

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _verified(receiver, secret: str, index: int = -1) -> dict:
    """The received request's JSON, after standardwebhooks verified its signature."""
    request = receiver.requests[index]
    assert request.headers["Content-Type"] == "application/json"
    return Verifier(secret).verify(request.body, request.headers)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_scan_is_queued_with_the_scan_and_delivered_signed(allow_private, client, parties,
                                                             receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    assert hook["secret"].startswith("whsec_")
    code = parties.shop.tag.code

    assert client.get(f"/t/{code}").status_code == 200
    [queued] = deliveries(hook["id"])
    assert queued.status == "queued" and receiver.requests == []  # nothing sent on the scan
    assert send_due(10) == (1, 0)

    event = _verified(receiver, hook["secret"])
    request = receiver.requests[0]
    assert request.path == "/hooks/qrshop?source=test"
    assert request.headers["webhook-id"] == queued.msg_id
    assert event["type"] == "scan.created"
    data = event["data"]
    assert data["retailer"] == "acme" and data["store"] == "NYC01" and data["tag"] == code
    assert data["sku"] == parties.shop.listing.sku and data["gtin"] == parties.shop.product.gtin
    assert data["device"] == "phone" and data["is_repeat"] is False
    cookie = client.get_cookie(f"qs{parties.shop.retailer.id}").value
    shopper_id = app_cookie_shopper(client, cookie)
    assert data["shopper"] == shopper_pseudonym(parties.shop.retailer.id, shopper_id)
    assert shopper_id not in request.body.decode()

    client.get(f"/t/{code}")  # the same phone again, within 30 minutes: a repeat
    send_due(10)
    assert _verified(receiver, hook["secret"])["data"]["is_repeat"] is True
    [first, second] = deliveries(hook["id"])
    assert first.status == second.status == "delivered" and first.last_status_code == 204
    assert first.msg_id != second.msg_id


def app_cookie_shopper(client, cookie_value: str) -> str:
    """The shopper id inside a signed shopper cookie."""
    from flask import current_app

    return current_app.extensions["qrshop.shopper_cookie"].loads(cookie_value)


def test_bots_and_unsubscribed_events_queue_nothing(allow_private, app, client, parties,
                                                    receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["coupon.claimed"])
    client.get(f"/t/{parties.shop.tag.code}")  # a person, but nobody wants scan.created
    scans_hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    bot = app.test_client()
    bot.environ_base["HTTP_USER_AGENT"] = GOOGLEBOT
    assert bot.get(f"/t/{parties.shop.tag.code}").status_code == 200
    client.get(f"/t/{parties.shop.tag.code}", headers={"Sec-Purpose": "prefetch"})
    assert deliveries(hook["id"]) == [] and deliveries(scans_hook["id"]) == []


def test_a_coupon_claim_and_its_redemption_are_delivered(allow_private, app, client, parties,
                                                         receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url,
                          ["coupon.claimed", "coupon.redeemed", "wishlist.added"])
    make_offer(parties.shop.retailer)
    phone = new_phone(app)
    code = claim_coupon(phone, parties.shop.tag)
    response = client.post("/api/v1/redemptions", headers=parties.merchandiser, json={
        "code": code, "store": "NYC01", "sale_amount_cents": 10000})
    assert response.status_code == 201
    assert send_due(10) == (2, 0)
    claimed, redeemed = (_verified(receiver, hook["secret"], i) for i in (0, 1))
    assert claimed["type"] == "coupon.claimed" and redeemed["type"] == "coupon.redeemed"
    assert claimed["data"]["coupon"] == code and claimed["data"]["offer"] == "15% off today"
    assert claimed["data"]["shopper"] == redeemed["data"]["shopper"]
    assert redeemed["data"]["sale_amount_cents"] == 10000
    assert redeemed["data"]["discount_cents"] == 1500 and redeemed["data"]["store"] == "NYC01"


def test_a_content_approval_reaches_the_retailer_and_the_vendor(allow_private, app, client,
                                                                receiver):
    from qrshop.accounts.services import user_by_email
    from qrshop.content.services import create_draft, submit_revision
    from tests.content.helpers import make_scene
    from tests.factories import csrf_token, login
    from tests.webhooks.conftest import bearer

    scene = make_scene()
    merch = bearer(user_by_email(scene.merch_email))
    vendor = bearer(user_by_email(scene.vendor_email))
    db.session.commit()
    retailer_hook = create_webhook(client, merch, receiver.url,
                                   ["content.approved", "content.submitted"])
    vendor_hook = create_webhook(client, vendor, receiver.url,
                                 ["content.approved", "content.changes_requested"])
    revision = create_draft(scene.product, user_by_email(scene.vendor_email),
                            {"title": "Built for wet trails", "hero_image": str(scene.hero.id)})
    reviews = submit_revision(revision, user_by_email(scene.vendor_email))
    db.session.commit()
    review_id = next(r.id for r in reviews if r.retailer_id == scene.retailer.id)
    login(client, scene.merch_email)
    path = f"/console/reviews/{review_id}"
    assert client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "decision": "approve", "comment": ""}).status_code == 302

    assert [d.event_type for d in deliveries(retailer_hook["id"])] == [
        "content.submitted", "content.approved"]
    [to_vendor] = deliveries(vendor_hook["id"])
    send_due(10)
    assert json.loads(to_vendor.payload)["data"] == {
        "retailer": "acme", "gtin": scene.product.gtin, "product": "Trail Widget",
        "revision": revision.id, "status": "approved", "comment": ""}
    secrets = {d.msg_id: retailer_hook["secret"] for d in deliveries(retailer_hook["id"])}
    secrets[to_vendor.msg_id] = vendor_hook["secret"]
    for request in receiver.requests:
        Verifier(secrets[request.headers["webhook-id"]]).verify(request.body, request.headers)
    assert len(receiver.requests) == 3


def test_a_dead_receiver_gets_retries_with_back_off_then_a_resend(allow_private, client,
                                                                   parties, receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    receiver.stop()
    client.get(f"/t/{parties.shop.tag.code}")
    before = utcnow()
    assert send_due(10) == (0, 1)
    [delivery] = deliveries(hook["id"])
    assert delivery.status == "queued" and delivery.attempts == 1
    assert delivery.last_status_code is None and "refused" in delivery.last_error.lower()
    assert timedelta(seconds=29) < delivery.next_attempt_at - before < timedelta(seconds=32)
    assert send_due(10) == (0, 0)  # not due yet

    make_due(hook["id"])  # 30 s later
    before = utcnow()
    send_due(10)
    [delivery] = deliveries(hook["id"])
    assert delivery.attempts == 2
    assert timedelta(seconds=59) < delivery.next_attempt_at - before < timedelta(seconds=62)
    make_due(hook["id"])  # a minute later
    send_due(10)
    [delivery] = deliveries(hook["id"])
    assert delivery.attempts == 3
    assert timedelta(seconds=119) < delivery.next_attempt_at - utcnow() < timedelta(seconds=121)

    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=parties.merchandiser)
    assert log.status_code == 200
    [entry] = log.get_json()["items"]
    assert entry["status"] == "queued" and entry["attempts"] == 3
    assert entry["last_status_code"] is None and entry["last_duration_ms"] >= 0
    assert entry["payload"]["type"] == "scan.created" and entry["next_attempt_at"]
    assert client.get(f"/api/v1/webhooks/{hook['id']}",
                      headers=parties.merchandiser).get_json()["consecutive_failures"] == 3

    receiver.start()  # the receiver is back; the owner resends without waiting
    resent = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{entry['id']}/resend",
                         headers=parties.merchandiser)
    assert resent.status_code == 202 and resent.get_json()["status"] == "queued"
    assert send_due(10) == (1, 0)
    event = _verified(receiver, hook["secret"])
    assert event["type"] == "scan.created"
    assert receiver.requests[0].headers["webhook-id"] == entry["msg_id"]
    entry = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries",
                       headers=parties.merchandiser).get_json()["items"][0]
    assert entry["status"] == "delivered" and entry["last_status_code"] == 204
    assert webhook_row(hook["id"]).consecutive_failures == 0  # a success resets the count


def test_an_error_answer_is_a_failure_and_every_delivery_fails_after_max_attempts(
        allow_private, client, parties, receiver):
    receiver.status = 500
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    for _ in range(MAX_ATTEMPTS):
        make_due(hook["id"])
        assert send_due(10) == (0, 1)
    [delivery] = deliveries(hook["id"])
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert delivery.last_status_code == 500 and delivery.last_error == "answered 500"
    make_due(hook["id"])
    assert send_due(10) == (0, 0)
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_twenty_consecutive_failures_disable_the_webhook_and_email_the_merchandisers(
        allow_private, app, client, parties):
    dead = f"http://127.0.0.1:{_free_port()}/gone"
    hook = create_webhook(client, parties.merchandiser, dead, ["scan.created"])
    for _ in range(3):  # three events: more attempts than one delivery makes
        new_phone(app).get(f"/t/{parties.shop.tag.code}")
    failures = 0
    while webhook_row(hook["id"]).is_enabled:
        make_due(hook["id"])
        sent, failed = send_due(1)
        failures += failed
        assert failures <= DISABLE_AFTER
    assert failures == DISABLE_AFTER
    webhook = webhook_row(hook["id"])
    assert "20 consecutive" in webhook.disabled_reason and webhook.disabled_at is not None
    [email] = queued_emails(parties.merchandiser_email)
    assert "disabled" in email.subject and dead in email.body
    assert f"/console/webhooks/{hook['id']}" in email.body
    assert queued_emails(parties.vendor_email) == []

    make_due(hook["id"])
    assert send_due(10) == (0, 0)  # a disabled webhook is not called
    new_phone(app).get(f"/t/{parties.shop.tag.code}")
    assert len(deliveries(hook["id"])) == 3  # and no new event is queued for it
    shown = client.get(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser)
    assert shown.get_json()["enabled"] is False

    enabled = client.patch(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser,
                           json={"enabled": True})
    assert enabled.get_json()["enabled"] is True
    assert enabled.get_json()["consecutive_failures"] == 0
    assert enabled.get_json()["disabled_reason"] is None


def test_a_vendor_webhook_disabled_emails_the_vendors_people(allow_private, app, client,
                                                             parties):
    hook = create_webhook(client, parties.vendor, f"http://127.0.0.1:{_free_port()}/",
                          ["scan.created"])
    for _ in range(3):
        new_phone(app).get(f"/t/{parties.shop.tag.code}")
    for _ in range(DISABLE_AFTER):
        make_due(hook["id"])
        send_due(1)
    assert webhook_row(hook["id"]).is_enabled is False
    [email] = queued_emails(parties.vendor_email)
    assert f"/vendor/webhooks/{hook['id']}" in email.body
    assert queued_emails(parties.merchandiser_email) == []


def test_the_address_is_checked_again_at_delivery(allow_private, app, client, parties,
                                                  receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False  # production settings: 127.0.0.1 is refused
    assert send_due(10) == (0, 1)
    [delivery] = deliveries(hook["id"])
    assert receiver.requests == []
    assert re.search(r"https://", delivery.last_error) or "non-public" in delivery.last_error


def test_a_phone_scan_reaches_only_subscribers_of_its_retailer(allow_private, client, parties,
                                                               receiver):
    ours = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    theirs = create_webhook(client, parties.other_merchandiser, receiver.url, ["scan.created"])
    client.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    client.get(f"/t/{parties.shop.tag.code}")
    assert len(deliveries(ours["id"])) == 1 and deliveries(theirs["id"]) == []


def test_each_failed_attempt_is_reported_in_one_line(allow_private, client, parties):
    hook = create_webhook(client, parties.merchandiser, f"http://127.0.0.1:{_free_port()}/x",
                          ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    lines = []
    assert send_due(10, report=lines.append) == (0, 1)
    [delivery] = deliveries(hook["id"])
    assert lines == [f"webhook delivery {delivery.id} ({delivery.webhook.url}): "
                     f"{delivery.last_error}"]
