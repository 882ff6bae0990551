"""Refusals, links that fail and error pages in the shopper's language: no English message
of the catalogue leaks onto a Spanish or French shopper page, and the API stays English."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from qrshop.errors import InvalidInput
from qrshop.i18n import LOCALE_COOKIE
from tests.factories import make_shop
from tests.helpers import claim_coupon, coupon_form, form_fields, make_offer

TRANSLATIONS = Path(__file__).resolve().parents[2] / "qrshop" / "translations"
TRANSLATED = ["es", "fr"]


def _catalogue(locale: str) -> dict[str, str]:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return {message.id: message.string for message in read_po(file, locale=locale)
                if isinstance(message.id, str) and message.id}


def english_leaks(page: str, locale: str) -> list[str]:
    """The catalogue's English sentences shown on a page that should be in `locale`: each
    msgid (its text around placeholders) whose translation differs and that the page shows."""
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page))
    text = re.sub(r"\s+", " ", text)
    leaks = []
    for msgid, translation in _catalogue(locale).items():
        if translation == msgid:
            continue
        for piece in re.split(r"%\(\w+\)s", msgid):
            piece = piece.strip(" .,:;")
            if len(piece) >= 12 and piece in text:  # short words are shared ("Email")
                leaks.append(msgid)
                break
    return leaks


@pytest.fixture(params=TRANSLATED)
def locale(request, client):
    """The phone's chosen language (the switch's cookie)."""
    client.set_cookie(LOCALE_COOKIE, request.param)
    return request.param


def _post(client, tag, form: str, fields: dict, page: str = ""):
    html = client.get(f"/t/{tag.code}{page}").get_data(as_text=True)
    action = f"/t/{tag.code}/{form}"
    return client.post(action, data={**form_fields(html, action), **fields})


def _shown(response, locale: str, *expected: str) -> str:
    page = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == locale
    assert f'<html lang="{locale}">' in page
    assert english_leaks(page, locale) == []
    for text in expected:
        assert text in html_module.unescape(page), text
    return page


SAID = {  # a few of the translations, as a shopper reads them
    "empty_feedback": {"es": "Elija estrellas, responda la pregunta o escriba un comentario.",
                       "fr": "Choisissez des étoiles, répondez à la question ou écrivez un "
                             "commentaire."},
    "long_comment": {"es": "El comentario puede tener hasta 1000 caracteres; tiene 1001.",
                     "fr": "Le commentaire peut compter 1000 caractères au plus ; il en a 1001."},
    "bad_phone": {"es": "Escriba el número de móvil con su prefijo de país",
                  "fr": "Indiquez le numéro de mobile avec son indicatif de pays"},
    "link": {"es": "Este enlace no funciona", "fr": "Ce lien ne fonctionne pas"},
    "coupon_elsewhere": {"es": "Este cupón no está en este teléfono.",
                         "fr": "Ce bon n’est pas sur ce téléphone."},
    "not_found": {"es": "No encontrado", "fr": "Introuvable"},
    "removed": {"es": "Quitado de su lista de deseos.", "fr": "Retiré de votre liste d’envies."},
    "already": {"es": "Ya tiene este cupón.", "fr": "Vous avez déjà ce bon."},
}


def test_the_leak_check_finds_english(locale):
    assert english_leaks("<p>Sorry, this offer has ended.</p>", locale) == [
        "Sorry, this offer has ended."]
    assert english_leaks("<p>Keep the comment to 1000 characters; it has 1001.</p>", locale)


def test_feedback_refusals_are_in_the_shoppers_language(client, locale):
    tag = make_shop().tag
    _shown(_post(client, tag, "feedback", {}), locale, SAID["empty_feedback"][locale])
    _shown(_post(client, tag, "feedback", {"comment": "x" * 1001}), locale,
           SAID["long_comment"][locale])
    # The page's script gets the same words.
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    answer = client.post(f"/t/{tag.code}/feedback", headers={"Accept": "application/json"},
                         data=form_fields(html, f"/t/{tag.code}/feedback"))
    assert answer.status_code == 422
    assert answer.get_json()["message"] == SAID["empty_feedback"][locale]


def test_alert_sign_up_refusals_are_in_the_shoppers_language(client, locale):
    tag = make_shop().tag
    response = _post(client, tag, "alerts", {"phone": "+1 555", "consent": "yes",
                                             "topics": "price_drop"}, page="/alerts")
    assert response.status_code == 422
    page = _shown(response, locale, SAID["bad_phone"][locale])
    assert "+1 555" in page  # the number typed, kept in the sentence and the field


def test_a_coupon_claimed_twice_and_one_not_on_this_phone(client, locale):
    shop = make_shop()
    make_offer(shop.retailer)
    form = coupon_form(client, shop.tag)
    claim_coupon(client, shop.tag)
    response = client.post(f"/t/{shop.tag.code}/coupon", data=form)  # the page kept open
    assert response.status_code == 409
    _shown(response, locale, SAID["already"][locale])
    response = client.get("/coupon/ABCD-2345")
    assert response.status_code == 404
    _shown(response, locale, SAID["coupon_elsewhere"][locale], SAID["not_found"][locale])


def test_links_that_do_not_work_and_wish_list_messages(client, locale):
    make_shop()
    for path in ("/alerts/confirm/forged", "/alerts/unsubscribe/forged",
                 "/wishlist/link/forged"):
        response = client.get(path)
        assert response.status_code == 404, path
        _shown(response, locale, SAID["link"][locale])
    _shown(client.get("/wishlist?removed=1"), locale, SAID["removed"][locale])
    _shown(client.get("/wishlist?sent=1"), locale)
    _shown(client.get("/t/ZZZZ2345"), locale)
    response = client.get("/lang/xx")
    assert response.status_code == 404
    _shown(response, locale, SAID["not_found"][locale])


def test_the_api_keeps_english(client):
    client.set_cookie(LOCALE_COOKIE, "es")
    error = InvalidInput("Keep the comment to %(limit)s characters; it has %(length)s.",
                         values={"limit": 1000, "length": 1001})
    assert error.message == "Keep the comment to 1000 characters; it has 1001."
    response = client.get("/api/v1/openapi.json?x=1", headers={"Accept-Language": "es"})
    assert response.status_code == 200
    response = client.post("/api/v1/redemptions", json={}, headers={"Accept-Language": "es"})
    assert response.status_code in (401, 403)
    assert response.get_json()["message"].isascii()
