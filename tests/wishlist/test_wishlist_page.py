"""The /wishlist page: a picture of each item, where it was seen, and removing one item."""

from __future__ import annotations

import re

from sqlalchemy import select

from qrshop.content.models import ContentRevision
from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem
from tests.content.helpers import go_live, make_scene
from tests.factories import make_shop, make_tag
from tests.helpers import form_fields, new_phone


def _save(phone, tag):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    response = phone.post(f"/t/{tag.code}/save", data=form_fields(html, f"/t/{tag.code}/save"))
    assert response.status_code == 303


def _items(html: str) -> list[str]:
    return re.findall(r"<li data-wishlist-item.*?</li>", html, re.S)


def test_each_item_shows_its_picture_and_the_store_where_it_was_seen(client):
    scene = make_scene()
    go_live(scene, "spotlight")
    _save(client, scene.tag)
    cap = make_tag(scene.retailer, scene.tag.store, scene.product.vendor, name="Plain Cap")
    db.session.commit()
    _save(client, cap)
    html = client.get("/wishlist").get_data(as_text=True)
    plain, widget = _items(html)  # the latest save first
    # The live hero image's smallest variant, sized so the list does not jump.
    revision = db.session.get(ContentRevision, scene.tag.listing.live_revision_id)
    thumbnail = revision.slots["hero_image"]["jpg"][0][1]
    assert f'<img class="thumb" src="/media/{thumbnail}" width="64" height="64" alt=""' in widget
    assert "Seen at Store NYC01" in widget and "Trail Widget" in widget
    with client.get(f"/media/{thumbnail}") as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
    # An item without content shows its initial instead of a broken image.
    assert "<img" not in plain and '<span class="thumb" aria-hidden="true">P</span>' in plain


def test_remove_takes_one_item_off_and_keeps_the_others(client):
    shop = make_shop()
    cap = make_tag(shop.retailer, shop.store, shop.vendor, name="Plain Cap")
    db.session.commit()
    _save(client, shop.tag)
    _save(client, cap)
    html = client.get("/wishlist").get_data(as_text=True)
    fields = form_fields(html, "/wishlist/remove")  # the first item's form: Plain Cap
    assert fields["listing"] == str(cap.listing_id)
    assert 'aria-label="Remove Plain Cap from my wish list"' in html
    response = client.post("/wishlist/remove", data=fields)
    assert response.status_code == 303 and response.headers["Location"] == "/wishlist?removed=1"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Removed from your wish list." in html
    assert [("Plain Cap" in item, "Trail Widget" in item) for item in _items(html)] == [
        (False, True)]
    # The row stays, marked removed (analytics still count the add); the landing page says
    # the item can be saved again.
    removed = db.session.scalar(select(WishlistItem).where(
        WishlistItem.listing_id == cap.listing_id))
    assert removed.removed_at is not None
    assert "♡ Save" in client.get(f"/t/{cap.code}?via=test").get_data(as_text=True)


def test_remove_needs_the_form_token_and_touches_only_the_callers_items(app, client):
    shop = make_shop()
    _save(client, shop.tag)
    html = client.get("/wishlist").get_data(as_text=True)
    fields = form_fields(html, "/wishlist/remove")
    # Without the page's token (a cross-site form): refused, nothing removed.
    assert client.post("/wishlist/remove",
                       data={"listing": fields["listing"]}).status_code == 400
    # Another phone, with its own valid token, cannot remove this shopper's item.
    stranger = new_phone(app)
    _save(stranger, make_tag(shop.retailer, shop.store, shop.vendor, name="Other Thing"))
    theirs = form_fields(stranger.get("/wishlist").get_data(as_text=True), "/wishlist/remove")
    response = stranger.post("/wishlist/remove", data={**theirs, "listing": fields["listing"]})
    assert response.status_code == 404
    assert db.session.scalar(select(WishlistItem.removed_at).where(
        WishlistItem.listing_id == int(fields["listing"]))) is None
    assert "Trail Widget" in client.get("/wishlist").get_data(as_text=True)
    # Nonsense ids are a 404 page too, not an error.
    assert client.post("/wishlist/remove", data={**fields, "listing": "x"}).status_code == 404
