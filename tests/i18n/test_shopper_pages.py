"""Shopper pages in the shopper's language: the scan page (both adapters), the switch, the
coupon's store-local expiry and the alert e-mail."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop, queued_emails
from tests.helpers import claim_coupon, form_fields, make_offer, new_phone


def _phone(app, language: str = ""):
    phone = new_phone(app)
    if language:
        phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return phone


def test_a_mexican_phone_gets_the_landing_page_in_spanish_with_a_spanish_price(app):
    shop = make_shop()
    page = _phone(app, "es-MX,es;q=0.9,en;q=0.8").get(f"/t/{shop.tag.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="es">' in html
    assert page.headers["Content-Language"] == "es"
    assert "Accept-Language" in page.headers["Vary"] and "Cookie" in page.headers["Vary"]
    assert "49,99\xa0US$" in html
    assert "Guardar" in html and "Compartir" in html and "Mi lista de deseos" in html
    assert "Save" not in re.sub(r'value="[^"]*"', "", html).replace("♡ Guardar", "")


def test_a_canadian_french_phone_gets_french_and_an_unknown_language_english(app):
    shop = make_shop()
    french = _phone(app, "fr-CA").get(f"/t/{shop.tag.code}")
    assert '<html lang="fr">' in french.get_data(as_text=True)
    assert "49,99\xa0$US" in french.get_data(as_text=True)
    assert "Enregistrer" in french.get_data(as_text=True)
    german = _phone(app, "de-DE").get(f"/t/{shop.tag.code}")
    assert '<html lang="en">' in german.get_data(as_text=True)
    assert german.headers["Content-Language"] == "en"
    assert "$49.99" in german.get_data(as_text=True)


def test_the_fast_path_serves_each_language_its_own_cached_page(app):
    shop = make_shop()
    fast = app.extensions["qrshop.scan_fast_path"]
    url = f"/t/{shop.tag.code}"
    for language, word in (("es", "Guardar"), ("fr", "Enregistrer"), ("en", "Save")):
        _phone(app, language).get(url)  # rendered by Flask once in this process
        served = fast.served
        page = _phone(app, language).get(url)
        assert fast.served == served + 1, language
        assert f'<html lang="{language}">' in page.get_data(as_text=True)
        assert word in page.get_data(as_text=True)
        assert page.headers["Content-Language"] == language
        assert "Accept-Language" in page.headers["Vary"]


def test_the_switch_remembers_the_language_in_a_cookie(app):
    shop = make_shop()
    phone = _phone(app, "en-US")
    html = phone.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    switch = re.search(r"<nav class=\"lang\"[^>]*data-language-switch>(.*?)</nav>", html).group(1)
    link = re.search(r'href="(/lang/fr[^"]*)"', switch).group(1).replace("&amp;", "&")
    assert "script" not in switch
    chosen = phone.get(link)
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == f"/t/{shop.tag.code}?via=lang"
    assert "qrshop_lang=fr" in chosen.headers["Set-Cookie"]
    again = phone.get(f"/t/{shop.tag.code}")
    assert '<html lang="fr">' in again.get_data(as_text=True)
    assert phone.get("/wishlist").get_data(as_text=True).count("Ma liste d’envies") >= 1


def test_the_switch_goes_back_only_to_this_site(app):
    phone = _phone(app)
    assert phone.get("/lang/es?next=//evil.example/x").headers["Location"] == "/wishlist"
    assert phone.get("/lang/es", headers={"Referer": "https://evil.example/x"}
                     ).headers["Location"] == "/wishlist"
    assert phone.get("/lang/es", headers={"Referer": "http://localhost/wishlist?x=1"}
                     ).headers["Location"] == "/wishlist?x=1"
    refused = phone.get("/lang/de")
    assert refused.status_code == 404 and "Set-Cookie" not in refused.headers


def test_the_coupon_expires_in_the_stores_local_time_and_language(app):
    shop = make_shop()
    shop.store.timezone = "America/New_York"
    make_offer(shop.retailer, title="15% off today")
    phone = _phone(app, "es-ES")
    code = claim_coupon(phone, shop.tag)
    claim = db.session.query(CouponClaim).one()
    claim.expires_at = datetime(2027, 1, 15, 4, 30, tzinfo=UTC)
    db.session.commit()
    page = phone.get(f"/coupon/{code}")
    html = page.get_data(as_text=True)
    assert "Válido hasta el 14 ene 2027, 23:30 EST." in html
    assert "15 % de descuento" in html
    assert page.headers["Content-Language"] == "es"


def test_the_alert_confirmation_email_is_in_the_shoppers_language(app):
    shop = make_shop()
    phone = _phone(app, "fr-FR")
    html = phone.get(f"/t/{shop.tag.code}/alerts").get_data(as_text=True)
    assert "Me prévenir en cas de" in html and "Baisse de prix" in html
    data = {**form_fields(html, f"/t/{shop.tag.code}/alerts"), "topics": ["price_drop"],
            "consent": "yes", "email": "marie@example.com"}
    assert phone.post(f"/t/{shop.tag.code}/alerts", data=data).status_code in (200, 303)
    (email,) = queued_emails("marie@example.com")
    assert email.subject == "Confirmez vos alertes sur Trail Widget"
    assert "Pour activer les alertes, ouvrez ce lien" in email.body
    assert "Arrêtez ces alertes en un clic" in email.body
    confirm = re.search(r"http\S+/alerts/confirm/\S+", email.body).group(0)
    page = phone.get(confirm[confirm.index("/alerts/"):]).get_data(as_text=True)
    assert "Activer ces alertes ?" in page and "Oui, activer les alertes" in page


def test_a_bot_and_the_console_are_not_translated_by_accident(app, client):
    shop = make_shop()
    bot = app.test_client().get(f"/t/{shop.tag.code}",
                                headers={"User-Agent": "Googlebot/2.1",
                                         "Accept-Language": "es"})
    assert '<html lang="es">' in bot.get_data(as_text=True)
    login_page = client.get("/login", headers={"Accept-Language": "es",
                                                "User-Agent": MOBILE_SAFARI})
    assert "Content-Language" not in login_page.headers
