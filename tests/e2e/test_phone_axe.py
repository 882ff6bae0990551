"""WCAG 2.2 AA on every shopper page, as axe-core (axe-playwright-python) finds it on a
390 px phone: every landing template in every language and theme, as loaded and with every
fold open, and every other page a shopper can reach (coupon, wish list, alerts, messages,
refusals, the language switch).

The checks are data-driven: the templates are the files in templates/landing/, a landing
page is audited whole (a new section is covered as soon as the demo shows it), every
`<details>` on it is opened for the second audit, and `test_every_shopper_page_is_audited`
fails when a shopper route is added without a page here. A failure names the page, the
template, the language and the theme, then axe's report (rule, help, the elements).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import request_started
from werkzeug.serving import make_server

from qrshop import create_app
from qrshop.accounts import theme
from qrshop.accounts.services import retailer_by_slug
from qrshop.assist import holds
from qrshop.assist import services as assist
from qrshop.extensions import db
from qrshop.i18n import LOCALES
from qrshop.shopper.services import find_landing_page
from qrshop.tags.services import find_tag, retire_tag, store_by_code
from tests.conftest import _fresh_g, _test_config
from tests.e2e.conftest import ARTIFACTS
from tests.factories import link_in, queued_emails

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Every landing template a retailer can enable (the partials start with "_").
TEMPLATES = sorted(path.stem for path in (ROOT / "templates" / "landing").glob("*.html")
                   if not path.stem.startswith("_"))
# axe-core's rules for WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# The video provider's player is its own page (and out of reach offline): its <iframe> is
# audited here (title, size), its content is not.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "iframes": False,
               "resultTypes": ["violations"]}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")

# Retailer themes (primary, accent): the demo's maroon with white; a near-black with a pale
# yellow; a bright yellow with black, whose primary is unreadable as text on white (links
# and outlined buttons must then take another colour).
THEMES = {"maroon": ("#7a1f3d", "#ffffff"), "dark": ("#111827", "#fde68a"),
          "yellow": ("#ffd60a", "#1a1a1a")}
AXE = Axe()


@dataclass
class Site:
    """The demo, served: a tag per landing template, a retired tag, the theme in force."""

    url: str
    app: object
    tags: dict[str, dict]  # template name -> demo tag (code, url, product, ...)
    retired_code: str
    theme: str = "maroon"
    emails: list = field(default_factory=list)

    def use_theme(self, name: str) -> None:
        """Give the demo retailer this theme (theme.update_theme checks it, as the console)."""
        if self.theme == name:
            return
        retailer = retailer_by_slug("fashiontown")
        primary, accent = THEMES[name]
        theme.update_theme(retailer, primary=primary, accent=accent, font=retailer.font,
                           footer_text=retailer.footer_text)
        db.session.commit()
        self.theme = name

    def email(self, prefix: str) -> str:
        """A new address (each test its own, so its outbox mail is its own)."""
        address = f"{prefix}{len(self.emails)}@example.com"
        self.emails.append(address)
        return address


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """The demo in its own app, seeded once for the module and served on loopback."""
    config = _test_config(database_url, tmp_path_factory.mktemp("axe-content"))
    config["RATELIMIT_ENABLED"] = False  # the same address signs up many times here
    app = create_app(config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
        runner = app.test_cli_runner()
        assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
        tags = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                              "json"]).output)
        per_template: dict[str, dict] = {}
        for tag in tags:
            per_template.setdefault(find_landing_page(tag["code"]).template_name, tag)
        missing = set(TEMPLATES) - set(per_template)
        assert not missing, f"the demo shows no page in {missing}: give it one to audit"
        spare = [tag for tag in tags if tag not in per_template.values()][-1]
        retire_tag(find_tag(spare["code"]))
        # "Ask an associate" open round the clock in the store, so its form is always there.
        assist.set_settings(store_by_code("ATL01").id, enabled=True,
                            opening_hours="mon-sun 00:00-24:00", unclaimed_minutes=5)
        holds.set_hold_settings(store_by_code("ATL01").id, holds_enabled=True, hold_hours=24)
        db.session.commit()
        yield Site(url=app.config["BASE_URL"], app=app, tags=per_template,
                   retired_code=spare["code"])
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["qrshop.scan_fast_path"].close()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def phone_for(browser):
    """Open a 390 x 844 touch phone in a language (a failing page's screenshot is kept)."""
    contexts = []

    def open_phone(locale: str, *, without_web_share: bool = False):
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True, user_agent=IPHONE,
                                      locale=locale)
        if without_web_share:
            context.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def assert_no_violations(phone, what: str) -> None:
    """axe-core finds nothing against WCAG 2.2 AA on the page as it is now."""
    phone.wait_for_load_state("load")
    results = AXE.run(phone, options=AXE_OPTIONS)
    if results.violations_count:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", what)
        phone.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)
    assert results.violations_count == 0, (
        f"{what} ({phone.url}):\n{results.generate_report()}")


def _open_every_fold(phone) -> None:
    """Tap Share (no Web Share API: its menu of links), then open every other <details>."""
    share = phone.locator("details.share summary")
    if share.count():
        share.tap()
        phone.get_by_role("button", name=re.compile(".")).first.wait_for()
    phone.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


# Theme mistakes show in any language and language mistakes in any theme: every page is
# audited in every language with the demo's theme, and in English with each other theme.
COMBINATIONS = [("maroon", locale) for locale in LOCALES] + [
    (name, "en") for name in THEMES if name != "maroon"]


# -- Landing pages: every template in every language, and in every theme --------------------

@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(("theme_name", "locale"), COMBINATIONS)
def test_landing_page_meets_wcag_22_aa(site, phone_for, theme_name, locale, template):
    site.use_theme(theme_name)
    phone = phone_for(locale, without_web_share=True)
    response = phone.goto(site.tags[template]["url"])
    assert response.status == 200
    assert phone.locator("html").get_attribute("lang") == locale
    what = f"landing page, template {template}, language {locale}, theme {theme_name}"
    assert_no_violations(phone, what)
    _open_every_fold(phone)
    assert_no_violations(phone, what + ", every fold open (share menu, video...)")


# -- Every other shopper page ----------------------------------------------------------------

def _landing(site):
    """The demo tag of the first template."""
    return site.tags[TEMPLATES[0]]


def page_alerts_form(site, phone):
    tag = _landing(site)
    phone.goto(f"{site.url}/t/{tag['code']}/alerts")


def page_alerts_refused(site, phone):
    """The sign-up refused: the message next to the e-mail field, what was typed kept."""
    page_alerts_form(site, phone)
    phone.evaluate("document.querySelector('form[action$=\"/alerts\"]').noValidate = true")
    phone.locator("#alert-email").fill("not an address")
    phone.locator("input[name=consent]").check()
    phone.locator("form[action$='/alerts'] button[type=submit]").tap()
    phone.locator("[data-alerts-error]").first.wait_for()


def page_alerts_signed_up(site, phone):
    page_alerts_form(site, phone)
    phone.locator("#alert-email").fill(site.email("alerts"))
    phone.locator("input[name=consent]").check()
    phone.locator("form[action$='/alerts'] button[type=submit]").tap()
    phone.locator("[data-alerts-done]").wait_for()


def _alerts_link(site, phone, which: str) -> str:
    """Sign up on the phone, then the link the e-mail carries (confirm) or its unsubscribe."""
    page_alerts_form(site, phone)
    address = site.email("alerts")
    phone.locator("#alert-email").fill(address)
    phone.locator("input[name=consent]").check()
    phone.locator("form[action$='/alerts'] button[type=submit]").tap()
    phone.locator("[data-alerts-done]").wait_for()
    db.session.expire_all()
    body = queued_emails(address)[-1].body
    return re.search(rf"https?://\S+/alerts/{which}/\S+", body).group(0)


def page_alerts_confirm(site, phone):
    phone.goto(_alerts_link(site, phone, "confirm"))


def page_alerts_confirmed(site, phone):
    page_alerts_confirm(site, phone)
    with phone.expect_navigation():
        phone.locator("main form button").tap()


def page_alerts_unsubscribe(site, phone):
    phone.goto(_alerts_link(site, phone, "unsubscribe"))


def page_alerts_unsubscribed(site, phone):
    page_alerts_unsubscribe(site, phone)
    with phone.expect_navigation():
        phone.locator("main form button").tap()


def page_link_does_not_work(site, phone):
    phone.goto(f"{site.url}/alerts/confirm/not-a-token")


def page_coupon(site, phone):
    tag = _landing(site)
    phone.goto(tag["url"])
    phone.locator("form[action$='/coupon'] button").tap()
    phone.wait_for_url("**/coupon/**")


def page_coupon_not_on_this_phone(site, phone):
    phone.goto(f"{site.url}/coupon/ABCD-2345")


def page_wishlist_empty(site, phone):
    phone.goto(f"{site.url}/wishlist")


def page_wishlist_saved(site, phone):
    """Two items saved and a coupon claimed; the counter QR open."""
    for tag in list(site.tags.values())[:2]:
        phone.goto(tag["url"])
        phone.locator("[data-save]").tap()
        phone.wait_for_function(
            "() => document.querySelector('[data-save]').getAttribute('aria-pressed') === 'true'")
    page_coupon(site, phone)
    phone.goto(f"{site.url}/wishlist")
    phone.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def page_wishlist_link_sent(site, phone):
    """Asked for a link to another device: the message and the code form."""
    page_wishlist_saved(site, phone)
    phone.locator("#link-email").fill(site.email("wish"))
    phone.locator("form[action='/wishlist/link'] button").tap()
    phone.locator("[data-link-sent]").wait_for()


def page_wishlist_wrong_code(site, phone):
    page_wishlist_link_sent(site, phone)
    phone.locator("#join-code").fill("000000")
    phone.locator("form[action='/wishlist/code'] button").tap()
    phone.locator("[data-code-error]").wait_for()


def page_wishlist_link_opened(site, phone):
    """The magic link opened on another phone: the question before joining."""
    page_wishlist_saved(site, phone)
    address = site.email("wish")
    phone.locator("#link-email").fill(address)
    phone.locator("form[action='/wishlist/link'] button").tap()
    phone.locator("[data-link-sent]").wait_for()
    db.session.expire_all()
    phone.goto(link_in(queued_emails(address)[-1].body))


def page_retired_tag(site, phone):
    phone.goto(f"{site.url}/t/{site.retired_code}")


def page_unknown_tag(site, phone):
    phone.goto(f"{site.url}/t/ZZZZ2345")


def page_feedback_refused_inline(site, phone):
    """Send feedback with nothing chosen: the message appears next to the form (script)."""
    phone.goto(_landing(site)["url"])
    phone.locator("details.rate > summary").tap()  # the form is folded behind "Rate this item"
    phone.locator("#feedback button[type=submit]").tap()
    phone.locator("[data-error-for='feedback']").wait_for(state="visible")


def page_feedback_refused_without_script(site, phone):
    """The same, as a plain form post: the landing page again with the message."""
    phone.goto(_landing(site)["url"])
    phone.locator("details.rate > summary").tap()
    phone.evaluate("document.querySelector('#feedback form').removeAttribute('data-enhance')")
    phone.evaluate("document.querySelector('#feedback textarea').removeAttribute('maxlength')")
    phone.locator("#feedback textarea").fill("x" * 1001)
    phone.locator("#feedback button[type=submit]").tap()
    phone.locator("[data-error-for='comment']").wait_for(state="visible")


def page_ask_form(site, phone):
    phone.goto(f"{site.url}/t/{_landing(site)['code']}/ask")
    phone.locator("#ask-message").wait_for()


def page_ask_refused(site, phone):
    """Asked with no question: the message by the field."""
    page_ask_form(site, phone)
    phone.evaluate("document.querySelector('form[action$=\"/ask\"]').noValidate = true")
    phone.locator("form[action$='/ask'] button[type=submit]").tap()
    phone.locator("[data-ask-error]").first.wait_for()


def page_ask_sent(site, phone):
    """The request's own page, waiting for an associate."""
    page_ask_form(site, phone)
    phone.locator("#ask-message").fill("Do you have this in blue?")
    phone.locator("form[action$='/ask'] button[type=submit]").tap()
    phone.wait_for_url("**/ask/**")


def page_hold_form(site, phone):
    phone.goto(f"{site.url}/t/{_landing(site)['code']}/hold")
    phone.locator("#hold-name").wait_for()


def page_hold_refused(site, phone):
    """Held with no name and no contact: the messages by the fields."""
    page_hold_form(site, phone)
    phone.evaluate("document.querySelector('form[action$=\"/hold\"]').noValidate = true")
    phone.locator("form[action$='/hold'] button[type=submit]").tap()
    phone.locator("[data-hold-error]").first.wait_for()


def page_hold_placed(site, phone):
    """The hold's own page, waiting for the store."""
    page_hold_form(site, phone)
    phone.locator("#hold-name").fill("Ana Ruiz")
    # Its own address each time: messages to one address are capped per day.
    phone.locator("#hold-email").fill(f"ana.{secrets.token_hex(4)}@example.com")
    phone.locator("form[action$='/hold'] input[name=consent]").check()
    phone.locator("form[action$='/hold'] button[type=submit]").tap()
    phone.wait_for_url("**/hold/**")


def page_language_switched(site, phone):
    """Tap another language in the switch: the same page comes back in it."""
    phone.goto(_landing(site)["url"])
    current = phone.locator("html").get_attribute("lang")
    phone.locator("[data-language-switch] a").first.tap()
    phone.wait_for_function(f"() => document.documentElement.lang !== '{current}'")


PAGES = {name.removeprefix("page_"): function for name, function in globals().items()
         if name.startswith("page_")}


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize(("theme_name", "locale"), COMBINATIONS)
def test_shopper_page_meets_wcag_22_aa(site, phone_for, theme_name, locale, page_name):
    site.use_theme(theme_name)
    phone = phone_for(locale)
    PAGES[page_name](site, phone)
    assert_no_violations(phone, f"{page_name} page, language {locale}, theme {theme_name}")


# Which audited page shows each shopper route's answer (GET routes that answer HTML).
AUDITED_ROUTES = {
    "shopper.landing": "every landing page, retired_tag, unknown_tag",
    "shopper.choose_language": "language_switched",
    "alerts.alerts_form": "alerts_form",
    "alerts.alerts_confirm": "alerts_confirm, alerts_confirmed, link_does_not_work",
    "alerts.alerts_unsubscribe": "alerts_unsubscribe, alerts_unsubscribed",
    "offers.coupon": "coupon, coupon_not_on_this_phone",
    "wishlist.wishlist": "wishlist_empty, wishlist_saved, wishlist_link_sent",
    "wishlist.wishlist_link": "wishlist_link_opened",
    "assist.ask_form": "ask_form, ask_refused",
    "assist.request_page": "ask_sent",
    "assist.hold_form": "hold_form, hold_refused",
    "assist.hold_page": "hold_placed",
}
# Shopper routes that answer no page: images, the GS1 resolver's redirects and linksets.
NOT_PAGES = {"shopper.share_image", "shopper.resolver.tag_digital_link",
             "shopper.resolver.product_digital_link", "shopper.resolver.resolver_description",
             "tags.tag_png", "tags.tag_svg", "assist.request_state"}
SHOPPER_PREFIXES = ("/t/", "/T/", "/coupon", "/wishlist", "/alerts", "/lang", "/01/",
                    "/.well-known/gs1resolver", "/tags/")


def test_every_shopper_page_is_audited(site):
    shopper_gets = {rule.endpoint for rule in site.app.url_map.iter_rules()
                    if rule.rule.startswith(SHOPPER_PREFIXES) and "GET" in rule.methods}
    unaudited = shopper_gets - set(AUDITED_ROUTES) - NOT_PAGES
    assert not unaudited, (f"shopper pages without an axe audit: {sorted(unaudited)}; add a "
                           "page_... function to tests/e2e/test_phone_axe.py")
    for pages in AUDITED_ROUTES.values():
        for name in pages.split(", "):
            assert name == "every landing page" or name in PAGES, name
