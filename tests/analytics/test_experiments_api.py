"""Starting and ending experiments through /api/v1/experiments and the console: the checks
(clear 4xx), one experiment per listing at a time, finished ones stay readable, and who may
do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qrshop.db import utcnow
from tests.analytics.experiment_helpers import approved_revision
from tests.api.engage import token_for
from tests.factories import csrf_token, login, make_retailer, make_shop, make_store, make_user
from tests.helpers import make_offer


@pytest.fixture
def shop(app):
    """make_shop: Trail Widget tagged in NYC01 of retailer acme."""
    return make_shop()


def _body(shop, variants=None, **values):
    now = utcnow()
    body = {"sku": shop.listing.sku, "name": "Hero test",
            "ends_at": (now + timedelta(days=7)).isoformat(),
            "variants": variants or [{"weight": 50}, {"weight": 50, "kind": "template",
                                                      "template": "story"}]}
    body.update(values)
    return body


def test_api_starts_lists_ends_an_experiment_and_it_stays_readable(client, shop):
    headers = token_for("merchandiser", retailer_slug="acme")
    created = client.post("/api/v1/experiments", json=_body(shop), headers=headers)
    assert created.status_code == 201, created.get_json()
    experiment = created.get_json()
    assert experiment["status"] == "running"
    assert [(v["letter"], v["kind"], v["weight"]) for v in experiment["variants"]] == [
        ("A", "current", 50), ("B", "template", 50)]
    listed = client.get(f"/api/v1/experiments?sku={shop.listing.sku}", headers=headers)
    assert [item["id"] for item in listed.get_json()["items"]] == [experiment["id"]]
    ended = client.post(f"/api/v1/experiments/{experiment['id']}/end", headers=headers)
    assert ended.status_code == 200 and ended.get_json()["status"] == "finished"
    again = client.post(f"/api/v1/experiments/{experiment['id']}/end", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"] == "already_finished"
    read = client.get(f"/api/v1/experiments/{experiment['id']}", headers=headers)
    assert read.status_code == 200 and read.get_json()["ended_at"] is not None
    # Ended, the listing is free for the next experiment.
    assert client.post("/api/v1/experiments", json=_body(shop),
                       headers=headers).status_code == 201


def test_api_refuses_what_cannot_run_with_a_message(client, shop):
    headers = token_for("merchandiser", retailer_slug="acme")
    pending = approved_revision(shop, "Waiting", approve=False)
    other_retailer = make_retailer("other")
    foreign_offer = make_offer(other_retailer, title="Theirs")
    now = utcnow()
    cases = [
        ([{"weight": 60}, {"weight": 50, "kind": "template", "template": "story"}],
         {}, "add up to 100"),
        ([{"weight": 50}, {"weight": 50, "kind": "template", "template": "nope"}],
         {}, "choose a template"),
        ([{"weight": 50}, {"weight": 50, "kind": "revision", "revision_id": pending.id}],
         {}, "that you approved"),
        ([{"weight": 50}, {"weight": 50, "kind": "offer", "offer_id": foreign_offer.id}],
         {}, "choose one of your offers"),
        ([{"weight": 50}, {"weight": 50}], {}, "show the same thing"),
        (None, {"starts_at": (now + timedelta(days=2)).isoformat(),
                "ends_at": (now + timedelta(days=1)).isoformat()}, "end must be after"),
        (None, {"sku": "NOPE"}, "no item has the SKU"),
    ]
    for variants, values, message in cases:
        answer = client.post("/api/v1/experiments", json=_body(shop, variants, **values),
                             headers=headers)
        assert answer.status_code == 422, (message, answer.get_json())
        assert message in answer.get_json()["message"], answer.get_json()
    one = client.post("/api/v1/experiments", json=_body(shop, [{"weight": 50}]),
                      headers=headers)
    assert one.status_code == 422  # one variant only
    assert client.get("/api/v1/experiments", headers=headers).get_json()["items"] == []
    assert client.post("/api/v1/experiments", json=_body(shop), headers=headers
                       ).status_code == 201
    overlap = client.post("/api/v1/experiments", json=_body(shop), headers=headers)
    assert overlap.status_code == 409
    assert overlap.get_json()["error"] == "experiment_overlaps"
    assert "one experiment runs on a listing at a time" in overlap.get_json()["message"]


def test_only_the_retailers_merchandisers_see_or_start_experiments(client, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    experiment = client.post("/api/v1/experiments", json=_body(shop), headers=merch).get_json()
    path = f"/api/v1/experiments/{experiment['id']}"
    vendor = token_for("vendor", vendor_slug="widgetco")
    associate = token_for("associate", retailer_slug="acme", store_code="NYC01")
    for headers in (vendor, associate):
        assert client.get(path, headers=headers).status_code == 403
        assert client.post("/api/v1/experiments", json=_body(shop),
                           headers=headers).status_code == 403
        assert client.post(path + "/end", headers=headers).status_code == 403
    read_only = token_for("merchandiser", "experiments:read", retailer_slug="acme")
    assert client.get(path, headers=read_only).status_code == 200
    assert client.post(path + "/end", headers=read_only).status_code == 403
    other = make_retailer("other")
    make_store(other, "LAX01")
    stranger = token_for("merchandiser", retailer_slug="other")
    assert client.get(path, headers=stranger).status_code == 404
    assert client.post(path + "/end", headers=stranger).status_code == 404
    assert client.get("/api/v1/experiments", headers=stranger).get_json()["items"] == []
    # The console pages: another retailer's merchandiser gets 404, others 403.
    page = f"/console/experiments/{experiment['id']}"
    login(client, make_user("merchandiser", retailer_slug="other").email)
    assert client.get(page).status_code == 404
    assert client.get(f"/console/listings/{shop.listing.id}/experiments").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})
    for role, links in (("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"})):
        browser = client.application.test_client()
        login(browser, make_user(role, **links).email)
        assert browser.get(page).status_code == 403
        assert browser.get("/console/experiments").status_code == 403


def test_console_form_starts_an_experiment_and_ends_it(client, shop):
    offer = make_offer(shop.retailer, title="Free gift wrap", kind="perk",
                       perk_text="Free gift wrap")
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    path = f"/console/listings/{shop.listing.id}/experiments"
    page = client.get(path).get_data(as_text=True)
    assert "New experiment" in page and "Offer: Free gift wrap" in page
    token = csrf_token(client, path)
    form = {"csrf_token": token, "name": "Gift wrap or not", "starts_at": "",
            "ends_at": f"{utcnow() + timedelta(days=30):%Y-%m-%dT%H:%M}",
            "show_a": "current", "weight_a": "50",
            "show_b": f"offer:{offer.id}", "weight_b": "40", "show_c": "", "weight_c": ""}
    refused = client.post(path, data=form)
    assert refused.status_code == 422
    assert "must add up to 100" in refused.get_data(as_text=True)
    assert 'value="Gift wrap or not"' in refused.get_data(as_text=True)  # kept what was typed
    form["weight_b"] = "50"
    created = client.post(path, data=form)
    assert created.status_code == 302
    results = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Gift wrap or not" in results and 'data-status="running"' in results
    assert "two-proportion z-test" in results
    end_path = created.headers["Location"] + "/end"
    ended = client.post(end_path, data={"csrf_token": csrf_token(
        client, created.headers["Location"])})
    assert ended.status_code == 303
    results = client.get(created.headers["Location"]).get_data(as_text=True)
    assert 'data-status="finished"' in results and "ended early" in results
    assert "Gift wrap or not" in client.get("/console/experiments").get_data(as_text=True)
