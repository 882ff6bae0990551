"""The landing page's controls on a phone, in a real browser: save without a reload, share
without the Web Share API, refusals next to their field, the video in place of its poster,
theme-coloured links and tap targets of at least 24 x 24 CSS pixels (WCAG 2.2, 2.5.8)."""

from __future__ import annotations

import json

import pytest

from qrshop.shopper.services import find_landing_page
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.slow

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def _demo_tags(runner) -> list[dict]:
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    return json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)


def _tag_per_template(runner) -> dict[str, dict]:
    """The first demo tag of each landing template."""
    chosen: dict[str, dict] = {}
    for tag in _demo_tags(runner):
        page = find_landing_page(tag["code"])
        chosen.setdefault(page.template_name, tag)
    assert set(chosen) == {"spotlight", "story", "specs", "look"}
    return chosen


@pytest.fixture
def new_phone(browser):
    """Make 390 x 844 touch phones (init_script runs before the page's own scripts)."""
    contexts = []

    def make(init_script: str = "", permissions: tuple = ()):
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      device_scale_factor=2, is_mobile=True, has_touch=True,
                                      user_agent=IPHONE)
        if permissions:
            context.grant_permissions(list(permissions))
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_save_posts_to_the_save_route_without_a_reload(live_server, runner, phone):
    tag = _demo_tags(runner)[1]
    phone.goto(tag["url"])
    answers = []
    phone.on("response", lambda response: answers.append((response.request.method,
                                                           response.url, response.status)))
    phone.evaluate("window.notReloaded = true")
    save = phone.locator("[data-save]")
    save.tap()
    phone.wait_for_function(
        "() => document.querySelector('[data-save]').textContent.includes('Saved')")
    assert save.get_attribute("aria-pressed") == "true"
    posts = [(url, status) for method, url, status in answers if method == "POST"]
    assert posts == [(f"{live_server}/t/{tag['code']}/save", 200)]
    assert not any(status == 405 or "object" in url for _, url, status in answers)
    assert phone.evaluate("window.notReloaded") is True  # the same page: no fallback reload
    # And back: the same form now removes it.
    save.tap()
    phone.wait_for_function(
        "() => document.querySelector('[data-save]').textContent.includes('Save')"
        " && !document.querySelector('[data-save]').textContent.includes('Saved')")
    phone.goto(f"{live_server}/wishlist")
    assert tag["product"] not in phone.locator("main").inner_text()


def test_share_without_the_web_share_api_copies_the_link(live_server, runner, new_phone):
    tag = _demo_tags(runner)[0]
    phone = new_phone("delete Navigator.prototype.share; delete navigator.share;",
                      permissions=("clipboard-read", "clipboard-write"))
    phone.goto(tag["url"])
    assert phone.evaluate("typeof navigator.share") == "undefined"
    share = phone.locator("details.share summary")
    assert share.is_visible() and share.inner_text() == "Share"
    share.tap()
    copy = phone.get_by_role("button", name="Copy link")
    assert copy.is_visible()
    for name in ("Email", "WhatsApp", "Text message"):
        link = phone.get_by_role("link", name=name, exact=True)
        assert link.is_visible()
        assert "via%3Dshare" in link.get_attribute("href")
    copy.tap()
    confirmation = phone.locator("[data-copied]")
    confirmation.wait_for()
    phone.wait_for_function("() => document.querySelector('[data-copied]').textContent")
    assert confirmation.inner_text() == "Link copied" and confirmation.is_visible()
    link = f"{live_server}/t/{tag['code']}?via=share"
    assert phone.evaluate("navigator.clipboard.readText()") == link
    phone.screenshot(path=str(ARTIFACTS / "landing-share-fallback.png"))


def test_share_uses_the_phones_share_sheet_where_there_is_one(live_server, runner, new_phone):
    tag = _demo_tags(runner)[0]
    phone = new_phone("navigator.share = function (data) { window.shared = data;"
                      " return Promise.resolve(); };")
    phone.goto(tag["url"])
    phone.locator("details.share summary").tap()
    phone.wait_for_function("() => window.shared")
    assert phone.evaluate("window.shared.url") == f"{live_server}/t/{tag['code']}?via=share"
    assert phone.locator("details.share").get_attribute("open") is None  # no menu as well


def test_refused_feedback_is_shown_next_to_the_form(live_server, runner, phone):
    tag = _demo_tags(runner)[0]
    phone.goto(tag["url"])
    phone.evaluate("window.notReloaded = true")
    phone.get_by_text("Rate this item").tap()  # the form is folded after the description
    phone.get_by_role("button", name="Send feedback").tap()
    message = phone.locator("[data-error-for='feedback']")
    message.wait_for(state="visible")
    assert "Choose stars" in message.inner_text()
    assert phone.evaluate("window.notReloaded") is True
    message.scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "landing-feedback-refused.png"))
    phone.get_by_text("4★").tap()
    phone.get_by_role("button", name="Send feedback").tap()
    phone.get_by_text("Thank you for your feedback!").wait_for()


def test_play_video_puts_the_player_where_the_poster_was(live_server, runner, phone):
    tag = _tag_per_template(runner)["story"]
    phone.goto(tag["url"])
    block = phone.locator(".media-block")
    poster = block.locator("summary")
    before = poster.bounding_box()
    assert block.locator("iframe").is_hidden()
    phone.get_by_text("Play video").tap()
    player = block.locator("iframe")
    player.wait_for(state="visible")
    assert poster.is_hidden()  # replaced, not kept above the player
    after = player.bounding_box()
    assert abs(after["y"] - before["y"]) < 2 and abs(after["x"] - before["x"]) < 2
    assert block.locator("picture").is_hidden()
    assert phone.locator("iframe:visible").count() == 1
    phone.screenshot(path=str(ARTIFACTS / "story-video-playing.png"))


# Everything a finger can hit on a page, measured as laid out.
_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, summary, input:not([type=hidden]), select, textarea')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const box = e.getBoundingClientRect();
              return {what: e.outerHTML.slice(0, 80), width: box.width, height: box.height}; })"""


def _check_targets_and_links(phone, theme: str) -> None:
    small = [target for target in phone.evaluate(_TARGETS)
             if target["width"] < 24 or target["height"] < 24]
    assert small == [], small
    colours = phone.evaluate("""() => [...document.querySelectorAll('main a[href]')]
        .filter(a => !a.classList.contains('button') && a.getClientRects().length)
        .map(a => getComputedStyle(a).color)""")
    assert colours and set(colours) == {theme}, (phone.url, colours)


def test_every_template_has_theme_coloured_links_and_24px_targets(live_server, runner,
                                                                   phone):
    maroon = "rgb(122, 31, 61)"  # the demo theme's primary colour, #7a1f3d
    for template, tag in _tag_per_template(runner).items():
        phone.goto(tag["url"])
        _check_targets_and_links(phone, maroon)
        phone.locator("details.share summary").tap()  # the share menu's links too
        _check_targets_and_links(phone, maroon)
        phone.screenshot(path=str(ARTIFACTS / f"landing-{template}.png"), full_page=True)
    tag = _demo_tags(runner)[0]
    phone.goto(f"{live_server}/t/{tag['code']}/alerts")
    _check_targets_and_links(phone, maroon)
    phone.goto(tag["url"])
    phone.locator("[data-save]").tap()
    phone.wait_for_function(
        "() => document.querySelector('[data-save]').textContent.includes('Saved')")
    phone.goto(f"{live_server}/wishlist")
    _check_targets_and_links(phone, maroon)
    phone.screenshot(path=str(ARTIFACTS / "wishlist-with-pictures.png"), full_page=True)
