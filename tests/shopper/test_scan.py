"""The scan: a shopper's phone opens a tag URL; bots and repeats are told apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.services import retire_tag
from tests.factories import make_shop, make_tag


def _scans(**filters):
    return db.session.scalars(select(Scan).filter_by(**filters).order_by(Scan.id)).all()


def _counted():
    return db.session.scalar(select(func.count()).select_from(Scan).where(Scan.is_bot.is_(False)))


def test_scan_shows_the_branded_landing_page_and_records_one_scan(client):
    shop = make_shop()
    response = client.get(f"/T/{shop.tag.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1 data-product-name>Trail Widget</h1>" in html
    assert "$49.99" in html
    assert "Widgetco" in html  # the vendor
    assert "--primary:#123456" in html  # the retailer's colours
    assert "Acme" in html
    assert response.headers["Cache-Control"] == "no-store"

    [scan] = _scans()
    assert (scan.tag_id, scan.listing_id, scan.store_id, scan.retailer_id) == (
        shop.tag.id, shop.tag.listing_id, shop.store.id, shop.retailer.id)
    assert scan.is_bot is False and scan.is_repeat is False
    assert scan.shopper_id is not None


def test_lower_case_path_and_code_resolve_too(client):
    tag = make_shop().tag
    assert client.get(f"/t/{tag.code.lower()}").status_code == 200
    assert client.get(f"/T/{tag.code.lower()}").status_code == 200
    assert len(_scans(tag_id=tag.id)) == 2


def test_shopper_gets_a_signed_http_only_cookie(client):
    shop = make_shop()
    response = client.get(f"/t/{shop.tag.code}")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"qs{shop.retailer.id}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    shopper_id = _scans()[0].shopper_id
    # The cookie carries the id and a signature, not just the id.
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value.startswith(shopper_id + ".") and len(value) > len(shopper_id) + 10


def test_a_second_scan_within_30_minutes_is_a_repeat(client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}")
    response = client.get(f"/t/{tag.code}")
    # The same shopper is recognised: no new shopper cookie.
    assert not any(cookie.startswith("qs") for cookie in response.headers.getlist("Set-Cookie"))
    first, second = _scans()
    assert first.shopper_id == second.shopper_id
    assert (first.is_repeat, second.is_repeat) == (False, True)
    assert _counted() == 2  # repeats are still counted scans


def test_a_scan_after_30_minutes_is_not_a_repeat(client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}")
    [scan] = _scans()
    scan.scanned_at -= timedelta(minutes=31)
    db.session.commit()
    client.get(f"/t/{tag.code}")
    assert [scan.is_repeat for scan in _scans()] == [False, False]


def test_another_tag_or_another_shopper_is_not_a_repeat(app, client):
    shop = make_shop()
    other_tag = make_tag(shop.retailer, shop.store, shop.vendor, name="Other")
    db.session.commit()
    client.get(f"/t/{shop.tag.code}")
    client.get(f"/t/{other_tag.code}")
    second_phone = app.test_client()
    second_phone.get(f"/t/{shop.tag.code}", headers={"User-Agent": client.environ_base[
        "HTTP_USER_AGENT"]})
    assert [scan.is_repeat for scan in _scans()] == [False, False, False]
    assert len({scan.shopper_id for scan in _scans()}) == 2


def test_a_tampered_cookie_is_ignored(client, app):
    shop = make_shop()
    client.set_cookie(f"qs{shop.retailer.id}", "someone-else.forged-signature")
    response = client.get(f"/t/{shop.tag.code}")
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers
    assert _scans()[0].shopper_id != "someone-else"


def test_a_scan_mints_a_shopper_id_and_writes_no_shopper_row(client, app):
    shop = make_shop()
    response = client.get(f"/t/{shop.tag.code}")
    [scan] = _scans()
    assert response.headers["Set-Cookie"].startswith(f"qs{shop.retailer.id}={scan.shopper_id}.")
    assert db.session.scalar(select(func.count()).select_from(Shopper)) == 0


def test_a_cookie_whose_shopper_has_no_row_keeps_its_identity(client, app):
    shop = make_shop()
    signed = app.extensions["qrshop.shopper_cookie"].dumps("gone-after-restore")
    client.set_cookie(f"qs{shop.retailer.id}", signed)
    response = client.get(f"/t/{shop.tag.code}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    [scan] = _scans()
    assert scan.shopper_id == "gone-after-restore"


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "",
    ],
)
def test_crawlers_and_link_previewers_are_not_counted(client, user_agent):
    tag = make_shop().tag
    response = client.get(f"/t/{tag.code}", headers={"User-Agent": user_agent})
    assert response.status_code == 200  # a link preview still gets the branded page
    assert "Set-Cookie" not in response.headers
    [scan] = _scans()
    assert scan.is_bot is True and scan.bot_reason in ("crawler", "no-agent")
    assert _counted() == 0


def test_head_requests_are_not_counted(client):
    tag = make_shop().tag
    assert client.head(f"/t/{tag.code}").status_code == 200
    [scan] = _scans()
    assert (scan.is_bot, scan.bot_reason) == (True, "head")
    assert _counted() == 0


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"},
     {"Purpose": "prefetch"}, {"X-Moz": "prefetch"}],
)
def test_browser_prefetches_are_not_counted(client, headers):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}", headers=headers)
    [scan] = _scans()
    assert (scan.is_bot, scan.bot_reason) == (True, "prefetch")
    assert _counted() == 0


def test_a_bot_between_two_scans_does_not_break_repeat_detection(client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}")
    client.head(f"/t/{tag.code}")
    client.get(f"/t/{tag.code}")
    assert [(s.is_bot, s.is_repeat) for s in _scans()] == [
        (False, False), (True, False), (False, True)]


def test_unknown_code_is_a_404_and_an_orphan_scan(client):
    make_shop()
    response = client.get("/t/ZZZZ9999")
    assert response.status_code == 404
    assert b"recognise this tag" in response.data
    [scan] = _scans()
    assert (scan.tag_id, scan.orphan_code, scan.is_bot) == (None, "ZZZZ9999", False)


def test_garbage_code_is_a_404_without_error(client):
    response = client.get("/t/" + "%3Cscript%3E" * 5)
    assert response.status_code == 404
    assert b"<script>" not in response.data
    assert client.get("/t/" + "A" * 500).status_code == 404


def test_retired_tag_is_a_branded_410_linking_to_other_items(client):
    shop = make_shop()
    sibling = make_tag(shop.retailer, shop.store, shop.vendor, name="Sibling Widget",
                       price_cents=1500)
    make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Only")
    retire_tag(shop.tag)
    db.session.commit()

    response = client.get(f"/t/{shop.tag.code}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "no longer here" in html
    assert "--primary:#123456" in html
    assert f'href="/t/{sibling.code}?via=store"' in html and "$15.00" in html
    assert "Boston Only" not in html  # only this store's items
    # Following a link from our own page is a visit, not a shelf scan.
    scans_before = len(_scans())
    assert client.get(f"/t/{sibling.code}?via=store").status_code == 200
    assert len(_scans()) == scans_before


def test_no_ip_address_is_stored(client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}", environ_base={"REMOTE_ADDR": "203.0.113.77"},
               headers={"X-Forwarded-For": "198.51.100.9"})
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            text = " ".join(str(value) for value in row)
            assert "203.0.113.77" not in text and "198.51.100.9" not in text


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
PIXEL = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0 Mobile Safari/537.36")
GALAXY_TAB = ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Safari/537.36")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1")
DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0 Safari/537.36")


@pytest.mark.parametrize(("user_agent", "device"), [
    (IPHONE, "phone"), (PIXEL, "phone"), (GALAXY_TAB, "tablet"), (IPAD, "tablet"),
    (DESKTOP, "desktop"),
])
def test_a_scan_keeps_the_device_class_never_the_user_agent(client, user_agent, device):
    shop = make_shop()
    assert client.get(f"/T/{shop.tag.code}",
                      headers={"User-Agent": user_agent}).status_code == 200
    [scan] = _scans()
    assert scan.device == device
    stored = [str(value) for value in db.session.execute(select(Scan.__table__)).one()]
    assert not any("Mozilla" in value for value in stored)


def test_the_shopper_pseudonym_is_stable_per_retailer_and_unlinkable_across(app):
    from qrshop.security import shopper_pseudonym

    with app.app_context():
        first = shopper_pseudonym(1, "abc")
        assert first == shopper_pseudonym(1, "abc") and len(first) == 32
        assert first != shopper_pseudonym(2, "abc") and first != shopper_pseudonym(1, "abd")
        assert "abc" not in first
