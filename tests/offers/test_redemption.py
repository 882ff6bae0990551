"""Redeeming coupons at the till (/pos) and through POST /api/v1/redemptions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from qrshop.accounts.services import create_api_token
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from tests.factories import csrf_token, login, make_retailer, make_shop, make_store, make_user
from tests.helpers import claim_coupon, make_offer


@pytest.fixture
def shop_with_coupon(client):
    """A shop with a 15%-off offer, a claimed coupon and an associate's API token at NYC01."""
    shop = make_shop()
    make_offer(shop.retailer)
    code = claim_coupon(client, shop.tag)
    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    token = create_api_token(associate, "till")[1]
    db.session.commit()
    return {"code": code, "token": token, "associate": associate, "retailer": shop.retailer,
            "tag": shop.tag}


def _redeem(client, token, code, store="NYC01", amount=4999):
    return client.post("/api/v1/redemptions", json={"code": code, "store": store,
                                                    "sale_amount_cents": amount},
                       headers={"Authorization": f"Bearer {token}"})


def test_api_redeems_once_and_says_the_discount(client, shop_with_coupon):
    code, token = shop_with_coupon["code"], shop_with_coupon["token"]
    response = _redeem(client, token, code)
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == code and body["store"] == "NYC01"
    assert body["sale_amount_cents"] == 4999 and body["discount_cents"] == 750
    assert body["currency"] == "USD" and body["value"] == "15% off"
    again = _redeem(client, token, code)
    assert again.status_code == 409 and again.get_json()["error"] == "already_redeemed"
    assert "NYC01" in again.get_json()["message"]
    # The shopper's coupon page now says it was used.
    assert "Used on" in client.get(f"/coupon/{code}").get_data(as_text=True)


def test_codes_are_accepted_in_any_case_and_without_the_dash(client, shop_with_coupon):
    code = shop_with_coupon["code"].lower().replace("-", "")
    assert _redeem(client, shop_with_coupon["token"], code).status_code == 201


@pytest.mark.parametrize("code, status, error", [
    ("ZZZZ-ZZZZ", 404, "unknown_code"),
    ("ABC", 422, "malformed_code"),
    ("ABCD-EFG0", 422, "malformed_code"),
    ("", 422, "malformed_code"),
])
def test_unknown_and_malformed_codes(client, shop_with_coupon, code, status, error):
    response = _redeem(client, shop_with_coupon["token"], code)
    assert response.status_code == status
    assert response.get_json()["error"] == error


def test_expired_coupon_gives_410(client, shop_with_coupon):
    claim = db.session.scalar(select(CouponClaim))
    claim.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = _redeem(client, shop_with_coupon["token"], shop_with_coupon["code"])
    assert response.status_code == 410 and response.get_json()["error"] == "expired"
    db.session.expire_all()
    assert db.session.scalar(select(CouponClaim)).redeemed_at is None


@pytest.mark.parametrize("payload", [
    {"sale_amount_cents": -1},
    {"sale_amount_cents": "4999"},
    {"sale_amount_cents": 49.99},
    {"store": "NOPE1"},
    {"store": ""},
])
def test_invalid_input_is_422_and_stores_nothing(client, shop_with_coupon, payload):
    body = {"code": shop_with_coupon["code"], "store": "NYC01", "sale_amount_cents": 4999,
            **payload}
    response = client.post("/api/v1/redemptions", json=body,
                           headers={"Authorization": f"Bearer {shop_with_coupon['token']}"})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["message"]
    db.session.expire_all()
    assert db.session.scalar(select(CouponClaim)).redeemed_at is None


def test_associate_of_another_retailer_cannot_redeem(client, shop_with_coupon):
    rival = make_retailer("rival")
    make_store(rival, "RIV01")
    db.session.commit()
    outsider = make_user("associate", retailer_slug="rival", store_code="RIV01")
    token = create_api_token(outsider, "till")[1]
    db.session.commit()
    response = _redeem(client, token, shop_with_coupon["code"], store="RIV01")
    assert response.status_code == 403 and response.get_json()["error"] == "wrong_retailer"
    # Nor by naming the coupon's own store, which is not theirs.
    response = _redeem(client, token, shop_with_coupon["code"], store="NYC01")
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_store"
    db.session.expire_all()
    assert db.session.scalar(select(CouponClaim)).redeemed_at is None


def test_associate_cannot_redeem_at_another_store_but_a_merchandiser_can(
        client, shop_with_coupon):
    response = _redeem(client, shop_with_coupon["token"], shop_with_coupon["code"],
                       store="BOS01")
    assert response.status_code == 403 and response.get_json()["error"] == "wrong_store"
    merchandiser = make_user("merchandiser", retailer_slug="acme")
    token = create_api_token(merchandiser, "hq")[1]
    db.session.commit()
    response = _redeem(client, token, shop_with_coupon["code"], store="bos01")
    assert response.status_code == 201 and response.get_json()["store"] == "BOS01"


def test_a_store_scoped_offer_is_not_valid_elsewhere(client):
    shop = make_shop()
    make_offer(shop.retailer, store=shop.store, kind="amount", amount_off_cents=1000,
               title="$10 off")
    code = claim_coupon(client, shop.tag)
    merchandiser = make_user("merchandiser", retailer_slug="acme")
    token = create_api_token(merchandiser, "hq")[1]
    db.session.commit()
    response = _redeem(client, token, code, store="BOS01")
    assert response.status_code == 422 and response.get_json()["error"] == "not_valid_at_store"
    response = _redeem(client, token, code, store="NYC01", amount=800)
    assert response.status_code == 201 and response.get_json()["discount_cents"] == 800


def test_vendor_and_admin_tokens_cannot_redeem(client, shop_with_coupon):
    for role, links in (("vendor", {"vendor_slug": "widgetco"}), ("admin", {})):
        user = make_user(role, **links)
        token = create_api_token(user, "x")[1]
        db.session.commit()
        assert _redeem(client, token, shop_with_coupon["code"]).status_code == 403


def test_50_tills_redeeming_one_code_at_once_redeem_it_exactly_once(app, shop_with_coupon):
    code, token = shop_with_coupon["code"], shop_with_coupon["token"]
    start = threading.Barrier(50)
    statuses = []

    def till():
        client = app.test_client()
        start.wait()
        statuses.append(_redeem(client, token, code).status_code)

    threads = [threading.Thread(target=till) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 49
    db.session.expire_all()
    claim = db.session.scalar(select(CouponClaim))
    assert claim.redeemed_at is not None and claim.sale_amount_cents == 4999


def test_pos_page_looks_up_and_redeems(client, shop_with_coupon):
    code = shop_with_coupon["code"]
    till = client.application.test_client()
    login(till, shop_with_coupon["associate"].email)
    page = till.get(f"/pos?code={code.lower()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-coupon-code="{code}"' in html and "15% off" in html and "Trail Widget" in html
    token = csrf_token(till, f"/pos?code={code}")
    response = till.post("/pos", data={"csrf_token": token, "code": code, "store": "NYC01",
                                       "sale_amount": "$49.99"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Coupon {code} redeemed: take $7.50 off." in html
    again = till.post("/pos", data={"csrf_token": token, "code": code, "store": "NYC01",
                                    "sale_amount": "49.99"})
    assert again.status_code == 409 and "already redeemed" in again.get_data(as_text=True)


@pytest.mark.parametrize("code, status, message", [
    ("ZZZZ-ZZZZ", 404, "No coupon has the code ZZZZ-ZZZZ"),
    ("hello", 422, "That is not a coupon code"),
])
def test_pos_explains_bad_codes(client, shop_with_coupon, code, status, message):
    till = client.application.test_client()
    login(till, shop_with_coupon["associate"].email)
    response = till.get(f"/pos?code={code}")
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_pos_refuses_a_bad_sale_amount(client, shop_with_coupon):
    till = client.application.test_client()
    login(till, shop_with_coupon["associate"].email)
    token = csrf_token(till, f"/pos?code={shop_with_coupon['code']}")
    response = till.post("/pos", data={"csrf_token": token, "code": shop_with_coupon["code"],
                                       "store": "NYC01", "sale_amount": "lots"})
    assert response.status_code == 422
    assert "Sale amount must be a number" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(CouponClaim)).redeemed_at is None


def test_pos_is_for_retailer_staff_only(client, shop_with_coupon):
    assert client.get("/pos").status_code == 302  # to the login page
    vendor = make_user("vendor", vendor_slug="widgetco")
    login(client, vendor.email)
    assert client.get("/pos").status_code == 403


def test_pos_of_another_retailer_cannot_see_the_coupon(client, shop_with_coupon):
    rival = make_retailer("rival")
    make_store(rival, "RIV01")
    db.session.commit()
    outsider = make_user("associate", retailer_slug="rival", store_code="RIV01")
    till = client.application.test_client()
    login(till, outsider.email)
    response = till.get(f"/pos?code={shop_with_coupon['code']}")
    assert response.status_code == 403 and "15% off" not in response.get_data(as_text=True)
