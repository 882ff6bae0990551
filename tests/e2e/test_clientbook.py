"""The client book on two phones: the shopper shares it from their wish list, the associate
opens the counter QR's address, keeps a note and sends an item, which the shopper's wish
list shows with the associate's first name."""

from __future__ import annotations

import pytest

from qrshop.assist import services as assist
from qrshop.extensions import db
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_ask_associate import _phone
from tests.factories import PASSWORD, make_shop, make_tag, make_user

pytestmark = pytest.mark.slow


def test_the_associate_keeps_a_client_book_the_shopper_shared(app, live_server, browser):
    shop = make_shop()
    boots = make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Boots",
                     price_cents=12900)
    assist.set_settings(shop.store.id, enabled=True, opening_hours="", unclaimed_minutes=5)
    make_user("associate", "maya@example.com", retailer_slug=shop.retailer.slug,
              store_code=shop.store.code)
    db.session.commit()
    sku = boots.listing.sku
    shopper_context, associate_context = _phone(browser), _phone(browser)
    errors: list[str] = []
    try:
        shopper = shopper_context.new_page()
        shopper.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        shopper.goto(f"{live_server}/t/{shop.tag.code}")
        shopper.click("[data-ask-link]")
        shopper.fill("#ask-message", "Do you have this in blue?")
        shopper.fill("#ask-spot", "fitting room 3")
        shopper.click("button[type=submit]")
        shopper.goto(f"{live_server}/t/{shop.tag.code}")
        shopper.click("form[action$='/save'] button")
        # Saved without a reload: wait for the answer before leaving the page.
        shopper.locator("form[action$='/save'] button[aria-pressed=true]").wait_for()
        shopper.goto(f"{live_server}/wishlist")
        ARTIFACTS.mkdir(exist_ok=True)
        shopper.screenshot(path=str(ARTIFACTS / "wishlist-consent-390.png"), full_page=True)
        shopper.check("[data-client-book-consent] input[name=consent]")
        shopper.click("[data-give]")
        assert shopper.locator("[data-sharing]").is_visible()
        shopper.click("[data-counter] summary")
        counter_url = shopper.locator("[data-counter-url]").get_attribute("data-counter-url")

        associate = associate_context.new_page()
        associate.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        associate.goto(f"{live_server}/login")
        associate.fill("input[name=email]", "maya@example.com")
        associate.fill("input[name=password]", PASSWORD)
        associate.click("button[type=submit]")
        associate.goto(counter_url)  # what scanning the QR opens
        assert associate.locator("[data-client-book]").is_visible()
        assert "Do you have this in blue?" in associate.locator("[data-book-requests]").inner_text()
        associate.fill("#note", "Prefers size M, likes the Trail range")
        associate.click("[data-book-notes] button[type=submit]")
        assert "Prefers size M" in associate.locator("[data-note]").inner_text()
        associate.fill("input[name=q]", sku)
        associate.click("form[role=search] button")
        associate.click("[data-suggest]")
        assert "Trail Boots" in associate.locator("[data-book-wishlist]").inner_text()
        associate.screenshot(path=str(ARTIFACTS / "clientbook-390.png"), full_page=True)

        shopper.goto(f"{live_server}/wishlist")
        assert "Maya suggested this for you" in shopper.locator("[data-suggested]").inner_text()
        shopper.screenshot(path=str(ARTIFACTS / "wishlist-suggestion-390.png"), full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        shopper_context.close()
        associate_context.close()
