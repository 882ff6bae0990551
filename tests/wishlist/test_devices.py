"""One wish list on every device (magic link), and showing it at the counter."""

from __future__ import annotations

import re

from sqlalchemy import select

from qrshop import tokens
from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from tests.factories import (
    csrf_token,
    login,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
)
from tests.helpers import claim_coupon, form_fields, make_offer, new_phone

BASE = "https://qr.example.com"


def _save(phone, tag):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    assert phone.post(f"/t/{tag.code}/save",
                      data=form_fields(html, f"/t/{tag.code}/save")).status_code == 303


def _ask_for_link(phone, email="shopper@example.com"):
    return phone.post("/wishlist/link", data={"csrf_token": csrf_token(phone, "/wishlist"),
                                              "email": email})


def _emailed_link() -> str:
    body = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()[-1]
    return re.search(BASE + r"(/wishlist/link/\S+)", body).group(1)


def _open_link(phone, path):
    page = phone.get(path)
    assert page.status_code == 200 and "Yes, show my wish list" in page.get_data(as_text=True)
    return phone.post(path, data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)})


def test_magic_link_opens_the_wish_list_on_another_device(app, client, runner, smtp_server):
    shop = make_shop()
    make_offer(shop.retailer, title="Ten percent", percent_off=10)
    _save(client, shop.tag)
    code = claim_coupon(client, shop.tag)
    response = _ask_for_link(client)
    assert response.status_code == 303
    assert "Check your inbox" in client.get(response.headers["Location"]).get_data(as_text=True)
    runner.invoke(args=["outbox", "send"])
    (mail,) = smtp_server.messages
    assert mail["To"] == "shopper@example.com"
    path = re.search(BASE + r"(/wishlist/link/\S+)", mail.get_content()).group(1)
    # The phone that asked joins with the code from the email (here before the link opens).
    typed = client.post("/wishlist/code", data={
        "csrf_token": csrf_token(client, "/wishlist"),
        "code": re.search(r"code: (\d{6})", mail.get_content()).group(1)})
    assert typed.status_code == 303

    laptop = new_phone(app)
    assert "Trail Widget" not in laptop.get("/wishlist").get_data(as_text=True)
    opened = _open_link(laptop, path)
    assert opened.status_code == 303 and opened.headers["Location"] == "/wishlist"
    html = laptop.get("/wishlist").get_data(as_text=True)
    assert "Trail Widget" in html and code in html
    assert laptop.get(f"/coupon/{code}").status_code == 200

    # Saved on the laptop: the phone sees it too, each item once.
    boots = make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Boots")
    db.session.commit()
    _save(laptop, boots)
    _save(laptop, shop.tag)
    phone_html = client.get("/wishlist").get_data(as_text=True)
    assert "Trail Boots" in phone_html and phone_html.count("<strong>Trail Widget</strong>") == 1


def test_a_new_device_can_fetch_a_list_by_email(app, client):
    tag = make_shop().tag
    _save(client, tag)
    _ask_for_link(client)
    _open_link(client, _emailed_link())  # verifies the address on the first phone
    tablet = new_phone(app)
    assert _ask_for_link(tablet).status_code == 303
    _open_link(tablet, _emailed_link())
    assert "Trail Widget" in tablet.get("/wishlist").get_data(as_text=True)


def test_strangers_and_expired_links_see_nothing(app, client, monkeypatch):
    tag = make_shop().tag
    _save(client, tag)
    _ask_for_link(client)
    path = _emailed_link()
    stranger = new_phone(app)
    _ask_for_link(stranger, "stranger@example.com")
    _open_link(stranger, _emailed_link())
    assert "Trail Widget" not in stranger.get("/wishlist").get_data(as_text=True)
    assert stranger.get(path[:-4] + "abcd").status_code == 404
    monkeypatch.setitem(tokens.MAX_AGE, tokens.MAGIC_LINK, -1)
    assert stranger.get(path).status_code == 410
    assert "Trail Widget" not in stranger.get("/wishlist").get_data(as_text=True)


def test_a_bad_email_is_refused(client):
    tag = make_shop().tag
    _save(client, tag)
    response = _ask_for_link(client, "nope")
    assert response.status_code == 422 and "email address" in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage.id)) is None


def _counter_path(phone) -> str:
    html = phone.get("/wishlist").get_data(as_text=True)
    assert "Show at the counter" in html and "<svg" in html
    url = re.search(r'data-counter-url="([^"]+)"', html).group(1)
    return url[len(BASE):]


def test_associate_opens_the_shown_wish_list_read_only(app, client):
    tag = make_shop().tag
    _save(client, tag)
    path = _counter_path(client)
    associate = new_phone(app)
    login(associate, make_user("associate", retailer_slug="acme", store_code="NYC01").email)
    page = associate.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Trail Widget" in html and "$49.99" in html
    assert "<form" not in html.split("data-counter-wishlist")[1].split("</section>")[0]
    # Typed or scanned into the till's box, the whole URL works as well.
    typed = associate.get("/pos/wishlist", query_string={"code": BASE + path})
    assert typed.status_code == 200 and "Trail Widget" in typed.get_data(as_text=True)


def test_counter_codes_are_refused_when_expired_forged_or_of_another_retailer(
        app, client, monkeypatch):
    tag = make_shop().tag
    _save(client, tag)
    path = _counter_path(client)
    other = make_retailer("bigbox")
    make_store(other, "SEA01")
    db.session.commit()
    outsider = new_phone(app)
    login(outsider, make_user("associate", retailer_slug="bigbox", store_code="SEA01").email)
    refused = outsider.get(path)
    assert refused.status_code == 403 and "Trail Widget" not in refused.get_data(as_text=True)
    associate = new_phone(app)
    login(associate, make_user("associate", retailer_slug="acme", store_code="NYC01").email)
    assert associate.get(path[:-4] + "abcd").status_code == 404
    monkeypatch.setitem(tokens.MAX_AGE, tokens.COUNTER, -1)
    expired = associate.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert new_phone(app).get(path).status_code in (302, 401)  # shoppers cannot open it
