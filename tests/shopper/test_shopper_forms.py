"""The landing page's forms carry a CSRF token bound to the shopper, not to a session."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem
from tests.factories import make_shop
from tests.helpers import form_fields, new_phone


def _saved() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WishlistItem))


def _save_form(phone, tag) -> dict:
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return form_fields(html, f"/t/{tag.code}/save")


def test_a_scan_sets_the_shopper_cookie_and_no_session_and_its_forms_work(app, client):
    tag = make_shop().tag
    response = client.get(f"/t/{tag.code}")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("qs")  # the shopper, no session cookie
    fields = form_fields(response.get_data(as_text=True), f"/t/{tag.code}/save")
    assert client.post(f"/t/{tag.code}/save", data=fields).status_code == 303
    assert _saved() == 1


def test_another_shoppers_token_or_a_made_up_one_is_refused(app, client):
    tag = make_shop().tag
    mine = _save_form(client, tag)
    other_phone = new_phone(app)
    theirs = _save_form(other_phone, tag)
    assert mine["csrf_token"] != theirs["csrf_token"]
    assert client.post(f"/t/{tag.code}/save", data=theirs).status_code == 400
    assert client.post(f"/t/{tag.code}/save",
                       data={**mine, "csrf_token": "0" * 64}).status_code == 400
    assert client.post(f"/t/{tag.code}/save", data={"action": "save"}).status_code == 400
    assert _saved() == 0
    # A cross-site page cannot send the shopper's cookie with its forged form at all.
    stranger = new_phone(app)
    assert stranger.post(f"/t/{tag.code}/save", data=mine).status_code == 400
    assert _saved() == 0


def test_an_uncounted_visit_without_a_shopper_gets_a_working_session_token(app, client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}?via=store").get_data(as_text=True)
    fields = form_fields(html, f"/t/{tag.code}/save")
    assert client.post(f"/t/{tag.code}/save", data=fields).status_code == 303
    assert _saved() == 1
