"""Shoppers rate a page and say if it helped; merchandisers read it per listing."""

from __future__ import annotations

from qrshop.extensions import db
from tests.factories import login, make_shop, make_tag, make_user, make_vendor
from tests.helpers import form_fields, new_phone


def _send(phone, tag, **answers):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return phone.post(f"/t/{tag.code}/feedback",
                      data={**form_fields(html, f"/t/{tag.code}/feedback"), **answers})


def test_feedback_reaches_the_merchandiser(app, client):
    tag = make_shop().tag
    assert _send(client, tag, rating="5", helpful="yes", comment="Great fit").status_code == 303
    _send(new_phone(app), tag, rating="3", helpful="no")
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    html = staff.get("/console/feedback").get_data(as_text=True)
    assert "Trail Widget" in html and "<td>2</td><td>4.0</td><td>1</td><td>1</td>" in html
    assert "“Great fit” (5★)" in html


def test_sending_again_replaces_the_shoppers_answer(app, client):
    tag = make_shop().tag
    _send(client, tag, rating="2")
    _send(client, tag, rating="4", comment="Changed my mind")
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    html = staff.get("/console/feedback").get_data(as_text=True)
    assert "<td>1</td><td>4.0</td>" in html


def test_bad_feedback_is_refused(client):
    tag = make_shop().tag
    assert _send(client, tag, rating="9").status_code == 422
    assert _send(client, tag).status_code == 422
    assert _send(client, tag, comment="x" * 1001).status_code == 422


def test_feedback_is_rate_limited_per_shopper(app, client):
    tag = make_shop().tag
    statuses = [_send(client, tag, helpful="yes").status_code for _ in range(11)]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429
    assert _send(new_phone(app), tag, helpful="yes").status_code == 303


def test_vendors_see_feedback_on_their_products_without_shoppers(app, client):
    shop = make_shop()
    other_vendor = make_vendor("rival")
    rival_tag = make_tag(shop.retailer, shop.store, other_vendor, name="Rival Thing")
    db.session.commit()
    for phone, fields in ((client, {"rating": "4", "comment": "Nice and light"}),
                          (new_phone(app), {"rating": "2", "helpful": "no"})):
        html = phone.get(f"/t/{shop.tag.code}").get_data(as_text=True)
        phone.post(f"/t/{shop.tag.code}/feedback",
                   data={**form_fields(html, f"/t/{shop.tag.code}/feedback"), **fields})
    html = client.get(f"/t/{rival_tag.code}").get_data(as_text=True)
    client.post(f"/t/{rival_tag.code}/feedback",
                data={**form_fields(html, f"/t/{rival_tag.code}/feedback"), "rating": "1",
                      "comment": "Rival secret"})
    staff = new_phone(app)
    login(staff, make_user("vendor", vendor_slug="widgetco").email)
    page = staff.get("/vendor/feedback").get_data(as_text=True)
    assert "Trail Widget" in page and "Acme" in page
    assert "<td>2</td><td>3.0</td><td>0</td><td>1</td>" in page
    assert "“Nice and light” (4★)" in page
    assert "Rival" not in page and "NYC01" not in page
    assert client.get("/vendor/feedback").status_code in (302, 401)
