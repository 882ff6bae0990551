"""The console's and the vendor portal's webhook pages."""

from __future__ import annotations

import re

from qrshop.extensions import db
from qrshop.webhooks.delivery import send_due
from qrshop.webhooks.models import Webhook
from tests.factories import csrf_token, login
from tests.helpers import new_phone
from tests.webhooks.conftest import deliveries, webhook_row


def _create(client, base: str, url: str, events: list[str]):
    return client.post(f"{base}/webhooks", data={
        "csrf_token": csrf_token(client, f"{base}/webhooks"), "url": url, "events": events})


def test_a_merchandiser_creates_a_webhook_and_sees_its_secret_once(allow_private, app, client,
                                                                   parties, receiver):
    login(client, parties.merchandiser_email)
    page = client.get("/console/webhooks").get_data(as_text=True)
    assert "No webhooks yet" in page and 'value="tag.silent"' in page
    assert 'href="/console/webhooks"' in page  # in the console's navigation
    created = _create(client, "/console", receiver.url, ["scan.created", "coupon.claimed"])
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    secret = re.search(r"<code data-webhook-secret>(whsec_[A-Za-z0-9+/=]+)</code>", html)
    assert secret and "not shown again" in html
    webhook = db.session.query(Webhook).one()
    assert webhook.secret == secret.group(1) and webhook.events == ["coupon.claimed",
                                                                    "scan.created"]
    listing = client.get("/console/webhooks").get_data(as_text=True)
    assert receiver.url.replace("&", "&amp;") in listing and secret.group(1) not in listing

    new_phone(app).get(f"/t/{parties.shop.tag.code}")
    receiver.status = 503
    send_due(10)
    detail = client.get(f"/console/webhooks/{webhook.id}").get_data(as_text=True)
    assert secret.group(1) not in detail
    row = re.search(r'<tr data-delivery="(\d+)">(.*?)</tr>', detail, re.S)
    assert "scan.created" in row.group(2) and "503" in row.group(2) and " ms" in row.group(2)
    assert "Resend" in row.group(2)

    receiver.status = 200
    path = f"/console/webhooks/{webhook.id}/deliveries/{row.group(1)}/resend"
    resent = client.post(path, data={"csrf_token": csrf_token(client,
                                                              f"/console/webhooks/{webhook.id}")})
    assert resent.status_code == 303
    assert send_due(10) == (1, 0)
    assert deliveries(webhook.id)[0].status == "delivered"


def test_edit_disable_enable_and_delete(allow_private, client, parties):
    login(client, parties.merchandiser_email)
    _create(client, "/console", "http://127.0.0.1:9/a", ["scan.created"])
    webhook = db.session.query(Webhook).one()
    base = f"/console/webhooks/{webhook.id}"
    saved = client.post(base, data={"csrf_token": csrf_token(client, base),
                                    "url": "http://127.0.0.1:9/b", "events": ["tag.silent"]})
    assert saved.status_code == 303
    assert webhook_row(webhook.id).url == "http://127.0.0.1:9/b"
    refused = client.post(base, data={"csrf_token": csrf_token(client, base),
                                      "url": "ftp://127.0.0.1/", "events": ["tag.silent"]})
    assert refused.status_code == 422 and "https://" in refused.get_data(as_text=True)
    assert webhook_row(webhook.id).url == "http://127.0.0.1:9/b"

    client.post(f"{base}/state", data={"csrf_token": csrf_token(client, base), "enabled": "0"})
    assert webhook_row(webhook.id).is_enabled is False
    assert "Disabled by a person" in client.get(base).get_data(as_text=True)
    client.post(f"{base}/state", data={"csrf_token": csrf_token(client, base), "enabled": "1"})
    assert webhook_row(webhook.id).is_enabled is True

    assert "cannot be undone" in client.get(f"{base}/delete").get_data(as_text=True)
    deleted = client.post(f"{base}/delete", data={
        "csrf_token": csrf_token(client, f"{base}/delete"), "confirm": "yes"})
    assert deleted.status_code == 303
    assert webhook_row(webhook.id).deleted_at is not None
    assert client.get(base).status_code == 404


def test_forms_need_their_csrf_token(allow_private, client, parties):
    login(client, parties.merchandiser_email)
    response = client.post("/console/webhooks", data={"url": "http://127.0.0.1:9/",
                                                      "events": ["scan.created"]})
    assert response.status_code == 400
    assert db.session.query(Webhook).count() == 0


def test_a_vendor_has_its_own_page_and_sees_no_retailer_webhook(allow_private, app, parties):
    merch, vendor = app.test_client(), app.test_client()
    login(merch, parties.merchandiser_email)
    login(vendor, parties.vendor_email)
    _create(merch, "/console", "http://127.0.0.1:9/r", ["scan.created"])
    retailer_hook = db.session.query(Webhook).one()
    page = vendor.get("/vendor/webhooks").get_data(as_text=True)
    assert 'value="tag.silent"' not in page and "never a shopper" in page
    assert "127.0.0.1:9/r" not in page
    assert vendor.get(f"/vendor/webhooks/{retailer_hook.id}").status_code == 404
    assert vendor.get("/console/webhooks").status_code == 403
    assert merch.get("/vendor/webhooks").status_code == 403
    assert _create(vendor, "/vendor", "http://127.0.0.1:9/v", ["feedback.created"]
                   ).status_code == 201
    vendor_hook = db.session.query(Webhook).filter(Webhook.vendor_id.is_not(None)).one()
    assert vendor_hook.vendor_id == parties.shop.vendor.id
    assert merch.get(f"/console/webhooks/{vendor_hook.id}").status_code == 404
