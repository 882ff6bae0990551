"""Hold it for me end to end on two phones: the shopper holds an item from a tag's page;
the associate sees it on /pos/holds, marks it ready; the shopper's hold page says so."""

from __future__ import annotations

import pytest

from qrshop.assist import holds
from qrshop.extensions import db
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_ask_associate import _phone
from tests.factories import PASSWORD, make_shop, make_user

pytestmark = pytest.mark.slow


def test_a_hold_reaches_the_pick_list_and_ready_reaches_the_shopper(app, live_server, browser):
    shop = make_shop()
    holds.set_hold_settings(shop.store.id, holds_enabled=True, hold_hours=24)
    make_user("associate", "maya@example.com", retailer_slug=shop.retailer.slug,
              store_code=shop.store.code)
    db.session.commit()
    shopper_context, associate_context = _phone(browser), _phone(browser)
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        shopper = shopper_context.new_page()
        shopper.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        shopper.goto(f"{live_server}/t/{shop.tag.code}")
        shopper.click("[data-hold-link]")
        shopper.fill("#hold-size", "M, blue")
        shopper.fill("#hold-name", "Ana Ruiz")
        shopper.fill("#hold-phone", "+1 415 555 0123")
        shopper.screenshot(path=str(ARTIFACTS / "hold-form-390.png"), full_page=True)
        shopper.click("button[type=submit]")  # no consent: refused next to the box
        assert shopper.locator('[data-hold-error="consent"]').is_visible()
        assert shopper.input_value("#hold-name") == "Ana Ruiz"
        errors.clear()  # the browser logs that refusal's 400
        shopper.check("input[name=consent]")
        shopper.click("button[type=submit]")
        assert shopper.locator("[data-hold-state]").get_attribute("data-hold-state") == "placed"

        associate = associate_context.new_page()
        associate.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        associate.goto(f"{live_server}/login")
        associate.fill("input[name=email]", "maya@example.com")
        associate.fill("input[name=password]", PASSWORD)
        associate.click("button[type=submit]")
        associate.goto(f"{live_server}/pos/holds")
        hold = associate.locator("[data-hold]")
        assert "Ana Ruiz" in hold.inner_text()
        associate.screenshot(path=str(ARTIFACTS / "pos-holds-390.png"), full_page=True)
        hold.locator("button", has_text="Ready").click()
        assert associate.locator("[data-hold]").get_attribute("data-hold-status") == "ready"
        associate.screenshot(path=str(ARTIFACTS / "pos-holds-ready-390.png"), full_page=True)

        shopper.reload()
        assert shopper.locator("[data-hold-state]").get_attribute("data-hold-state") == "ready"
        shopper.screenshot(path=str(ARTIFACTS / "hold-ready-390.png"), full_page=True)
        assert not errors, errors
    finally:
        shopper_context.close()
        associate_context.close()
