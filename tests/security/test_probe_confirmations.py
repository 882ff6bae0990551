"""The confirmation steps for ending an offer and sending an alert: CSRF, tenants, escaping."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.alerts.models import OutboxMessage
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import Offer
from tests.factories import csrf_token, login, make_retailer, make_shop, make_user
from tests.helpers import make_offer

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def shop(client):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    return shop


def _offer_ended(offer_id: int) -> bool:
    db.session.expire_all()
    offer = db.session.get(Offer, offer_id)
    return offer.ends_at.timestamp() < utcnow().timestamp()


def test_ending_an_offer_needs_csrf_and_the_retailers_own_offer(app, client, shop):
    mine = make_offer(shop.retailer, title=XSS)
    theirs = make_offer(make_retailer("rival"))
    assert client.post(f"/console/offers/{mine.id}/end", data={"confirm": "yes"}) \
        .status_code == 400
    assert not _offer_ended(mine.id)
    page = client.get(f"/console/offers/{mine.id}/end")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    token = csrf_token(client, f"/console/offers/{mine.id}/end")
    assert client.get(f"/console/offers/{theirs.id}/end").status_code == 404
    assert client.post(f"/console/offers/{theirs.id}/end", data={
        "csrf_token": token, "confirm": "yes"}).status_code == 404
    assert not _offer_ended(theirs.id)


def test_sending_an_alert_needs_csrf_and_escapes_the_note(client, shop):
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    listing_id = shop.listing.id
    assert client.post(f"/console/items/{listing_id}/alert", data={
        "topic": "sale", "note": "x", "confirm": "yes"}).status_code == 400
    token = csrf_token(client, "/console/items")
    page = client.post(f"/console/items/{listing_id}/alert", data={
        "csrf_token": token, "topic": "sale", "note": XSS})
    html = page.get_data(as_text=True)
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    for note in ("n" * 5000, "x\x00"):
        response = client.post(f"/console/items/{listing_id}/alert", data={
            "csrf_token": token, "topic": "sale", "note": note, "confirm": "yes"})
        assert response.status_code < 500
    for topic in ("boss", "", "s" * 5000):
        response = client.post(f"/console/items/{listing_id}/alert", data={
            "csrf_token": token, "topic": topic, "confirm": "yes"})
        assert response.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
