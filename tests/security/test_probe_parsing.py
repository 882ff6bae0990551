"""Hostile numbers, dates, ids and bodies from the security review (item 7): each answers
a 4xx a person can act on and stores nothing; none is a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Listing
from qrshop.extensions import db
from qrshop.feedback.models import Feedback
from qrshop.offers.models import CouponClaim, Offer
from tests.factories import csrf_token, login, make_shop, make_user
from tests.helpers import form_fields, make_offer

HUGE_DIGITS = "9" * 5000


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _shopper_post(client, tag, action: str, **fields):
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    return client.post(f"/t/{tag.code}/{action}",
                       data={**form_fields(html, f"/t/{tag.code}/{action}"), **fields})


@pytest.mark.parametrize("rating", ["²", "٣", HUGE_DIGITS, "5" + "0" * 30, "-1", "3.0"])
def test_a_rating_that_is_not_one_to_five_is_refused(client, rating):
    tag = make_shop().tag
    response = _shopper_post(client, tag, "feedback", rating=rating, helpful="yes")
    assert response.status_code == 422
    assert _count(Feedback) == 0


@pytest.mark.parametrize("offer", ["99999999999999999999", "2147483648", "²", HUGE_DIGITS])
def test_a_coupon_claim_for_an_impossible_offer_id_is_refused(client, offer):
    shop = make_shop()
    make_offer(shop.retailer)
    response = _shopper_post(client, shop.tag, "coupon", offer=offer)
    assert 400 <= response.status_code < 500
    assert _count(CouponClaim) == 0


@pytest.mark.parametrize("size", ["%C2%B2", "%D9%A3%D9%A3%D9%A3", HUGE_DIGITS, "1e3", "-64"])
def test_a_qr_size_that_is_not_a_plain_number_answers_400(client, size):
    tag = make_shop().tag
    response = client.get(f"/tags/{tag.code}.png?size={size}")
    assert response.status_code == 400
    assert "size must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 40, "0", "2147483648"])
def test_an_integer_path_segment_beyond_the_database_range_answers_404(client, value):
    make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    for path in ("/console/listings/{n}/edit", "/console/offers/{n}/end",
                 "/console/items/{n}/look", "/console/reviews/{n}"):
        assert client.get(path.format(n=value)).status_code == 404, path


@pytest.fixture
def merchandiser(client):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    return shop


@pytest.mark.parametrize("price", [HUGE_DIGITS, "1" + "0" * 30 + ".00", "²", "1e9",
                                   "1e999999999", "NaN", "١٢"])
def test_a_price_too_large_or_not_a_number_is_refused(client, merchandiser, price):
    listing = merchandiser.listing
    edit = f"/console/listings/{listing.id}/edit"
    response = client.post(edit, data={"csrf_token": csrf_token(client, edit), "sku": "SKU-X",
                                       "price": price, "currency": "USD"})
    assert response.status_code in (400, 422)
    # The items page answers bad input with a redirect back and the message (303).
    response = client.post(f"/console/items/{listing.id}/price", data={
        "csrf_token": csrf_token(client, "/console/items"), "price": price},
        follow_redirects=True)
    assert response.status_code == 200
    assert "Price must be" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).price_cents == 4999
    new = "/console/listings/new"
    response = client.post(new, data={"csrf_token": csrf_token(client, new), "sku": "NEW-1",
                                      "gtin": merchandiser.product.gtin, "price": price,
                                      "currency": "USD"})
    assert response.status_code in (400, 422)
    assert _count(Listing) == 1


def _offer_form(client, **values):
    fields = {"csrf_token": csrf_token(client, "/console/offers"), "title": "Big sale",
              "kind": "percent", "percent_off": "10", "listing": "", "store": "",
              "starts_at": "2030-01-01T09:00", "ends_at": "2030-02-01T09:00",
              "per_shopper_limit": "1", "coupon_valid_days": "7", "terms": ""}
    return client.post("/console/offers", data={**fields, **values})


@pytest.mark.parametrize("values", [
    {"ends_at": "9999-12-31T23:59"},
    {"starts_at": "0001-01-01T00:00"},
    {"ends_at": "²⁰³⁰-01-01T00:00"},
    {"total_limit": HUGE_DIGITS},
    {"per_shopper_limit": "99999999999999999999"},
    {"percent_off": "²"},
    {"kind": "amount", "amount_off": HUGE_DIGITS},
])
def test_offer_dates_and_numbers_out_of_range_are_refused(client, merchandiser, values):
    response = _offer_form(client, **values)
    assert response.status_code in (400, 422)
    assert _count(Offer) == 0


def test_the_offer_form_still_saves_sane_values(client, merchandiser):
    assert _offer_form(client).status_code in (200, 302, 303)
    assert _count(Offer) == 1


@pytest.mark.parametrize("query", ["to=0001-01-01", "from=0001-01-01", "to=9999-12-31",
                                   "from=0001-01-01&to=0001-01-02", "to=²⁰²⁶-01-01",
                                   "to=20260101", "from=2026-W01-1"])
def test_analytics_dates_out_of_range_answer_4xx(app, client, merchandiser, query):
    for path in ("/console/analytics", "/console/analytics/listings.csv"):
        response = client.get(f"{path}?{query}")
        assert 400 <= response.status_code < 500, (path, response.status_code)
    vendor = app.test_client()
    login(vendor, make_user("vendor", vendor_slug="widgetco").email)
    for path in ("/vendor/analytics", "/vendor/analytics.csv"):
        assert 400 <= vendor.get(f"{path}?{query}").status_code < 500, path


def test_api_analytics_dates_out_of_range_answer_422(client, runner, merchandiser):
    user = make_user("merchandiser", retailer_slug="acme")
    token = runner.invoke(args=["tokens", "create", user.email, "--name", "bi"]
                          ).output.strip().splitlines()[-1]
    for query in ("to=0001-01-01", "from=0001-01-01", "to=9999-12-31"):
        response = client.get(f"/api/v1/analytics/listings?{query}",
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422, query
        assert set(response.get_json()) == {"error", "message"}


def test_a_csv_field_over_128_kb_is_refused(app, client, merchandiser):
    big = "x" * 200_000
    text = f"sku,gtin,price,currency\nSKU-9,{merchandiser.product.gtin},1.00,USD,\"{big}\"\n"
    path = "/console/listings/import"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "import", "csv_text": text})
    assert response.status_code == 422
    assert "cannot be read" in response.get_data(as_text=True)
    vendor = app.test_client()
    login(vendor, make_user("vendor", vendor_slug="widgetco").email)
    path = "/vendor/products/import"
    response = vendor.post(path, data={"csrf_token": csrf_token(vendor, path),
                                       "action": "import",
                                       "csv_text": f"gtin,name,brand\n1,\"{big}\",x\n"})
    assert response.status_code == 422
    assert _count(Listing) == 1


@pytest.mark.parametrize("url", ["https://[::1", "https://vimeo.com:99999/1", "https://[zz]/x",
                                 "http://youtube.com:-1/watch?v=dQw4w9WgXcQ"])
def test_a_malformed_video_link_is_refused(client, url):
    shop = make_shop()
    login(client, make_user("vendor", vendor_slug="widgetco").email)
    path = f"/vendor/products/{shop.product.id}/revisions/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "title": "T", "video_url": url})
    assert response.status_code == 422
    assert "YouTube or Vimeo" in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    '{"code": "ABCD-EFGH", "store": "NYC01", "sale_amount_cents": 1' + "0" * 5000 + "}",
])
def test_a_deeply_nested_or_huge_json_body_answers_400(client, runner, body):
    make_shop()
    user = make_user("associate", retailer_slug="acme", store_code="NYC01")
    token = runner.invoke(args=["tokens", "create", user.email, "--name", "till"]
                          ).output.strip().splitlines()[-1]
    response = client.post("/api/v1/redemptions", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (400, 413, 422)
    assert set(response.get_json()) == {"error", "message"}


def test_a_json_body_over_the_size_limit_answers_413(client, runner):
    make_shop()
    user = make_user("associate", retailer_slug="acme", store_code="NYC01")
    token = runner.invoke(args=["tokens", "create", user.email, "--name", "till"]
                          ).output.strip().splitlines()[-1]
    body = json.dumps({"code": "ABCD-EFGH", "store": "NYC01", "sale_amount_cents": 1,
                       "padding": "x" * 2_000_000})
    response = client.post("/api/v1/redemptions", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


@pytest.mark.parametrize("target", ["/console%0D%0ASet-Cookie:%20x=1", "/console%0Ax",
                                    "/\\evil.example", "/%09/evil.example",
                                    "https:/evil.example"])
def test_a_login_next_with_control_characters_or_another_host_goes_home(client, target):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    token = csrf_token(client, "/login")
    response = client.post(f"/login?next={target}", data={
        "csrf_token": token, "email": user.email, "password": "a long test password"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/console"
    assert "Set-Cookie: x" not in str(response.headers)
