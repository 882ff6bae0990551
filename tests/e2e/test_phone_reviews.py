"""Ratings and reviews on a 390 px phone: the description first, the feedback form folded
behind "Rate this item", an approved comment shown; screenshots of each template and of the
console's moderation queue."""

from __future__ import annotations

import json

import pytest

from qrshop.extensions import db
from qrshop.feedback.models import Feedback
from qrshop.shopper.services import find_landing_page
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.slow


def _tags_per_template(runner) -> dict[str, dict]:
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    tags = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)
    chosen: dict[str, dict] = {}
    for tag in tags:
        chosen.setdefault(find_landing_page(tag["code"]).template_name, tag)
    return chosen


def _rate(phone, stars: int, comment: str = "") -> None:
    rate = phone.locator("details.rate")
    assert rate.get_attribute("open") is None
    assert phone.get_by_role("button", name="Send feedback").is_hidden()
    phone.get_by_text("Rate this item").tap()
    assert rate.get_attribute("open") == ""
    phone.get_by_text(f"{stars}★", exact=True).tap()
    if comment:
        phone.get_by_label("Comment (optional)").fill(comment)
    phone.get_by_role("button", name="Send feedback").tap()
    phone.get_by_text("Thank you for your feedback!").wait_for()


def test_a_shopper_opens_rate_this_item_and_rates(live_server, runner, browser, phone):
    tags = _tags_per_template(runner)
    tag = tags["spotlight"]
    phone.goto(tag["url"])
    main = phone.locator("main").inner_text()
    assert main.index("core range") < main.index("Ratings and reviews") < main.index(
        "Rate this item")
    _rate(phone, 4, "Fits <b>great</b>")
    for stars in (5, 4):  # two more shoppers: three ratings show the average
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True,
                                      user_agent=phone.evaluate("navigator.userAgent"))
        other = context.new_page()
        other.goto(tag["url"])
        _rate(other, stars)
        context.close()
    db.session.execute(db.update(Feedback).where(Feedback.comment != "")
                       .values(comment_status="approved"))
    db.session.commit()
    phone.goto(tag["url"] + "?via=test")
    summary = phone.locator("[data-rating-count]")
    assert summary.get_attribute("data-rating-count") == "3"
    assert "4.3 out of 5" in summary.inner_text() and "3 ratings" in summary.inner_text()
    review = phone.locator("[data-review] blockquote")
    assert review.inner_text() == "Fits <b>great</b>"  # shown as typed: text, not markup
    ARTIFACTS.mkdir(exist_ok=True)
    phone.locator("#feedback").scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "landing-ratings-spotlight.png"))
    for name, other_tag in tags.items():
        phone.goto(other_tag["url"] + "?via=test")
        phone.screenshot(path=str(ARTIFACTS / f"landing-390-{name}.png"), full_page=True)


def test_the_moderation_queue_at_desktop(live_server, runner, browser):
    tags = _tags_per_template(runner)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True,
                                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac "
                                           "OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                                           "Version/17.5 Mobile/15E148 Safari/604.1")
    shopper = phone.new_page()
    shopper.goto(tags["look"]["url"])
    _rate(shopper, 5, "Lovely colour, runs a little small")
    phone.close()
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(make_user("merchandiser",
                                              retailer_slug="fashiontown").email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/console/comments")
    row = page.locator("[data-pending-comment]")
    assert "Lovely colour" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "console-comments-queue.png"), full_page=True)
    row.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved: shoppers see it").wait_for()
    assert page.locator("[data-pending-comment]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "console-comments-decided.png"), full_page=True)
    desk.close()
