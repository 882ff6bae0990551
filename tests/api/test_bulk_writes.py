"""Bulk writes (`POST /api/v1/<resource>:bulk`): up to 100 items, each applied and answered
on its own; a refused item (also one that breaks the item schema) stores nothing of itself and
does not stop the others."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.accounts.services import user_by_email
from qrshop.catalog.models import Listing, Product
from qrshop.extensions import db
from qrshop.tags.models import Tag
from tests.api.helpers import bearer
from tests.catalog.helpers import make_catalog_scene
from tests.factories import valid_gtin13


@pytest.fixture
def scene(app):
    return make_catalog_scene()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _results(response) -> list[tuple[int, str | None]]:
    """(status, error) of each item, checking the totals."""
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    results = body["results"]
    assert [result["index"] for result in results] == list(range(len(results)))
    failed = sum(1 for result in results if result["status"] >= 400)
    assert (body["succeeded"], body["failed"]) == (len(results) - failed, failed)
    return [(result["status"], result.get("error")) for result in results]


def test_listings_bulk_follows_the_put_rules_item_by_item(scene, client):
    headers = bearer(user_by_email(scene.merch_email))
    before = _count(Listing)
    response = client.post("/api/v1/listings:bulk", headers=headers, json={"items": [
        {"sku": "TOTE-1", "gtin": scene.tote_gtin, "price_cents": 2500, "currency": "USD"},
        {"sku": scene.listed_sku, "gtin": scene.listed_gtin, "price_cents": 3999,
         "currency": "USD"},
        {"sku": "RIVAL-1", "gtin": scene.rival_gtin, "price_cents": 100, "currency": "USD"},
        {"sku": "OTHER", "gtin": scene.listed_gtin, "price_cents": 100, "currency": "USD"},
        {"sku": "PEN-1", "gtin": "4006381333931", "price_cents": 250, "currency": "EUR",
         "name": "Highlighter", "brand": "Stabilo"},
        {"sku": "BAD SKU", "gtin": scene.tote_gtin, "price_cents": 1, "currency": "USD"},
        {"gtin": scene.tote_gtin, "price_cents": 1, "currency": "USD"},
    ]})
    assert _results(response) == [(201, None), (200, None), (422, "vendor_not_linked"),
                                  (409, "conflict"), (201, None), (422, "invalid_input"),
                                  (422, "invalid_input")]
    results = response.get_json()["results"]
    assert results[0]["data"]["sku"] == "TOTE-1" and results[1]["data"]["price_cents"] == 3999
    assert results[6]["message"].startswith("sku")
    assert _count(Listing) == before + 2
    assert db.session.scalar(select(Listing).where(Listing.sku == "RIVAL-1")) is None


def test_products_bulk_creates_and_updates_the_vendors_own(scene, client):
    headers = bearer(user_by_email(scene.vendor_email))
    new_gtin = valid_gtin13()
    before = _count(Product)
    response = client.post("/api/v1/products:bulk", headers=headers, json={"items": [
        {"gtin": new_gtin, "name": "Rain Shell", "brand": "Widgetco"},
        {"gtin": scene.tote_gtin, "name": "Canvas Tote XL"},
        {"gtin": scene.rival_gtin, "name": "Not mine"},
        {"gtin": "4006381333932", "name": "Bad check digit"},
        {"gtin": valid_gtin13(), "name": "x" * 201},
    ]})
    assert _results(response) == [(201, None), (200, None), (409, "conflict"),
                                  (422, "invalid_input"), (422, "invalid_input")]
    assert _count(Product) == before + 1
    names = dict(db.session.execute(select(Product.gtin, Product.name)).all())
    assert names["0" + new_gtin] == "Rain Shell"
    assert names[scene.tote_gtin] == "Canvas Tote XL"
    assert names[scene.rival_gtin] == "Rival Gizmo"


def test_stores_bulk_creates_each_good_store(scene, client):
    headers = bearer(user_by_email(scene.admin_email))
    before = _count(Store)
    response = client.post("/api/v1/stores:bulk", headers=headers, json={"items": [
        {"retailer": "acme", "code": "CLT01", "name": "Charlotte", "timezone": "UTC"},
        {"retailer": "acme", "code": "CLT01", "name": "Charlotte again", "timezone": "UTC"},
        {"retailer": "nope", "code": "X1", "name": "X", "timezone": "UTC"},
        {"retailer": "bestmart", "code": "SF01", "name": "San Francisco",
         "timezone": "America/Los_Angeles", "address": "1 Market St"},
        {"retailer": "acme", "code": "ATL01", "name": "Atlanta", "timezone": "Atlantis"},
    ]})
    assert _results(response) == [(201, None), (409, "conflict"), (422, "invalid_input"),
                                  (201, None), (422, "invalid_input")]
    assert _count(Store) == before + 2


def test_tags_bulk_creates_each_good_tag(scene, client):
    headers = bearer(user_by_email(scene.merch_email))
    before = _count(Tag)
    response = client.post("/api/v1/tags:bulk", headers=headers, json={"items": [
        {"sku": scene.listed_sku, "store": "NYC01", "placement": "Window"},
        {"sku": scene.listed_sku, "store": "LA01"},  # another retailer's store
        {"sku": "BM-TOTE", "store": "NYC01"},  # another retailer's SKU
        {"sku": scene.listed_sku, "store": "BOS01", "placement": "Till"},
        {"sku": scene.listed_sku, "store": "BOS01", "placement": "x" * 121},
    ]})
    assert _results(response) == [(201, None), (422, "unknown_store"), (422, "unknown_sku"),
                                  (201, None), (422, "invalid_input")]
    results = response.get_json()["results"]
    assert {results[0]["data"]["store"], results[3]["data"]["store"]} == {"NYC01", "BOS01"}
    assert _count(Tag) == before + 2


@pytest.mark.parametrize("items", [[], [{"sku": "X", "store": "NYC01"}] * 101, "x"])
def test_a_bulk_request_holds_1_to_100_items(scene, client, items):
    headers = bearer(user_by_email(scene.merch_email))
    response = client.post("/api/v1/tags:bulk", headers=headers, json={"items": items})
    assert response.status_code == 422 and response.get_json()["message"].startswith("items")
    assert client.post("/api/v1/tags:bulk", headers=headers,
                       json={"items": [{"sku": "X", "store": "NYC01"}] * 100}
                       ).status_code == 200


def test_bulk_writes_need_the_write_scope(scene, client):
    for email, path, scope in ((scene.merch_email, "/api/v1/listings:bulk", "listings:read"),
                               (scene.vendor_email, "/api/v1/products:bulk", "products:read"),
                               (scene.admin_email, "/api/v1/stores:bulk", "stores:read"),
                               (scene.merch_email, "/api/v1/tags:bulk", "tags:read")):
        headers = bearer(user_by_email(email), scope)
        response = client.post(path, headers=headers, json={"items": [{}]})
        assert response.status_code == 403, path
        assert response.get_json()["error"] == "insufficient_scope"
