"""Ask an associate end to end, on two phones: the shopper sends a request from a tag's page;
it appears on the associate's queue without a reload; the associate claims it and the
shopper's page changes by itself."""

from __future__ import annotations

import pytest

from qrshop.assist import services as assist
from qrshop.extensions import db
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_shop, make_user

pytestmark = pytest.mark.slow

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def _phone(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                               is_mobile=True, has_touch=True, user_agent=IPHONE)


def test_a_request_reaches_the_associate_and_the_claim_reaches_the_shopper(
        app, live_server, browser):
    shop = make_shop()
    assist.set_settings(shop.store.id, enabled=True, opening_hours="", unclaimed_minutes=5)
    make_user("associate", "maya@example.com", retailer_slug=shop.retailer.slug,
              store_code=shop.store.code)
    db.session.commit()
    shopper_context, associate_context = _phone(browser), _phone(browser)
    errors: list[str] = []
    try:
        associate = associate_context.new_page()
        associate.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        associate.goto(f"{live_server}/login")
        associate.fill("input[name=email]", "maya@example.com")
        associate.fill("input[name=password]", PASSWORD)
        associate.click("button[type=submit]")
        associate.goto(f"{live_server}/pos/requests")
        assert associate.locator("[data-queue-empty]").is_visible()

        shopper = shopper_context.new_page()
        shopper.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        shopper.goto(f"{live_server}/t/{shop.tag.code}")
        shopper.click("[data-ask-link]")
        shopper.fill("#ask-message", "Do you have this in blue?")
        shopper.fill("#ask-size", "M")
        shopper.fill("#ask-spot", "fitting room 3")
        shopper.click("button[type=submit]")
        state = shopper.locator("[data-ask-state]")
        assert state.get_attribute("data-ask-state") == "open"

        # The queue shows it without a reload (polled every 4 s).
        request = associate.locator("[data-request]")
        request.wait_for(timeout=10_000)
        assert "Do you have this in blue?" in request.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        associate.screenshot(path=str(ARTIFACTS / "pos-requests-390.png"), full_page=True)
        associate.click("[data-request] button:has-text('Claim')")
        assert "fitting room 3" in associate.locator(".flash").inner_text()

        # The shopper's page changes by itself.
        shopper.locator("[data-ask-state=claimed]").wait_for(timeout=10_000)
        assert "Maya is on the way." in state.inner_text()
        shopper.screenshot(path=str(ARTIFACTS / "ask-status-390.png"), full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        shopper_context.close()
        associate_context.close()
