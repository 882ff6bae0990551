"""Shoppers rate a page and say if it helped; merchandisers read it per listing."""

from __future__ import annotations

from tests.engagement.helpers import form_fields, new_phone
from tests.factories import login, make_shop, make_user


def _send(phone, tag, **answers):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return phone.post(f"/t/{tag.code}/feedback",
                      data={**form_fields(html, f"/t/{tag.code}/feedback"), **answers})


def test_feedback_reaches_the_merchandiser(app, client):
    *_, tag = make_shop()
    assert _send(client, tag, rating="5", helpful="yes", comment="Great fit").status_code == 303
    _send(new_phone(app), tag, rating="3", helpful="no")
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    html = staff.get("/console/feedback").get_data(as_text=True)
    assert "Trail Widget" in html and "<td>2</td><td>4.0</td><td>1</td><td>1</td>" in html
    assert "“Great fit” (5★)" in html


def test_sending_again_replaces_the_shoppers_answer(app, client):
    *_, tag = make_shop()
    _send(client, tag, rating="2")
    _send(client, tag, rating="4", comment="Changed my mind")
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    html = staff.get("/console/feedback").get_data(as_text=True)
    assert "<td>1</td><td>4.0</td>" in html


def test_bad_feedback_is_refused(client):
    *_, tag = make_shop()
    assert _send(client, tag, rating="9").status_code == 422
    assert _send(client, tag).status_code == 422
    assert _send(client, tag, comment="x" * 1001).status_code == 422


def test_feedback_is_rate_limited_per_shopper(app, client):
    *_, tag = make_shop()
    statuses = [_send(client, tag, helpful="yes").status_code for _ in range(11)]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429
    assert _send(new_phone(app), tag, helpful="yes").status_code == 303
