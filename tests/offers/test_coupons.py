"""Shoppers claim coupons from landing pages: one page, one code, limits that hold."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import zxingcpp
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.coupons import COUPON_ALPHABET, barcode_svg
from qrshop.offers.models import CouponClaim, Offer
from tests.factories import make_shop, make_store, make_tag
from tests.helpers import claim_coupon, coupon_form, make_offer, new_phone


def _claims():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CouponClaim))


def test_landing_page_shows_the_offer_and_get_coupon_shows_a_code_and_barcode(client):
    shop = make_shop()
    make_offer(shop.retailer, title="15% off your visit")
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "15% off your visit" in html and "Get coupon" in html

    response = client.post(f"/t/{shop.tag.code}/coupon", data=coupon_form(client, shop.tag))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = re.search(r'data-coupon-code="([^"]+)"', html).group(1)
    assert re.fullmatch(f"[{COUPON_ALPHABET}]{{4}}-[{COUPON_ALPHABET}]{{4}}", code)
    assert f">{code}</p>" in html  # shown large, as text
    assert "<svg" in html and "Show this screen at the till" in html
    # The landing page now offers the coupon back instead of a second one.
    again = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "Show my coupon" in again and "Get coupon" not in again


def _rasterise(svg: str, scale: int = 4) -> Image.Image:
    """Draw the barcode's path (rectangles of whole modules) as a bitmap."""
    width, height = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, bar in re.findall(r"M(\d+) 0h(\d+)", svg):
        x, bar = int(x), int(bar)
        draw.rectangle([x * scale, 0, (x + bar) * scale - 1, height * scale], fill=0)
    return image


def test_the_barcode_scans_as_the_code():
    [result] = zxingcpp.read_barcodes(_rasterise(barcode_svg("ABCD2345")))
    assert result.text == "ABCD2345"
    assert result.format == zxingcpp.BarcodeFormat.Code128


def test_a_shopper_gets_one_coupon_per_offer_by_default(client):
    shop = make_shop()
    make_offer(shop.retailer)
    fields = coupon_form(client, shop.tag)
    assert client.post(f"/t/{shop.tag.code}/coupon", data=fields).status_code == 303
    again = client.post(f"/t/{shop.tag.code}/coupon", data=fields)
    assert again.status_code == 409
    assert "You already have this coupon" in again.get_data(as_text=True)
    assert _claims() == 1


def test_per_shopper_limit_of_two(client):
    shop = make_shop()
    make_offer(shop.retailer, per_shopper_limit=2)
    fields = coupon_form(client, shop.tag)
    first = claim_coupon(client, shop.tag)
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "Show my coupon" in html and "Get another coupon" in html
    second = claim_coupon(client, shop.tag)
    assert first != second
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "Show my coupon" in html and "Get another coupon" not in html
    assert client.post(f"/t/{shop.tag.code}/coupon", data=fields).status_code == 409
    assert _claims() == 2


def test_offer_scope_item_and_store(app, client):
    shop = make_shop()
    other_item = make_tag(shop.retailer, shop.store, shop.vendor, name="Other Widget")
    elsewhere = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Widget")
    make_offer(shop.retailer, title="Widget deal", listing=shop.listing, store=shop.store)
    assert "Widget deal" in client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "Widget deal" not in client.get(f"/t/{other_item.code}").get_data(as_text=True)
    assert "Widget deal" not in client.get(f"/t/{elsewhere.code}").get_data(as_text=True)
    # Posting the offer from a page it does not apply to is refused.
    fields = coupon_form(client, shop.tag)
    response = client.post(f"/t/{other_item.code}/coupon", data=fields)
    assert response.status_code == 404 and _claims() == 0


def test_ended_and_not_started_offers_are_not_shown_or_claimable(client):
    shop = make_shop()
    offer = make_offer(shop.retailer, title="Soon over")
    fields = coupon_form(client, shop.tag)
    offer.ends_at = utcnow() - timedelta(seconds=1)
    offer.starts_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert "Soon over" not in client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    response = client.post(f"/t/{shop.tag.code}/coupon", data=fields)
    assert response.status_code == 410 and "ended" in response.get_data(as_text=True)
    assert _claims() == 0


def test_a_claim_without_the_csrf_token_is_refused(client):
    shop = make_shop()
    offer = make_offer(shop.retailer)
    client.get(f"/t/{shop.tag.code}")
    assert client.post(f"/t/{shop.tag.code}/coupon", data={"offer": offer.id}).status_code == 400
    assert _claims() == 0


def test_coupon_expires_with_the_offer_or_after_its_days(client):
    shop = make_shop()
    offer = make_offer(shop.retailer, coupon_valid_days=3, ends_at=utcnow() + timedelta(days=1))
    claim_coupon(client, shop.tag)
    claim = db.session.scalar(select(CouponClaim))
    assert claim.expires_at == offer.ends_at
    assert claim.store_id == shop.tag.store_id and claim.listing_id == shop.tag.listing_id


def test_an_offer_with_a_limit_of_10_claimed_by_50_shoppers_at_once_issues_10(app):
    shop = make_shop()
    offer = make_offer(shop.retailer, total_limit=10)
    phones = [new_phone(app) for _ in range(50)]
    forms = [coupon_form(phone, shop.tag) for phone in phones]
    start = threading.Barrier(50)
    statuses = []

    def claim(phone, fields):
        start.wait()
        statuses.append(phone.post(f"/t/{shop.tag.code}/coupon", data=fields).status_code)

    threads = [threading.Thread(target=claim, args=pair) for pair in zip(phones, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303] * 10 + [410] * 40
    assert _claims() == 10
    assert db.session.get(Offer, offer.id).claimed_count == 10
    assert len(set(db.session.scalars(select(CouponClaim.code)))) == 10


def test_one_shopper_cannot_see_another_shoppers_coupon(app, client):
    shop = make_shop()
    make_offer(shop.retailer)
    code = claim_coupon(client, shop.tag)
    other = new_phone(app)
    other.get(f"/t/{shop.tag.code}")  # a shopper of the same retailer
    for phone in (other, new_phone(app)):
        response = phone.get(f"/coupon/{code}")
        assert response.status_code == 404
        assert code not in response.get_data(as_text=True)
    assert code not in other.get("/wishlist").get_data(as_text=True)
    assert client.get(f"/coupon/{code.lower().replace('-', '')}").status_code == 200


def test_a_forged_shopper_cookie_does_not_open_a_coupon(app, client):
    shop = make_shop()
    make_offer(shop.retailer)
    code = claim_coupon(client, shop.tag)
    shopper_id = db.session.scalar(select(CouponClaim.shopper_id))
    thief = new_phone(app)
    thief.set_cookie(f"qs{shop.retailer.id}", f"{shopper_id}.forged")
    assert thief.get(f"/coupon/{code}").status_code == 404


def test_bots_get_no_coupon_form(client):
    shop = make_shop()
    make_offer(shop.retailer)
    html = client.get(f"/t/{shop.tag.code}", headers={"User-Agent": "WhatsApp/2.23.20.0"}).get_data(
        as_text=True)
    assert "Get coupon" not in html


def test_store_of_another_retailer_cannot_scope_an_offer(app):
    import pytest

    from qrshop.errors import InvalidInput
    from tests.factories import make_retailer

    retailer = make_shop().retailer
    other = make_retailer("other")
    foreign_store = make_store(other, "XYZ01")
    with pytest.raises(InvalidInput, match="another retailer"):
        make_offer(retailer, store=foreign_store)
