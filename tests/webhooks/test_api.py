"""/api/v1/webhooks: validation, the SSRF guard, scopes and party isolation."""

from __future__ import annotations

import pytest

from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.extensions import db
from qrshop.webhooks.addresses import is_public
from qrshop.webhooks.events import EVENTS
from tests.webhooks.conftest import create_webhook, deliveries

PUBLIC = "https://93.184.215.14/hooks"  # an IP literal: no DNS needed


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://10.1.2.3/", "https://192.168.0.10/",
    "https://172.16.5.4/", "https://169.254.169.254/latest/meta-data/", "https://[::1]/",
    "https://[fe80::1]/", "https://[fc00::1]/", "https://[::ffff:127.0.0.1]/",
    "https://[64:ff9b::a00:1]/", "https://0.0.0.0/", "https://224.0.0.1/",
    "https://100.64.0.1/", "https://localhost/hook", "https://LocalHost:8443/",
])
def test_private_loopback_and_link_local_urls_are_refused(client, parties, url):
    response = client.post("/api/v1/webhooks", headers=parties.merchandiser,
                           json={"url": url, "events": ["scan.created"]})
    assert response.status_code == 422, url
    assert response.get_json()["error"] == "unsafe_url"
    assert "public" in response.get_json()["message"]


@pytest.mark.parametrize("url, says", [
    ("http://93.184.215.14/hooks", "https://"), ("ftp://93.184.215.14/", "https://"),
    ("https://user:pw@93.184.215.14/", "password"), ("https:///path", "host"),
    ("https://93.184.215.14:99999/", "port"),
    ("", "URL"), ("https://93.184.215.14/a b", "spaces"),
])
def test_unusable_urls_are_refused_with_a_reason(client, parties, url, says):
    response = client.post("/api/v1/webhooks", headers=parties.merchandiser,
                           json={"url": url, "events": ["scan.created"]})
    assert response.status_code == 422
    assert says in response.get_json()["message"]


def test_public_addresses_pass_and_the_others_do_not():
    assert is_public("93.184.215.14") and is_public("2606:4700:4700::1111")
    for address in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
                    "::ffff:10.0.0.1", "2002:a00:1::", "64:ff9b::7f00:1", "::", "ff02::1",
                    "240.0.0.1", "100.64.1.1", "192.0.2.1"):
        assert not is_public(address), address


def test_a_host_without_dns_yet_is_saved_and_checked_at_each_delivery(allow_private, app,
                                                                    client, parties):
    from qrshop.webhooks.delivery import send_due

    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    hook = create_webhook(client, parties.merchandiser, "https://no-such-host.invalid/hook",
                          ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    assert send_due(10) == (0, 1)
    [delivery] = deliveries(hook["id"])
    assert "could not be found" in delivery.last_error and delivery.status == "queued"


def test_allow_private_lets_local_receivers_in_over_http(allow_private, client, parties):
    hook = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/hook",
                          ["scan.created"])
    assert hook["url"] == "http://127.0.0.1:9/hook"


def test_unknown_events_are_refused_listing_the_valid_ones(client, parties):
    response = client.post("/api/v1/webhooks", headers=parties.merchandiser,
                           json={"url": PUBLIC, "events": ["scan.created", "scan.deleted"]})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "unknown_event" and "'scan.deleted'" in body["message"]
    assert all(name in body["message"] for name in EVENTS)
    vendor = client.post("/api/v1/webhooks", headers=parties.vendor,
                         json={"url": PUBLIC, "events": ["tag.silent"]})
    assert vendor.status_code == 422
    assert "tag.silent" not in vendor.get_json()["message"].split(";")[1]
    assert client.post("/api/v1/webhooks", headers=parties.merchandiser,
                       json={"url": PUBLIC, "events": []}).status_code == 422


def test_a_family_wildcard_subscribes_to_each_of_its_events(client, parties):
    hook = create_webhook(client, parties.vendor, PUBLIC, ["content.*", "scan.created"])
    assert hook["events"] == ["content.approved", "content.changes_requested",
                              "content.submitted", "scan.created"]
    response = client.post("/api/v1/webhooks", headers=parties.vendor,
                           json={"url": PUBLIC, "events": ["tag.*"]})
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_event"


def test_create_list_get_change_delete(client, parties):
    hook = create_webhook(client, parties.merchandiser, PUBLIC, ["scan.created", "tag.silent"])
    assert set(hook) >= {"id", "secret", "url", "events", "enabled", "created_at"}
    assert hook["events"] == ["scan.created", "tag.silent"] and hook["enabled"] is True
    shown = client.get(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser)
    assert shown.status_code == 200 and "secret" not in shown.get_json()

    second = create_webhook(client, parties.merchandiser, PUBLIC + "/2", ["coupon.claimed"])
    page = client.get("/api/v1/webhooks?limit=1", headers=parties.merchandiser).get_json()
    assert [item["id"] for item in page["items"]] == [hook["id"]] and page["next_cursor"]
    rest = client.get(f"/api/v1/webhooks?limit=1&cursor={page['next_cursor']}",
                      headers=parties.merchandiser).get_json()
    assert [item["id"] for item in rest["items"]] == [second["id"]]
    assert "secret" not in rest["items"][0]

    changed = client.patch(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser,
                           json={"events": ["coupon.redeemed"], "enabled": False})
    assert changed.status_code == 200
    assert changed.get_json()["events"] == ["coupon.redeemed"]
    assert changed.get_json()["enabled"] is False
    refused = client.patch(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser,
                           json={"url": "https://10.0.0.1/"})
    assert refused.status_code == 422
    assert client.get(f"/api/v1/webhooks/{hook['id']}",
                      headers=parties.merchandiser).get_json()["url"] == PUBLIC

    assert client.delete(f"/api/v1/webhooks/{hook['id']}",
                         headers=parties.merchandiser).status_code == 204
    assert client.get(f"/api/v1/webhooks/{hook['id']}",
                      headers=parties.merchandiser).status_code == 404
    listed = client.get("/api/v1/webhooks", headers=parties.merchandiser).get_json()["items"]
    assert [item["id"] for item in listed] == [second["id"]]


def test_another_partys_webhook_is_not_found(client, parties):
    hook = create_webhook(client, parties.merchandiser, PUBLIC, ["scan.created"])
    for headers in (parties.other_merchandiser, parties.vendor):
        base = f"/api/v1/webhooks/{hook['id']}"
        assert client.get(base, headers=headers).status_code == 404
        assert client.patch(base, headers=headers, json={"enabled": False}).status_code == 404
        assert client.delete(base, headers=headers).status_code == 404
        assert client.get(base + "/deliveries", headers=headers).status_code == 404
        assert client.post(base + "/deliveries/1/resend", headers=headers).status_code == 404
        assert client.get("/api/v1/webhooks", headers=headers).get_json()["items"] == []
    assert client.get(f"/api/v1/webhooks/{hook['id']}",
                      headers=parties.merchandiser).get_json()["enabled"] is True


def test_associates_and_tokens_without_the_scope_are_refused(client, parties):
    from tests.factories import make_user

    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    reader = user_by_email(parties.merchandiser_email)
    _, associate_token = create_api_token(associate, "till")
    _, read_only = create_api_token(reader, "read", scopes=["webhooks:read"])
    db.session.commit()
    assert client.get("/api/v1/webhooks", headers={
        "Authorization": f"Bearer {associate_token}"}).status_code == 403
    assert client.get("/api/v1/webhooks", headers={
        "Authorization": f"Bearer {read_only}"}).status_code == 200
    response = client.post("/api/v1/webhooks", headers={"Authorization": f"Bearer {read_only}"},
                           json={"url": PUBLIC, "events": ["scan.created"]})
    assert response.status_code == 403 and response.get_json()["error"] == "insufficient_scope"


def test_a_delivery_of_another_webhook_cannot_be_resent(allow_private, client, parties):
    ours = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/",
                          ["scan.created"])
    other = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/o",
                           ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    [theirs] = deliveries(other["id"])
    response = client.post(f"/api/v1/webhooks/{ours['id']}/deliveries/{theirs.id}/resend",
                           headers=parties.merchandiser)
    assert response.status_code == 404


def test_resending_for_a_disabled_webhook_asks_to_enable_it(allow_private, client, parties):
    hook = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/",
                          ["scan.created"])
    client.get(f"/t/{parties.shop.tag.code}")
    [delivery] = deliveries(hook["id"])
    client.patch(f"/api/v1/webhooks/{hook['id']}", headers=parties.merchandiser,
                 json={"enabled": False})
    response = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery.id}/resend",
                           headers=parties.merchandiser)
    assert response.status_code == 409 and response.get_json()["error"] == "webhook_disabled"


def test_allow_private_is_read_from_the_environment_as_on_or_off():
    from qrshop.config import defaults, from_environment

    assert defaults("/tmp")["WEBHOOK_ALLOW_PRIVATE"] is False
    for value, expected in (("1", True), ("true", True), ("ON", True), ("0", False),
                            ("no", False)):
        found = from_environment({"QRSHOP_WEBHOOK_ALLOW_PRIVATE": value})
        assert found["WEBHOOK_ALLOW_PRIVATE"] is expected
