"""A Mexican and a Canadian phone: the page in Spanish or French, the switch, the save
button's scripted label in the page's language."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_phone import _demo_tags

pytestmark = pytest.mark.slow

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture
def phone_in(browser):
    """A phone whose browser asks for a language (Accept-Language from its locale)."""
    contexts = []

    def open_phone(locale: str):
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True, user_agent=IPHONE,
                                      locale=locale)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def test_a_mexican_phone_reads_spanish_and_switches_to_french(live_server, runner, phone_in):
    tag = _demo_tags(runner)[1]
    phone = phone_in("es-MX")
    phone.goto(tag["url"])
    assert phone.locator("html").get_attribute("lang") == "es"
    save = phone.locator("[data-save]")
    assert save.inner_text() == "♡ Guardar"
    save.tap()
    phone.wait_for_function(
        "() => document.querySelector('[data-save]').textContent.includes('Guardado')")
    assert "US$" in phone.locator("[data-price]").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "landing-es.png"))

    phone.locator("[data-language-switch] a[lang=fr]").tap()
    phone.wait_for_url("**via=lang")
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.locator("[data-save]").inner_text() == "♥ Enregistré"
    phone.goto(tag["url"])  # the cookie keeps French over the phone's Spanish
    assert phone.locator("html").get_attribute("lang") == "fr"


def test_a_canadian_phone_reads_french(live_server, runner, phone_in):
    tag = _demo_tags(runner)[0]
    phone = phone_in("fr-CA")
    phone.goto(tag["url"])
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.get_by_role("button", name="Obtenir le bon").count() <= 1
    assert "Partager" in phone.locator("#engage").inner_text()
