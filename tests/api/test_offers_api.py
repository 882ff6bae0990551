"""/api/v1/offers and /api/v1/coupons: the console's offer rules, per retailer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import Offer
from tests.api.engage import token_for, walk
from tests.factories import make_retailer, make_shop, make_store, make_tag, make_vendor
from tests.helpers import claim_coupon, make_offer, new_phone


def _body(**values):
    now = utcnow()
    body = {"title": "10% off", "kind": "percent", "percent_off": 10,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat()}
    body.update(values)
    return body


def _offers() -> int:
    return db.session.scalar(select(func.count()).select_from(Offer))


def test_create_get_list_patch_and_end_an_offer(client):
    shop = make_shop()
    merch = token_for("merchandiser", retailer_slug="acme")
    created = client.post("/api/v1/offers", headers=merch, json=_body(
        sku=shop.tag.listing.sku, store="nyc01", total_limit=50, terms="One per visit"))
    assert created.status_code == 201, created.get_json()
    offer = created.get_json()
    assert offer["sku"] == shop.tag.listing.sku and offer["store"] == "NYC01"
    assert offer["status"] == "active" and offer["value"] == "10% off"
    assert offer["claimed_count"] == 0 and offer["total_limit"] == 50
    assert client.get(f"/api/v1/offers/{offer['id']}", headers=merch).get_json() == offer
    changed = client.patch(f"/api/v1/offers/{offer['id']}", headers=merch,
                           json={"title": "12% off", "percent_off": 12, "total_limit": None})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["value"] == "12% off" and changed.get_json()["total_limit"] is None
    ended = client.post(f"/api/v1/offers/{offer['id']}/end", headers=merch)
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    listed = client.get("/api/v1/offers?status=ended", headers=merch).get_json()
    assert [item["id"] for item in listed["items"]] == [offer["id"]]
    assert client.get("/api/v1/offers?status=active", headers=merch).get_json()["items"] == []
    # An ended offer is final.
    final = client.patch(f"/api/v1/offers/{offer['id']}", headers=merch, json={"title": "x"})
    assert final.status_code == 409 and final.get_json()["error"] == "offer_ended"


def test_the_list_pages_without_repeats_and_filters_by_store(client):
    shop = make_shop()
    for n in range(3):
        make_offer(shop.retailer, title=f"everywhere {n}")
    only_boston = make_offer(shop.retailer, title="Boston only", store=shop.other_store)
    later = make_offer(shop.retailer, title="later", starts_at=utcnow() + timedelta(days=1),
                       ends_at=utcnow() + timedelta(days=2))
    merch = token_for("merchandiser", retailer_slug="acme")
    items = walk(client, "/api/v1/offers", merch)
    assert len(items) == 5 and len({item["id"] for item in items}) == 5
    nyc = [item["title"] for item in walk(client, "/api/v1/offers?store=NYC01", merch)]
    assert "Boston only" not in nyc and len(nyc) == 4
    boston = walk(client, "/api/v1/offers?store=BOS01", merch)
    assert only_boston.id in [item["id"] for item in boston]
    scheduled = walk(client, "/api/v1/offers?status=scheduled", merch)
    assert [item["id"] for item in scheduled] == [later.id]
    assert client.get("/api/v1/offers?store=NOPE", headers=merch).status_code == 422


def test_bad_input_is_422_naming_the_field_and_stores_nothing(client):
    make_shop()
    merch = token_for("merchandiser", retailer_slug="acme")
    for body, field in [(_body(percent_off=0), "percent_off"), (_body(sku="NOPE"), "sku"),
                        (_body(store="NOPE"), "store"), (_body(starts_at="yesterday"),
                                                         "starts_at"),
                        (_body(ends_at="2026-01-01T00:00:00"), "ends_at"),
                        (_body(starts_at="0001-01-01T00:00:00+05:00"), "starts_at"),
                        (_body(colour="red"), "colour")]:
        response = client.post("/api/v1/offers", headers=merch, json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["message"], response.get_json()
    for body, field in [(_body(ends_at=(utcnow() - timedelta(days=9)).isoformat()), "ends_at"),
                        (_body(percent_off=None), "percent_off"),
                        (_body(kind="amount"), "amount_off_cents"),
                        (_body(kind="perk", perk_text=""), "perk_text")]:
        response = client.post("/api/v1/offers", headers=merch, json=body)
        assert response.status_code == 422 and field in response.get_json()["message"]
    assert _offers() == 0
    offer = make_offer(make_retailer("other"))
    assert client.patch(f"/api/v1/offers/{offer.id}", headers=merch,
                        json={"title": None}).status_code == 422


def test_bulk_creates_each_item_on_its_own(client):
    make_shop()
    merch = token_for("merchandiser", retailer_slug="acme")
    response = client.post("/api/v1/offers:bulk", headers=merch, json={"items": [
        _body(title="first"), _body(kind="perk", perk_text=""), _body(title="third",
                                                                      kind="perk",
                                                                      perk_text="Gift wrap"),
        _body(sku="NOPE")]})
    assert response.status_code == 200
    body = response.get_json()
    assert [result["status"] for result in body["results"]] == [201, 422, 201, 422]
    assert body["succeeded"] == 2 and body["failed"] == 2
    assert "sku" in body["results"][3]["message"]
    assert sorted(offer.title for offer in db.session.scalars(select(Offer))) == ["first",
                                                                                 "third"]
    too_many = client.post("/api/v1/offers:bulk", headers=merch,
                           json={"items": [_body()] * 101})
    assert too_many.status_code == 422 and _offers() == 2


def test_once_coupons_were_issued_what_they_give_cannot_change(app, client):
    shop = make_shop()
    offer = make_offer(shop.retailer, total_limit=10)
    claim_coupon(new_phone(app), shop.tag)
    claim_coupon(new_phone(app), shop.tag)
    merch = token_for("merchandiser", retailer_slug="acme")
    value = client.patch(f"/api/v1/offers/{offer.id}", headers=merch, json={"percent_off": 50})
    assert value.status_code == 409 and value.get_json()["error"] == "offer_claimed"
    low = client.patch(f"/api/v1/offers/{offer.id}", headers=merch, json={"total_limit": 1})
    assert low.status_code == 422 and "total_limit" in low.get_json()["message"]
    ok = client.patch(f"/api/v1/offers/{offer.id}", headers=merch,
                      json={"total_limit": 2, "title": "Last two"})
    assert ok.status_code == 200 and ok.get_json()["claimed_count"] == 2
    db.session.refresh(offer)
    assert (offer.total_limit, offer.percent_off, offer.title) == (2, 15, "Last two")


def test_other_retailers_offers_are_404_and_scopes_and_roles_hold(client):
    make_shop()
    other = make_retailer("other")
    theirs = make_offer(other)
    merch = token_for("merchandiser", retailer_slug="acme")
    for call in (client.get(f"/api/v1/offers/{theirs.id}", headers=merch),
                 client.patch(f"/api/v1/offers/{theirs.id}", headers=merch,
                              json={"title": "mine"}),
                 client.post(f"/api/v1/offers/{theirs.id}/end", headers=merch),
                 client.get("/api/v1/offers/99999999999", headers=merch)):
        assert call.status_code == 404
    db.session.refresh(theirs)
    assert theirs.title == "15% off today" and theirs.ends_at > utcnow()
    assert client.get("/api/v1/offers", headers=merch).get_json()["items"] == []
    reader = token_for("merchandiser", "offers:read", retailer_slug="acme")
    assert client.get("/api/v1/offers", headers=reader).status_code == 200
    refused = client.post("/api/v1/offers", headers=reader, json=_body())
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    associate = token_for("associate", retailer_slug="acme", store_code="NYC01")
    assert client.get("/api/v1/offers", headers=associate).status_code == 403
    assert client.get("/api/v1/offers").status_code == 401


def test_coupon_look_up_as_the_till_sees_it(app, client):
    shop = make_shop()
    make_offer(shop.retailer, store=shop.other_store, title="Boston deal")
    boston_tag = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Boot")
    db.session.commit()
    code = claim_coupon(new_phone(app), boston_tag)
    merch = token_for("merchandiser", retailer_slug="acme")
    found = client.get(f"/api/v1/coupons/{code.lower().replace('-', '')}", headers=merch)
    assert found.status_code == 200
    coupon = found.get_json()
    assert coupon["code"] == code and coupon["status"] == "claimed"
    assert coupon["offer"] == "Boston deal" and coupon["value"] == "15% off"
    assert coupon["valid_at"] == "BOS01" and coupon["redeemable_here"] is None
    assert "shopper" not in coupon
    nyc = token_for("associate", retailer_slug="acme", store_code="NYC01")
    assert client.get(f"/api/v1/coupons/{code}", headers=nyc).get_json()[
        "redeemable_here"] is False
    boston = token_for("associate", retailer_slug="acme", store_code="BOS01")
    assert client.get(f"/api/v1/coupons/{code}", headers=boston).get_json()[
        "redeemable_here"] is True
    client.post("/api/v1/redemptions", headers=boston,
                json={"code": code, "store": "BOS01", "sale_amount_cents": 10000})
    redeemed = client.get(f"/api/v1/coupons/{code}", headers=boston).get_json()
    assert redeemed["status"] == "redeemed" and redeemed["discount_cents"] == 1500
    assert redeemed["redeemed_store"] == "BOS01" and redeemed["redeemable_here"] is False


def test_coupons_of_other_retailers_are_404_and_bad_codes_422(app, client):
    shop = make_shop()
    make_offer(shop.retailer)
    code = claim_coupon(new_phone(app), shop.tag)
    rival = make_retailer("rival")
    make_tag(rival, make_store(rival, "RIV01"), make_vendor("rivalco"))
    db.session.commit()
    theirs = token_for("merchandiser", retailer_slug="rival")
    missing = client.get(f"/api/v1/coupons/{code}", headers=theirs)
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_code"
    merch = token_for("merchandiser", retailer_slug="acme")
    assert client.get("/api/v1/coupons/ABCD-EFGH", headers=merch).status_code == 404
    bad = client.get("/api/v1/coupons/not-a-code!", headers=merch)
    assert bad.status_code == 422 and bad.get_json()["error"] == "malformed_code"
    scoped = token_for("merchandiser", "redemptions:write", retailer_slug="acme")
    assert client.get(f"/api/v1/coupons/{code}", headers=scoped).status_code == 403
    vendor = token_for("vendor", vendor_slug="widgetco")
    assert client.get(f"/api/v1/coupons/{code}", headers=vendor).status_code == 403
