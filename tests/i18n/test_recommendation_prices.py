"""Prices under "Complete the look" are written for the shopper's language, like the page's own."""

from __future__ import annotations

from qrshop.extensions import db
from qrshop.recommend.services import set_curated
from tests.factories import make_shop, make_tag


def test_recommended_items_prices_follow_the_shopper_language(client):
    shop = make_shop()
    other = make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Cap", price_cents=7900)
    set_curated(shop.tag.listing, [other.listing_id])
    db.session.commit()
    page = client.get(f"/t/{shop.tag.code}", headers={"Accept-Language": "es-MX"})
    html = page.get_data(as_text=True)
    assert "Complete el look" in html and "79,00\xa0US$" in html
    english = client.get(f"/t/{shop.tag.code}", headers={"Accept-Language": "en-US"})
    assert "$79.00" in english.get_data(as_text=True)
