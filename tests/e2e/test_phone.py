"""A shopper's phone, end to end, in a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.slow


def _demo_tags(runner):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    return json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)


def test_scanning_a_tag_opens_the_branded_page(live_server, runner, phone):
    tags = _demo_tags(runner)
    url = tags[0]["url"]  # HTTP://127.0.0.1:PORT/T/CODE, exactly what the QR holds
    assert url.startswith(live_server.upper())
    counted = select(func.count()).select_from(Scan).where(Scan.is_bot.is_(False))
    before = db.session.scalar(counted)  # the demo's seeded history
    response = phone.goto(url)
    assert response.status == 200
    name = phone.locator("[data-product-name]")
    assert name.inner_text() == tags[0]["product"]
    header = phone.locator("header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(122, 31, 61)"
    logo = phone.locator("header img")
    assert logo.get_attribute("alt") == "FashionTown"
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "landing-page.png"))
    db.session.expire_all()
    assert db.session.scalar(counted) == before + 1


def test_unknown_code_shows_the_not_found_page(live_server, runner, phone):
    _demo_tags(runner)
    response = phone.goto(f"{live_server}/T/ZZZZ2345")
    assert response.status == 404
    assert "recognise this tag" in phone.content()


def test_save_claim_and_find_both_on_the_wish_list(live_server, runner, phone):
    """The whole shopper journey: scan, save, get a coupon, see both on /wishlist."""
    tags = _demo_tags(runner)
    tag = tags[1]
    phone.goto(tag["url"])
    product = tag["product"]
    assert phone.locator("[data-product-name]").inner_text() == product

    save = phone.locator("[data-save]")
    assert save.inner_text() == "♡ Save"
    save.tap()
    phone.wait_for_function(
        "() => document.querySelector('[data-save]').textContent.includes('Saved')")
    phone.screenshot(path=str(ARTIFACTS / "landing-saved.png"))

    phone.get_by_role("button", name="Get coupon").tap()
    phone.wait_for_url("**/coupon/**")
    coupon = phone.locator("[data-coupon-code]")
    code = coupon.get_attribute("data-coupon-code")
    assert len(code.replace("-", "")) == 8
    assert phone.locator("svg").count() >= 1  # the till barcode
    phone.screenshot(path=str(ARTIFACTS / "coupon.png"))

    phone.goto(f"{live_server}/wishlist")
    body = phone.locator("main").inner_text()
    assert product in body
    assert code in body
    phone.screenshot(path=str(ARTIFACTS / "wishlist.png"), full_page=True)
