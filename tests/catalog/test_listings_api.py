"""/api/v1/listings: PUT creates (201) or updates (200), GET lists by cursor and reads one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.catalog.models import Listing
from qrshop.extensions import db
from tests.catalog.helpers import make_catalog_scene


@pytest.fixture
def scene(app):
    return make_catalog_scene()


def _token(email: str) -> dict:
    _, plain = create_api_token(user_by_email(email), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_put_creates_then_updates_a_listing(scene, client):
    headers = _token(scene.merch_email)
    body = {"gtin": scene.tote_gtin, "price_cents": 4999, "currency": "USD"}
    created = client.put("/api/v1/listings/TOTE-1", json=body, headers=headers)
    assert created.status_code == 201
    item = created.get_json()
    assert {k: item[k] for k in ("sku", "gtin", "name", "brand", "price_cents", "currency",
                                 "status")} == {
        "sku": "TOTE-1", "gtin": scene.tote_gtin, "name": "Canvas Tote", "brand": "Widgetco",
        "price_cents": 4999, "currency": "USD", "status": "active"}
    assert item["retailer_owned"] is False
    updated = client.put("/api/v1/listings/TOTE-1", json={**body, "price_cents": 3999},
                         headers=headers)
    assert updated.status_code == 200 and updated.get_json()["price_cents"] == 3999
    got = client.get("/api/v1/listings/TOTE-1", headers=headers)
    assert got.status_code == 200 and got.get_json()["price_cents"] == 3999


def test_put_a_retailer_owned_product(scene, client):
    headers = _token(scene.merch_email)
    response = client.put("/api/v1/listings/PEN-1", headers=headers, json={
        "gtin": "4006381333931", "price_cents": 250, "currency": "EUR",
        "name": "Highlighter", "brand": "Stabilo"})
    assert response.status_code == 201
    assert response.get_json()["retailer_owned"] is True
    assert response.get_json()["gtin"] == "04006381333931"


@pytest.mark.parametrize("body, status, error", [
    ({"gtin": "4006381333932", "price_cents": 1, "currency": "USD"}, 422, "invalid_input"),
    ({"gtin": "4006381333931", "price_cents": 1, "currency": "USD"}, 422, "invalid_input"),
    ({"gtin": "96385074", "price_cents": -1, "currency": "USD"}, 422, "invalid_input"),
    ({"gtin": "96385074", "price_cents": "1", "currency": "USD"}, 422, "invalid_input"),
    ({"gtin": "96385074", "price_cents": 1, "currency": "XXX"}, 422, "invalid_input"),
    ({"gtin": "96385074", "price_cents": 1, "currency": "USD", "name": "x" * 5000,
      "brand": "B"}, 422, "invalid_input"),
])
def test_bad_put_is_refused_and_stores_nothing(scene, client, body, status, error):
    headers = _token(scene.merch_email)
    before = db.session.scalar(select(func.count()).select_from(Listing))
    response = client.put("/api/v1/listings/NEW-1", json=body, headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Listing)) == before


def test_put_refuses_an_unlinked_vendors_gtin_and_conflicts(scene, client):
    headers = _token(scene.merch_email)
    unlinked = client.put("/api/v1/listings/GIZMO", headers=headers, json={
        "gtin": scene.rival_gtin, "price_cents": 500, "currency": "USD"})
    assert unlinked.status_code == 422 and unlinked.get_json()["error"] == "vendor_not_linked"
    other_sku = client.put("/api/v1/listings/AGAIN", headers=headers, json={
        "gtin": scene.listed_gtin, "price_cents": 500, "currency": "USD"})
    assert other_sku.status_code == 409
    other_gtin = client.put(f"/api/v1/listings/{scene.listed_sku}", headers=headers, json={
        "gtin": scene.tote_gtin, "price_cents": 500, "currency": "USD"})
    assert other_gtin.status_code == 409
    bad_sku = client.put("/api/v1/listings/a%20b", headers=headers, json={
        "gtin": scene.tote_gtin, "price_cents": 500, "currency": "USD"})
    assert bad_sku.status_code == 422


def test_only_merchandiser_tokens_may_call(scene, client):
    body = {"gtin": scene.tote_gtin, "price_cents": 4999, "currency": "USD"}
    for email in (scene.vendor_email, scene.associate_email, scene.admin_email):
        headers = _token(email)
        assert client.put("/api/v1/listings/TOTE-1", json=body,
                          headers=headers).status_code == 403
        assert client.get("/api/v1/listings", headers=headers).status_code == 403
    assert client.get("/api/v1/listings").status_code == 401
    assert client.put("/api/v1/listings/TOTE-1", json=body).status_code == 401
    assert db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1")) is None


def test_another_retailers_listing_is_not_found(scene, client):
    headers = _token(scene.merch_email)
    response = client.get("/api/v1/listings/BM-TOTE", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_list_is_cursor_paginated(scene, client):
    headers = _token(scene.merch_email)
    from tests.factories import valid_gtin13

    for n in range(5):
        response = client.put(f"/api/v1/listings/OWN-{n}", headers=headers, json={
            "gtin": valid_gtin13(), "price_cents": 100 + n, "currency": "USD",
            "name": f"Own {n}", "brand": "Acme"})
        assert response.status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/listings{query}", headers=headers).get_json()
        seen += [item["sku"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 6 and len(set(seen)) == 6
    assert "BM-TOTE" not in seen
    default = client.get("/api/v1/listings", headers=headers).get_json()
    assert len(default["items"]) == 6 and default["next_cursor"] is None
    for bad in ("?limit=101", "?limit=0", "?cursor=abc", "?limit=x", "?cursor=272523723834"):
        response = client.get(f"/api/v1/listings{bad}", headers=headers)
        assert response.status_code == 422, bad


def test_listings_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/listings/{sku}"])
    put = paths["/api/v1/listings/{sku}"]["put"]
    assert {"200", "201", "403", "422"} <= set(put["responses"])
    assert "merchandiser" in put["description"]
    assert "get" in paths["/api/v1/listings"]


def test_control_characters_are_refused_not_stored(scene, client):
    headers = _token(scene.merch_email)
    response = client.put("/api/v1/listings/NUL-1", headers=headers, json={
        "gtin": "4006381333931", "price_cents": 1, "currency": "USD", "name": "a\x00b",
        "brand": "B"})
    assert response.status_code == 422 and "control characters" in response.get_json()["message"]
    assert client.get("/api/v1/listings/a%00b", headers=headers).status_code == 404
