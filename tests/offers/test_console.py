"""Merchandisers create and end offers in the console, and read shoppers' feedback."""

from __future__ import annotations

from sqlalchemy import select

from qrshop.extensions import db
from qrshop.offers.models import Offer
from tests.factories import csrf_token, login, make_shop, make_user
from tests.helpers import make_offer


def _form(client, **values):
    data = {"csrf_token": csrf_token(client, "/console/offers"), "title": "Spring sale",
            "kind": "percent", "percent_off": "20", "amount_off": "", "perk_text": "",
            "listing": "", "store": "", "starts_at": "2026-01-01T09:00",
            "ends_at": "2036-01-01T09:00", "total_limit": "100", "per_shopper_limit": "1",
            "coupon_valid_days": "7", "terms": ""}
    data.update(values)
    return data


def test_merchandiser_creates_an_offer_that_shoppers_see(client):
    shop = make_shop()
    merchandiser = make_user("merchandiser", retailer_slug="acme")
    login(client, merchandiser.email)
    response = client.post("/console/offers", data=_form(client, store=str(shop.store.id)))
    assert response.status_code == 303
    page = client.get("/console/offers").get_data(as_text=True)
    assert "Spring sale" in page and "20% off" in page and "0 / 100" in page
    offer = db.session.scalar(select(Offer))
    # Typed in the store's time zone (New York, UTC-5 in January).
    assert offer.starts_at.hour == 14 and offer.store_id == shop.store.id
    shopper = client.application.test_client()
    assert "Spring sale" in shopper.get(f"/t/{shop.tag.code}").get_data(as_text=True)


def test_offer_form_explains_mistakes_and_stores_nothing(client):
    make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    for values, message in (
        ({"ends_at": "2025-01-01T09:00"}, "must end after it starts"),
        ({"kind": "amount", "amount_off": "ten"}, "Amount off must be a number"),
        ({"kind": "perk", "perk_text": ""}, "Describe the perk"),
        ({"percent_off": "150"}, "Percent off"),
        ({"listing": "99999"}, "Item: Not a valid choice"),
    ):
        response = client.post("/console/offers", data=_form(client, **values))
        assert response.status_code in (400, 422), values
        assert message in response.get_data(as_text=True), values
    assert db.session.scalar(select(Offer)) is None


def test_amount_and_perk_offers(client):
    make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    client.post("/console/offers", data=_form(client, title="Ten off", kind="amount",
                                              amount_off="10.00", percent_off=""))
    client.post("/console/offers", data=_form(client, title="Gift wrap", kind="perk",
                                              perk_text="Free gift wrap", percent_off=""))
    page = client.get("/console/offers").get_data(as_text=True)
    assert "$10.00 off" in page and "Free gift wrap" in page


def test_ending_an_offer_stops_claims(client):
    shop = make_shop()
    offer = make_offer(shop.retailer, title="Flash sale")
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/offers")
    response = client.post(f"/console/offers/{offer.id}/end",
                           data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 303
    assert "Flash sale" not in client.application.test_client().get(
        f"/t/{shop.tag.code}").get_data(as_text=True)


def test_only_the_retailers_merchandisers_manage_offers(client):
    retailer = make_shop().retailer
    offer = make_offer(retailer)
    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    login(client, associate.email)
    assert client.get("/console/offers").status_code == 403
    assert client.get("/console/feedback").status_code == 403
    from tests.factories import make_retailer, make_store
    rival = make_retailer("rival")
    make_store(rival, "RIV01")
    db.session.commit()
    other = client.application.test_client()
    login(other, make_user("merchandiser", retailer_slug="rival").email)
    token = csrf_token(other, "/console/offers")
    assert "15% off today" not in other.get("/console/offers").get_data(as_text=True)
    assert other.post(f"/console/offers/{offer.id}/end",
                      data={"csrf_token": token, "confirm": "yes"}).status_code == 404


def test_ending_an_upcoming_offer_means_it_never_runs(client):
    from datetime import timedelta

    from qrshop.db import utcnow

    retailer = make_shop().retailer
    offer = make_offer(retailer, title="Next week", starts_at=utcnow() + timedelta(days=7),
                       ends_at=utcnow() + timedelta(days=14))
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    client.post(f"/console/offers/{offer.id}/end",
                data={"csrf_token": csrf_token(client, "/console/offers"), "confirm": "yes"})
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.ends_at <= utcnow() and "(ended)" in client.get(
        "/console/offers").get_data(as_text=True)
