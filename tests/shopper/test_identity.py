"""Shopper identity: a scan mints the id in the cookie; the row is written on first use."""

from __future__ import annotations

import re

from sqlalchemy import select

from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper
from qrshop.wishlist.models import WishlistItem
from tests.factories import csrf_token, make_retailer, make_shop, make_store, make_tag
from tests.helpers import form_fields, new_phone


def _shopper_cookie(response, retailer) -> str:
    """The shopper id a response's Set-Cookie gives for this retailer."""
    cookie = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith(f"qs{retailer.id}="))
    return cookie.split("=", 1)[1].split(".", 1)[0]


def _save(phone, tag):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return phone.post(f"/t/{tag.code}/save", data=form_fields(html, f"/t/{tag.code}/save"))


def test_saving_writes_the_shopper_the_scan_minted(app):
    shop = make_shop()
    phone = new_phone(app)
    shopper_id = _shopper_cookie(phone.get(f"/t/{shop.tag.code}"), shop.retailer)
    assert db.session.get(Shopper, shopper_id) is None

    saved = _save(phone, shop.tag)

    assert saved.status_code == 303 and "Set-Cookie" not in saved.headers
    shopper = db.session.get(Shopper, shopper_id)
    assert shopper.retailer_id == shop.retailer.id
    assert db.session.scalar(select(WishlistItem.shopper_id)) == shopper_id
    assert {scan.shopper_id for scan in db.session.scalars(select(Scan))} == {shopper_id}


def test_a_cookie_copied_to_another_retailer_gets_its_own_shopper(app):
    shop = make_shop()
    other = make_retailer("globex")
    other_tag = make_tag(other, make_store(other, "GLX01"), shop.vendor, name="Globex Lamp")
    db.session.commit()
    phone = new_phone(app)
    assert _save(phone, shop.tag).status_code == 303
    acme_id = db.session.scalar(select(WishlistItem.shopper_id))
    signed = app.extensions["qrshop.shopper_cookie"].dumps(acme_id)
    phone.set_cookie(f"qs{other.id}", signed)  # Acme's shopper under Globex's name

    saved = _save(phone, other_tag)

    assert saved.status_code == 303
    globex_id = _shopper_cookie(saved, other)
    assert globex_id != acme_id
    assert db.session.get(Shopper, globex_id).retailer_id == other.id
    assert db.session.get(Shopper, acme_id).retailer_id == shop.retailer.id
    wishlist = phone.get("/wishlist").get_data(as_text=True)
    assert "Trail Widget" in wishlist and "Globex Lamp" in wishlist


def test_a_device_that_only_scanned_joins_the_wish_list_by_magic_link(app):
    shop = make_shop()
    laptop, phone = new_phone(app), new_phone(app)
    assert _save(laptop, shop.tag).status_code == 303
    phone_id = _shopper_cookie(phone.get(f"/t/{shop.tag.code}"), shop.retailer)  # no row yet
    laptop.post("/wishlist/link", data={"csrf_token": csrf_token(laptop, "/wishlist"),
                                        "email": "shopper@example.com"})
    body = db.session.scalars(select(OutboxMessage.body)).all()[-1]
    path = re.search(r"https?://[^/\s]+(/wishlist/link/\S+)", body).group(1)
    # The laptop that asked joins with the code from the email.
    assert laptop.post("/wishlist/code", data={
        "csrf_token": csrf_token(laptop, "/wishlist"),
        "code": re.search(r"code: (\d{6})", body).group(1)}).status_code == 303

    page = phone.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    opened = phone.post(path, data={"csrf_token": token})

    assert opened.status_code == 303
    assert not any(value.startswith(f"qs{shop.retailer.id}=")
                   for value in opened.headers.getlist("Set-Cookie"))  # kept its identity
    assert db.session.get(Shopper, phone_id).email == "shopper@example.com"
    assert "Trail Widget" in phone.get("/wishlist").get_data(as_text=True)
