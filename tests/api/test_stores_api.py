"""/api/v1/stores: retailer staff read their retailer's stores; the admin reads and writes
every retailer's, with the admin pages' rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.extensions import db
from tests.api.helpers import bearer
from tests.factories import make_retailer, make_shop, make_store, make_user


@pytest.fixture
def shops(app):
    """Acme (NYC01, BOS01) and Bestmart (LA01, and its own NYC01)."""
    make_shop()
    other = make_retailer("bestmart")
    make_store(other, "LA01", timezone="America/Los_Angeles")
    make_store(other, "NYC01", name="Bestmart Manhattan")
    db.session.commit()


@pytest.fixture
def admin(shops) -> dict:
    return bearer(make_user("admin"))


def _codes(page) -> list[tuple[str, str]]:
    return [(store["retailer"], store["code"]) for store in page["items"]]


def _store_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Store))


@pytest.mark.parametrize("role, links", [
    ("merchandiser", {"retailer_slug": "acme"}),
    ("associate", {"retailer_slug": "acme", "store_code": "BOS01"}),
])
def test_retailer_staff_read_only_their_retailers_stores(shops, client, role, links):
    headers = bearer(make_user(role, **links))
    page = client.get("/api/v1/stores", headers=headers).get_json()
    assert _codes(page) == [("acme", "NYC01"), ("acme", "BOS01")]
    store = client.get("/api/v1/stores/nyc01", headers=headers)
    assert store.status_code == 200
    assert store.get_json()["name"] == "Store NYC01" and store.get_json()["retailer"] == "acme"
    assert client.get("/api/v1/stores/LA01", headers=headers).status_code == 404
    assert client.get("/api/v1/stores/NYC01?retailer=bestmart",
                      headers=headers).status_code == 404
    refused = client.get("/api/v1/stores?retailer=bestmart", headers=headers)
    assert refused.status_code == 422 and refused.get_json()["message"].startswith("retailer")
    # Writing is the admin's.
    for method, path in (("post", "/api/v1/stores"), ("patch", "/api/v1/stores/NYC01"),
                         ("post", "/api/v1/stores:bulk")):
        response = getattr(client, method)(path, headers=headers, json={"name": "X"})
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_vendors_do_not_read_stores(shops, client):
    headers = bearer(make_user("vendor", vendor_slug="widgetco"))
    assert client.get("/api/v1/stores", headers=headers).status_code == 403


def test_admin_lists_every_store_in_pages_and_filters_by_retailer(admin, client):
    first = client.get("/api/v1/stores?limit=3", headers=admin).get_json()
    second = client.get(f"/api/v1/stores?limit=3&cursor={first['next_cursor']}",
                        headers=admin).get_json()
    assert _codes(first) + _codes(second) == [
        ("acme", "NYC01"), ("acme", "BOS01"), ("bestmart", "LA01"), ("bestmart", "NYC01")]
    assert second["next_cursor"] is None
    only = client.get("/api/v1/stores?retailer=bestmart", headers=admin).get_json()
    assert _codes(only) == [("bestmart", "LA01"), ("bestmart", "NYC01")]
    assert client.get("/api/v1/stores?retailer=nope", headers=admin).status_code == 422


def test_admin_names_the_retailer_of_a_store_code(admin, client):
    response = client.get("/api/v1/stores/NYC01?retailer=bestmart", headers=admin)
    assert response.status_code == 200 and response.get_json()["name"] == "Bestmart Manhattan"
    ambiguous = client.get("/api/v1/stores/NYC01", headers=admin)
    assert ambiguous.status_code == 422 and "retailer" in ambiguous.get_json()["message"]
    assert client.get("/api/v1/stores/LA01?retailer=acme", headers=admin).status_code == 404


def test_admin_creates_a_store(admin, client):
    response = client.post("/api/v1/stores", headers=admin, json={
        "retailer": "acme", "code": "clt01", "name": "Charlotte", "address": "1 Main St",
        "timezone": "America/New_York"})
    assert response.status_code == 201
    assert {key: response.get_json()[key] for key in ("code", "retailer", "name", "address",
                                                      "timezone")} == {
        "code": "CLT01", "retailer": "acme", "name": "Charlotte", "address": "1 Main St",
        "timezone": "America/New_York"}
    merch = bearer(make_user("merchandiser", retailer_slug="acme"))
    assert client.get("/api/v1/stores/CLT01", headers=merch).status_code == 200


@pytest.mark.parametrize("changes, status, field", [
    ({"code": "NYC01"}, 409, "NYC01"),  # Acme has one
    ({"retailer": "nope"}, 422, "retailer"),
    ({"code": "A"}, 422, "Store code"),
    ({"timezone": "Mars/Olympus"}, 422, "time zone"),
    ({"name": " "}, 422, "name"),
    ({"timezone": None}, 422, "timezone"),
    ({"floor": 3}, 422, "floor"),
])
def test_bad_stores_are_refused_naming_the_field(admin, client, changes, status, field):
    body = {"retailer": "acme", "code": "CLT01", "name": "Charlotte",
            "timezone": "America/New_York", **changes}
    body = {key: value for key, value in body.items() if value is not None}
    before = _store_count()
    response = client.post("/api/v1/stores", headers=admin, json=body)
    assert response.status_code == status
    assert field.lower() in response.get_json()["message"].lower()
    assert _store_count() == before


def test_admin_patches_a_store_of_the_named_retailer(admin, client):
    response = client.patch("/api/v1/stores/NYC01?retailer=bestmart", headers=admin,
                            json={"name": "Bestmart Midtown", "timezone": "America/Chicago"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Bestmart Midtown"
    assert response.get_json()["timezone"] == "America/Chicago"
    acme = client.get("/api/v1/stores/NYC01?retailer=acme", headers=admin).get_json()
    assert acme["name"] == "Store NYC01"
    renamed = client.patch("/api/v1/stores/LA01?retailer=bestmart", headers=admin,
                           json={"code": "LAX01"})
    assert renamed.status_code == 200 and renamed.get_json()["code"] == "LAX01"
    clash = client.patch("/api/v1/stores/LAX01?retailer=bestmart", headers=admin,
                         json={"code": "NYC01", "name": "Not saved"})
    assert clash.status_code == 409
    assert client.get("/api/v1/stores/LAX01?retailer=bestmart",
                      headers=admin).get_json()["name"] == "Store LA01"
    assert client.patch("/api/v1/stores/NYC01", headers=admin,
                        json={"name": "X"}).status_code == 422
    assert client.patch("/api/v1/stores/ZZ99?retailer=acme", headers=admin,
                        json={"name": "X"}).status_code == 404


def test_store_tokens_need_the_stores_scopes(shops, client):
    user = make_user("admin")
    reader = bearer(user, "stores:read")
    assert client.get("/api/v1/stores", headers=reader).status_code == 200
    refused = client.post("/api/v1/stores", headers=reader, json={
        "retailer": "acme", "code": "CLT01", "name": "C", "timezone": "UTC"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    merch = make_user("merchandiser", retailer_slug="acme")
    refused = client.get("/api/v1/stores", headers=bearer(merch, "tags:read"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
