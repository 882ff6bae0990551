"""What each party's webhooks receive: a vendor gets product-level data of its own products,
never a shopper, a store, a tag or the till; the retailer gets its own events only."""

from __future__ import annotations

import json
import re

from qrshop.alerts import services as alerts
from qrshop.extensions import db
from qrshop.shopper.services import new_shopper
from qrshop.webhooks.events import VENDOR_EVENTS, VENDOR_FIELDS
from tests.factories import make_tag, make_vendor
from tests.helpers import claim_coupon, form_fields, make_offer, new_phone
from tests.webhooks.conftest import create_webhook, deliveries


def _shopper_actions(app, client, parties) -> None:
    """A phone scans, saves, claims a coupon (redeemed at the till), sends feedback."""
    tag = parties.shop.tag
    make_offer(parties.shop.retailer)
    phone = new_phone(app)
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    assert phone.post(f"/t/{tag.code}/save", data=form_fields(
        html, f"/t/{tag.code}/save")).status_code == 303
    code = claim_coupon(phone, tag)
    assert client.post("/api/v1/redemptions", headers=parties.merchandiser, json={
        "code": code, "store": "NYC01", "sale_amount_cents": 2000}).status_code == 201
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    fields = form_fields(html, f"/t/{tag.code}/feedback")
    assert phone.post(f"/t/{tag.code}/feedback", data={
        **fields, "rating": "4", "helpful": "yes", "comment": "Fits well"}).status_code == 303


def test_a_vendor_webhook_never_receives_a_shopper(allow_private, app, client, parties):
    vendor_hook = create_webhook(client, parties.vendor, "http://127.0.0.1:9/v",
                                 list(VENDOR_EVENTS))
    retailer_hook = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/r",
                                   list(VENDOR_EVENTS))
    _shopper_actions(app, client, parties)
    # A confirmed alert sign-up too (which saves the item again: no second wishlist.added).
    [subscription] = alerts.subscribe(
        shopper_id=new_shopper(parties.shop.retailer.id), listing=parties.shop.listing,
        store_id=parties.shop.store.id, tag_id=parties.shop.tag.id, email="fan@example.com",
        phone="", topics=["price_drop"], consented=True)
    alerts.confirm(alerts.confirm_url(subscription).rsplit("/", 1)[1])
    db.session.commit()

    to_retailer = deliveries(retailer_hook["id"])
    to_vendor = deliveries(vendor_hook["id"])
    kinds = {"scan.created", "wishlist.added", "coupon.claimed", "coupon.redeemed",
             "feedback.created", "subscription.confirmed"}
    assert {d.event_type for d in to_retailer} == kinds
    assert sorted(d.event_type for d in to_vendor) == sorted(d.event_type for d in to_retailer)
    pseudonyms = {json.loads(d.payload)["data"]["shopper"] for d in to_retailer}
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in pseudonyms)
    for delivery in to_vendor:
        data = json.loads(delivery.payload)["data"]
        assert set(data) == set(VENDOR_FIELDS[delivery.event_type])
        assert data["retailer"] == "acme" and data["gtin"] == parties.shop.product.gtin
        assert not {"shopper", "store", "tag", "sku", "device", "coupon", "sale_amount_cents",
                    "discount_cents", "offer"} & set(data)
        assert not any(p in delivery.payload for p in pseudonyms)
        assert "NYC01" not in delivery.payload and "fan@example.com" not in delivery.payload
    feedback = next(json.loads(d.payload)["data"] for d in to_vendor
                    if d.event_type == "feedback.created")
    assert feedback["rating"] == 4 and feedback["comment"] == "Fits well"
    for delivery in to_retailer:
        assert "fan@example.com" not in delivery.payload  # never an address, to anyone


def test_a_vendor_hears_only_of_its_own_products(allow_private, app, client, parties):
    rival = make_vendor("rivalco")
    rival_tag = make_tag(parties.shop.retailer, parties.shop.store, rival, name="Rival Gizmo")
    db.session.commit()
    hook = create_webhook(client, parties.vendor, "http://127.0.0.1:9/", ["scan.created"])
    new_phone(app).get(f"/t/{rival_tag.code}")
    assert deliveries(hook["id"]) == []
    new_phone(app).get(f"/t/{parties.shop.tag.code}")
    [delivery] = deliveries(hook["id"])
    assert json.loads(delivery.payload)["data"]["product"] == "Trail Widget"


def test_saving_an_item_already_saved_sends_nothing(allow_private, app, client, parties):
    hook = create_webhook(client, parties.merchandiser, "http://127.0.0.1:9/",
                          ["wishlist.added"])
    tag, phone = parties.shop.tag, new_phone(app)

    def save(action: str = "save") -> None:
        html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
        fields = form_fields(html, f"/t/{tag.code}/save")
        assert phone.post(f"/t/{tag.code}/save", data={**fields, "action": action}
                          ).status_code == 303

    save()
    save()
    assert len(deliveries(hook["id"])) == 1
    save("remove")
    save()  # back on the list: added again
    [first, again] = deliveries(hook["id"])
    assert json.loads(again.payload)["data"]["tag"] == tag.code
