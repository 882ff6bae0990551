"""/api/v1/products: a vendor creates, reads and renames its own products; a merchandiser
reads those of the vendors linked to its retailer; nobody sees another's."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.services import user_by_email
from qrshop.catalog.models import Product
from qrshop.catalog.services import create_product
from qrshop.extensions import db
from tests.api.helpers import bearer
from tests.catalog.helpers import make_catalog_scene
from tests.factories import make_user, valid_gtin13


@pytest.fixture
def scene(app):
    return make_catalog_scene()


@pytest.fixture
def vendor(scene) -> dict:
    return bearer(user_by_email(scene.vendor_email))


@pytest.fixture
def rival(scene) -> dict:
    return bearer(make_user("vendor", vendor_slug="rivalco"))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


def test_vendor_creates_reads_and_renames_a_product(scene, client, vendor):
    gtin = valid_gtin13()
    created = client.post("/api/v1/products", headers=vendor,
                          json={"gtin": gtin, "name": "Rain Shell"})
    assert created.status_code == 201
    assert {key: created.get_json()[key] for key in ("gtin", "name", "brand", "vendor")} == {
        "gtin": "0" + gtin, "name": "Rain Shell", "brand": "Widgetco", "vendor": "widgetco"}
    got = client.get(f"/api/v1/products/{gtin}", headers=vendor)  # GTIN-13 or GTIN-14
    assert got.status_code == 200 and got.get_json()["gtin"] == "0" + gtin
    put = client.put(f"/api/v1/products/0{gtin}", headers=vendor,
                     json={"name": "Rain Shell 2", "brand": "Widgetco Outdoor"})
    assert put.status_code == 200
    assert (put.get_json()["name"], put.get_json()["brand"]) == ("Rain Shell 2",
                                                                 "Widgetco Outdoor")
    assert db.session.scalar(select(Product.name).where(Product.gtin == "0" + gtin)) \
        == "Rain Shell 2"


@pytest.mark.parametrize("body, status, words", [
    ({"gtin": "4006381333932", "name": "X"}, 422, "the last digit should be 1"),
    ({"gtin": "4006381333931", "name": " "}, 422, "name"),
    ({"gtin": "4006381333931"}, 422, "name"),
    ({"gtin": "4006381333931", "name": "X" * 201}, 422, "name"),
    ({"gtin": "4006381333931", "name": "X", "price": 1}, 422, "price"),
    ({"gtin": "{rival}", "name": "Mine now"}, 409, "already exists"),
])
def test_bad_products_are_refused(scene, client, vendor, body, status, words):
    body = {key: value.format(rival=scene.rival_gtin) if isinstance(value, str) else value
            for key, value in body.items()}
    before = _count()
    response = client.post("/api/v1/products", headers=vendor, json=body)
    assert response.status_code == status
    assert words in response.get_json()["message"]
    assert _count() == before


def test_a_vendor_never_sees_or_changes_another_vendors_product(scene, client, rival):
    for gtin in (scene.listed_gtin, scene.tote_gtin, "not-a-gtin"):
        assert client.get(f"/api/v1/products/{gtin}", headers=rival).status_code == 404
        response = client.put(f"/api/v1/products/{gtin}", headers=rival, json={"name": "X"})
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert db.session.scalar(select(Product.name).where(
        Product.gtin == scene.tote_gtin)) == "Canvas Tote"
    listed = client.get("/api/v1/products", headers=rival).get_json()
    assert [product["gtin"] for product in listed["items"]] == [scene.rival_gtin]


def test_list_pages_by_cursor_without_repeats(scene, client, vendor):
    for number in range(3):
        create_product(user_by_email(scene.vendor_email).vendor, gtin=valid_gtin13(),
                       name=f"Item {number}", brand="Widgetco")
    db.session.commit()
    first = client.get("/api/v1/products?limit=3", headers=vendor).get_json()
    second = client.get(f"/api/v1/products?limit=3&cursor={first['next_cursor']}",
                        headers=vendor).get_json()
    gtins = [product["gtin"] for product in first["items"] + second["items"]]
    assert len(gtins) == len(set(gtins)) == 5 and second["next_cursor"] is None
    assert scene.rival_gtin not in gtins


def test_a_merchandiser_reads_linked_vendors_products_only(scene, client):
    merch = bearer(user_by_email(scene.merch_email))
    listed = client.get("/api/v1/products", headers=merch).get_json()
    assert {product["gtin"] for product in listed["items"]} == {scene.listed_gtin,
                                                               scene.tote_gtin}
    assert client.get(f"/api/v1/products/{scene.tote_gtin}", headers=merch).status_code == 200
    assert client.get(f"/api/v1/products/{scene.rival_gtin}",
                      headers=merch).status_code == 404
    by_vendor = client.get("/api/v1/products?vendor=widgetco", headers=merch).get_json()
    assert len(by_vendor["items"]) == 2
    refused = client.get("/api/v1/products?vendor=rivalco", headers=merch)
    assert refused.status_code == 422 and refused.get_json()["message"].startswith("vendor")
    # Reading only: writes are the vendor's.
    for method, path in (("post", "/api/v1/products"),
                         ("put", f"/api/v1/products/{scene.tote_gtin}"),
                         ("post", "/api/v1/products:bulk")):
        response = getattr(client, method)(path, headers=merch, json={"name": "X"})
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_associates_and_admins_do_not_read_products(scene, client):
    for email in (scene.associate_email, scene.admin_email):
        assert client.get("/api/v1/products", headers=bearer(user_by_email(email))
                          ).status_code == 403


def test_product_tokens_need_the_products_scopes(scene, client):
    user = user_by_email(scene.vendor_email)
    reader = bearer(user, "products:read")
    assert client.get("/api/v1/products", headers=reader).status_code == 200
    refused = client.post("/api/v1/products", headers=reader,
                          json={"gtin": valid_gtin13(), "name": "X"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    refused = client.get("/api/v1/products", headers=bearer(user, "products:write"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
