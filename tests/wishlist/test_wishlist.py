"""Saving items from landing pages and the shopper's /wishlist."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem
from tests.factories import make_retailer, make_shop, make_store, make_tag, make_vendor
from tests.helpers import claim_coupon, form_fields, make_offer, new_phone


def _save(phone, tag, **headers):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return phone.post(f"/t/{tag.code}/save", data=form_fields(html, f"/t/{tag.code}/save"),
                      headers=headers)


def _items():
    return db.session.scalar(select(func.count()).select_from(WishlistItem))


def test_save_without_javascript_then_the_page_and_wishlist_show_it(client):
    tag = make_shop().tag
    response = _save(client, tag)
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/t/{tag.code}?via=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "♥ Saved" in page and 'value="remove"' in page
    wishlist = client.get("/wishlist").get_data(as_text=True)
    assert "Trail Widget" in wishlist and "Seen at Store NYC01" in wishlist and "$49.99" in wishlist
    assert "Acme" in wishlist


def test_saving_twice_keeps_one_item_and_remove_removes_it(client):
    tag = make_shop().tag
    _save(client, tag)
    html = client.get(f"/t/{tag.code}?via=test").get_data(as_text=True)
    fields = form_fields(html, f"/t/{tag.code}/save")
    client.post(f"/t/{tag.code}/save", data={**fields, "action": "save"})
    assert _items() == 1
    client.post(f"/t/{tag.code}/save", data=fields)  # the form now says remove
    assert "Trail Widget" not in client.get("/wishlist").get_data(as_text=True)
    # The row stays, marked removed, so analytics still count the add.
    assert _items() == 1
    assert db.session.scalar(select(WishlistItem.removed_at)) is not None
    html = client.get(f"/t/{tag.code}?via=test").get_data(as_text=True)
    assert 'value="save"' in html
    client.post(f"/t/{tag.code}/save", data={**form_fields(html, f"/t/{tag.code}/save"),
                                             "action": "save"})
    assert "Trail Widget" in client.get("/wishlist").get_data(as_text=True)
    assert _items() == 1


def test_save_by_fetch_answers_json(client):
    tag = make_shop().tag
    response = _save(client, tag, Accept="application/json")
    assert response.status_code == 200 and response.get_json() == {"saved": True}


def test_wishlist_lists_each_retailer_and_the_claimed_coupons(app, client):
    shop = make_shop()
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Boot")
    other = make_retailer("bigbox", name="BigBox")
    bigbox_tag = make_tag(other, make_store(other, "SEA01"), make_vendor("gizmo"),
                          name="Gizmo Lamp")
    db.session.commit()
    make_offer(shop.retailer, title="Ten percent", percent_off=10)
    _save(client, shop.tag)
    _save(client, boston)
    _save(client, bigbox_tag)
    code = claim_coupon(client, shop.tag)
    html = client.get("/wishlist").get_data(as_text=True)
    assert "Acme" in html and "BigBox" in html
    assert "Seen at Store BOS01" in html and "Gizmo Lamp" in html
    assert code in html and "Ten percent" in html


def test_one_shopper_cannot_see_or_change_another_shoppers_wishlist(app, client):
    tag = make_shop().tag
    _save(client, tag)
    stranger = new_phone(app)
    assert "Trail Widget" not in stranger.get("/wishlist").get_data(as_text=True)
    html = stranger.get(f"/t/{tag.code}").get_data(as_text=True)
    assert "♡ Save" in html  # not the first shopper's saved state
    stranger.post(f"/t/{tag.code}/save", data={**form_fields(html, f"/t/{tag.code}/save"),
                                                "action": "remove"})
    assert _items() == 1
    assert "Trail Widget" in client.get("/wishlist").get_data(as_text=True)


def test_empty_wishlist_says_how_to_save(client):
    assert "Tap <strong>Save</strong>" in client.get("/wishlist").get_data(as_text=True)
