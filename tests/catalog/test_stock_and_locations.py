"""Where stores are (admin page, API, CLI) and the listing API's stock per store: what the
landing page's "nearest stores that have it" and "in stock here" read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qrshop.accounts.models import Store
from qrshop.catalog.models import ListingStock
from qrshop.extensions import db
from tests.api.helpers import bearer
from tests.factories import csrf_token, link_vendor, login, make_shop, make_user


def _store(code: str = "NYC01") -> Store:
    db.session.expire_all()
    return db.session.scalar(select(Store).where(Store.code == code))


def test_admin_sets_and_removes_a_stores_location(app, client):
    make_shop()
    login(client, make_user("admin").email)
    store = _store()
    path = f"/admin/stores/{store.id}/edit"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "code": "NYC01", "name": "Manhattan", "address": "",
            "timezone": "America/New_York", "location": " 40.7128, -74.006 "}
    assert client.post(path, data=data).status_code == 303
    assert (_store().latitude, _store().longitude) == (40.7128, -74.006)
    assert 'value="40.7128, -74.006"' in client.get(path).get_data(as_text=True)
    refused = client.post(path, data={**data, "location": "91, 10"})
    assert refused.status_code == 422
    assert "Latitude 91.0 must be from -90 to 90" in refused.get_data(as_text=True)
    assert _store().latitude == 40.7128  # nothing stored
    words = client.post(path, data={**data, "location": "Manhattan"})
    assert words.status_code == 422 and "like 33.7490, -84.3880" in words.get_data(as_text=True)
    assert client.post(path, data={**data, "location": ""}).status_code == 303
    assert (_store().latitude, _store().longitude) == (None, None)


def test_the_stores_api_reads_and_writes_locations(app, client):
    make_shop()
    admin = bearer(make_user("admin"))
    created = client.post("/api/v1/stores", headers=admin, json={
        "retailer": "acme", "code": "PHL01", "name": "Philadelphia",
        "timezone": "America/New_York", "latitude": 39.9526, "longitude": -75.1652})
    assert created.status_code == 201
    assert (created.get_json()["latitude"], created.get_json()["longitude"]) == (39.9526,
                                                                                  -75.1652)
    half = client.patch("/api/v1/stores/NYC01?retailer=acme", headers=admin,
                        json={"latitude": 40.7})
    assert half.status_code == 422 and "both latitude and longitude" in half.get_json()["message"]
    far = client.patch("/api/v1/stores/NYC01?retailer=acme", headers=admin,
                       json={"latitude": 40.7, "longitude": 200})
    assert far.status_code == 422
    moved = client.patch("/api/v1/stores/NYC01?retailer=acme", headers=admin,
                         json={"latitude": 40.7, "longitude": -74.0})
    assert moved.status_code == 200 and moved.get_json()["latitude"] == 40.7
    renamed = client.patch("/api/v1/stores/NYC01?retailer=acme", headers=admin,
                           json={"name": "Manhattan"})  # the location stays
    assert renamed.get_json()["longitude"] == -74.0
    plain = client.get("/api/v1/stores/BOS01?retailer=acme", headers=admin).get_json()
    assert plain["latitude"] is None and plain["longitude"] is None


def test_the_cli_sets_a_stores_location(app, runner):
    make_shop()
    result = runner.invoke(args=["retailers", "add-store", "acme", "CLT01", "--name",
                                 "Charlotte", "--location", "35.2271, -80.8431"])
    assert result.exit_code == 0, result.output
    assert _store("CLT01").latitude == 35.2271
    result = runner.invoke(args=["retailers", "update-store", "acme", "CLT01", "--location",
                                 "north"])
    assert result.exit_code != 0 and "latitude, longitude" in result.output
    result = runner.invoke(args=["retailers", "update-store", "acme", "CLT01", "--location",
                                 ""])
    assert result.exit_code == 0 and _store("CLT01").latitude is None


@pytest.fixture
def merchandiser(app):
    shop = make_shop()
    link_vendor(shop.retailer, shop.vendor)
    db.session.commit()
    return shop, bearer(make_user("merchandiser", retailer_slug="acme"))


def test_the_listings_api_sets_stock_per_store_and_the_page_shows_it(merchandiser, client):
    shop, headers = merchandiser
    body = {"gtin": shop.product.gtin, "price_cents": 4999, "currency": "USD",
            "stock": [{"store": "nyc01", "in_stock": 2, "location": "Endcap 4"},
                      {"store": "BOS01", "in_stock": 11}]}
    answer = client.put(f"/api/v1/listings/{shop.listing.sku}", headers=headers, json=body)
    assert answer.status_code == 200
    assert [(row["store"], row["in_stock"], row["location"])
            for row in answer.get_json()["stock"]] == [("BOS01", 11, ""),
                                                       ("NYC01", 2, "Endcap 4")]
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "Low stock at Store NYC01: 2 left" in html


@pytest.mark.parametrize("stock, status, words", [
    ([{"store": "ZZZ99", "in_stock": 1}], 422, "Unknown store code"),
    ([{"store": "NYC01", "in_stock": -1}], 422, "in_stock"),
    ([{"store": "NYC01", "in_stock": 1}, {"store": "nyc01", "in_stock": 2}], 422, "once"),
])
def test_bad_stock_rows_are_refused_and_nothing_is_stored(merchandiser, client, stock, status,
                                                          words):
    shop, headers = merchandiser
    answer = client.put(f"/api/v1/listings/{shop.listing.sku}", headers=headers, json={
        "gtin": shop.product.gtin, "price_cents": 100, "currency": "USD", "stock": stock})
    assert answer.status_code == status and words in answer.get_json()["message"]
    db.session.expire_all()
    assert db.session.scalars(select(ListingStock)).all() == []
    assert shop.listing.price_cents == 4999
