"""The associate's client book: the shopper shares it from their wish list, the associate
who scans the counter QR sees it, keeps notes and suggests items; withdrawing deletes the
notes."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from qrshop.assist import services as assist
from qrshop.assist.clientbook_models import ClientBookConsent, ClientNote
from qrshop.catalog.listings import discontinue_listing
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.services import verify_email
from qrshop.wishlist.models import WishlistItem
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


def _counter_token(phone) -> str:
    html = phone.get("/wishlist").get_data(as_text=True)
    url = re.search(r'data-counter-url="([^"]+)"', html).group(1)
    return url.rsplit("/pos/wishlist/", 1)[1]


def _share(phone, shop):
    html = phone.get("/wishlist").get_data(as_text=True)
    assert "keep notes to help me" in html
    fields = form_fields(html, "/wishlist/clientbook")
    response = phone.post("/wishlist/clientbook", data={**fields, "consent": "yes"})
    assert response.status_code == 303


def _withdraw(phone):
    html = phone.get("/wishlist").get_data(as_text=True)
    fields = form_fields(html, "/wishlist/clientbook")
    assert fields["action"] == "withdraw"
    assert phone.post("/wishlist/clientbook", data=fields).status_code == 303


def _staff(app, role="associate", email=None, retailer="acme", store="NYC01"):
    links = {"retailer_slug": retailer}
    if store:
        links["store_code"] = store
    user = make_user(role, email, **links)
    client = new_phone(app)
    login(client, user.email)
    return client


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _note(client, token, text):
    return client.post(f"/pos/clientbook/{token}/notes", data={
        "csrf_token": csrf_token(client, f"/pos/clientbook/{token}"), "note": text})


def _shopper_with_everything(app, shop):
    """A phone that saved the item, claimed a coupon and asked for help in NYC01."""
    make_offer(shop.retailer)
    phone = new_phone(app)
    _save(phone, shop.tag)
    code = claim_coupon(phone, shop.tag)
    assist.set_settings(shop.store.id, enabled=True, opening_hours="", unclaimed_minutes=5)
    db.session.commit()
    sent = phone.post(f"/t/{shop.tag.code}/ask", data={
        "csrf_token": csrf_token(phone, f"/t/{shop.tag.code}/ask"),
        "message": "Is there a <b>blue</b> one?", "reply": "come", "spot": "fitting room 3"})
    assert sent.status_code == 303
    return phone, code


def test_without_consent_the_counter_shows_only_the_wish_list(app):
    shop = make_shop()
    phone, _ = _shopper_with_everything(app, shop)
    token = _counter_token(phone)
    associate = _staff(app)
    page = associate.get(f"/pos/wishlist/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trail Widget" in html and "data-client-book" not in html
    assert "blue" not in html
    # The client book's own address sends back to the plain view.
    book = associate.get(f"/pos/clientbook/{token}")
    assert book.status_code == 303 and book.headers["Location"].endswith(
        f"/pos/wishlist/{token}")
    refused = associate.post(f"/pos/clientbook/{token}/notes", data={
        "csrf_token": csrf_token(associate, "/pos/requests"), "note": "likes blue"})
    assert refused.status_code == 303 and _count(ClientNote) == 0


def test_with_consent_the_associate_sees_the_client_book_and_keeps_notes(app):
    shop = make_shop()
    phone, coupon_code = _shopper_with_everything(app, shop)
    _share(phone, shop)
    consent = db.session.scalar(select(ClientBookConsent))
    assert "keep notes to help me" in consent.consent_text and consent.given_at is not None
    assert "Stop sharing" in phone.get("/wishlist").get_data(as_text=True)
    token = _counter_token(phone)
    associate = _staff(app, email="maya.lopez@example.com")
    counter = associate.get(f"/pos/wishlist/{token}")  # the scanned QR
    assert counter.status_code == 303
    assert counter.headers["Location"].endswith(f"/pos/clientbook/{token}")
    html = associate.get(f"/pos/clientbook/{token}").get_data(as_text=True)
    assert "data-client-book" in html and "Trail Widget" in html
    assert coupon_code in html  # claimed coupons
    assert "Is there a &lt;b&gt;blue&lt;/b&gt; one?" in html  # open request, escaped
    assert "data-book-holds" in html and "No holds." in html
    added = _note(associate, token, "Prefers size M, likes the <script>Trail</script> range")
    assert added.status_code == 303
    html = associate.get(f"/pos/clientbook/{token}").get_data(as_text=True)
    assert "likes the &lt;script&gt;Trail&lt;/script&gt; range" in html
    assert "<script>Trail" not in html
    assert "Maya ·" in html  # author and time
    # A merchandiser (every store of the retailer) sees the same book and its notes.
    merchandiser = _staff(app, "merchandiser", store=None)
    assert "Prefers size M" in merchandiser.get(f"/pos/clientbook/{token}").get_data(
        as_text=True)


def test_an_associate_of_another_store_sees_only_their_stores_requests(app):
    shop = make_shop()
    phone, _ = _shopper_with_everything(app, shop)
    _share(phone, shop)
    token = _counter_token(phone)
    boston = _staff(app, store="BOS01")
    html = boston.get(f"/pos/clientbook/{token}").get_data(as_text=True)
    assert "Trail Widget" in html and "blue" not in html and "No open requests." in html


def test_a_suggestion_reaches_the_shoppers_wish_list_with_the_associates_first_name(app):
    shop = make_shop()
    boots = make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Boots",
                     price_cents=12900)
    db.session.commit()
    sku = boots.listing.sku
    phone = new_phone(app)
    _save(phone, shop.tag)
    _share(phone, shop)
    token = _counter_token(phone)
    associate = _staff(app, email="maya@example.com")
    found = associate.get(f"/pos/clientbook/{token}", query_string={"q": sku})
    html = found.get_data(as_text=True)
    assert "Trail Boots" in html
    fields = form_fields(html, f"/pos/clientbook/{token}/suggest")
    assert fields["listing"] == str(boots.listing.id)
    sent = associate.post(f"/pos/clientbook/{token}/suggest", data=fields)
    assert sent.status_code == 303
    wishlist = phone.get("/wishlist").get_data(as_text=True)
    assert "Trail Boots" in wishlist and "Maya suggested this for you" in wishlist
    spanish = phone.get("/wishlist", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Maya se lo recomienda" in spanish and "Dejar de compartir" in spanish
    french = phone.get("/wishlist", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Maya vous le conseille" in french
    # Sending it again changes nothing (409), the shopper's list keeps one entry.
    again = associate.post(f"/pos/clientbook/{token}/suggest", data=fields)
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    assert _count(WishlistItem) == 2


def test_withdrawing_consent_deletes_the_notes_and_the_view_is_basic_again(app):
    shop = make_shop()
    phone, _ = _shopper_with_everything(app, shop)
    _share(phone, shop)
    token = _counter_token(phone)
    associate = _staff(app)
    assert _note(associate, token, "likes the Trail range").status_code == 303
    assert _count(ClientNote) == 1
    _withdraw(phone)
    assert _count(ClientNote) == 0 and _count(ClientBookConsent) == 0
    assert "keep notes to help me" in phone.get("/wishlist").get_data(as_text=True)
    page = associate.get(f"/pos/wishlist/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Trail Widget" in html
    assert "likes the Trail range" not in html and "blue" not in html
    # A note sent from a page opened before the withdrawal is not kept.
    late = associate.post(f"/pos/clientbook/{token}/notes", data={
        "csrf_token": csrf_token(associate, "/pos/requests"), "note": "too late"})
    assert late.status_code == 303 and _count(ClientNote) == 0


def test_vendors_and_other_retailers_see_nothing(app):
    shop = make_shop()
    phone = new_phone(app)
    _save(phone, shop.tag)
    _share(phone, shop)
    token = _counter_token(phone)
    vendor = new_phone(app)
    login(vendor, make_user("vendor", vendor_slug=shop.vendor.slug).email)
    assert vendor.get(f"/pos/clientbook/{token}").status_code == 403
    make_store(make_retailer("bigbox"), "SEA01")
    db.session.commit()
    outsider = _staff(app, retailer="bigbox", store="SEA01")
    refused = outsider.get(f"/pos/clientbook/{token}")
    assert refused.status_code == 404 and "Trail Widget" not in refused.get_data(as_text=True)
    note = outsider.post(f"/pos/clientbook/{token}/notes", data={
        "csrf_token": csrf_token(outsider, "/pos/requests"), "note": "hello"})
    assert note.status_code == 404 and _count(ClientNote) == 0
    assert new_phone(app).get(f"/pos/clientbook/{token}").status_code in (302, 401)


def test_bad_input_is_refused_with_nothing_stored(app):
    shop = make_shop()
    other = make_retailer("bigbox")
    other_store = make_store(other, "SEA01")
    foreign = make_tag(other, other_store, shop.vendor, name="Bigbox Jacket")
    db.session.commit()
    phone = new_phone(app)
    _save(phone, shop.tag)
    _share(phone, shop)
    token = _counter_token(phone)
    associate = _staff(app)
    empty = _note(associate, token, "   ")
    assert empty.status_code == 400 and "Write the note" in empty.get_data(as_text=True)
    long = _note(associate, token, "x" * 301)
    assert long.status_code == 400 and "at most 300" in long.get_data(as_text=True)
    assert _count(ClientNote) == 0
    form = {"csrf_token": csrf_token(associate, f"/pos/clientbook/{token}")}
    for listing in ("", "abc", "-1", "99999999999999999999"):
        bad = associate.post(f"/pos/clientbook/{token}/suggest", data={**form, "listing": listing})
        assert 400 <= bad.status_code < 500, listing
    theirs = associate.post(f"/pos/clientbook/{token}/suggest",
                            data={**form, "listing": str(foreign.listing.id)})
    assert theirs.status_code == 404
    gone = make_tag(shop.retailer, shop.store, shop.vendor, name="Old Parka")
    discontinue_listing(gone.listing, None)
    db.session.commit()
    assert "Old Parka" not in associate.get(f"/pos/clientbook/{token}",
                                            query_string={"q": "Parka"}).get_data(as_text=True)
    stale = associate.post(f"/pos/clientbook/{token}/suggest",
                           data={**form, "listing": str(gone.listing.id)})
    assert stale.status_code == 409 and "no longer carried" in stale.get_data(as_text=True)
    assert _count(WishlistItem) == 1
    forged = associate.get(f"/pos/clientbook/{token[:-4]}abcd")
    assert forged.status_code == 404
    # The shopper's side: no consent ticked, or a retailer this device has no list at.
    refused = phone.post("/wishlist/clientbook", data={
        "csrf_token": csrf_token(phone, "/wishlist"), "retailer": str(shop.retailer.id)})
    assert refused.status_code == 400
    stranger = new_phone(app)
    assert stranger.post("/wishlist/clientbook", data={
        "csrf_token": csrf_token(stranger, "/wishlist"), "retailer": str(shop.retailer.id),
        "consent": "yes"}).status_code == 404
    assert _count(ClientBookConsent) == 1


def test_forms_need_their_csrf_token(app):
    shop = make_shop()
    phone = new_phone(app)
    _save(phone, shop.tag)
    html = phone.get("/wishlist").get_data(as_text=True)
    fields = form_fields(html, "/wishlist/clientbook")
    del fields["csrf_token"]
    assert phone.post("/wishlist/clientbook", data={**fields, "consent": "yes"}
                      ).status_code == 400
    assert _count(ClientBookConsent) == 0
    _share(phone, shop)
    token = _counter_token(phone)
    associate = _staff(app)
    assert associate.post(f"/pos/clientbook/{token}/notes",
                          data={"note": "no token"}).status_code == 400
    assert associate.post(f"/pos/clientbook/{token}/suggest",
                          data={"listing": str(shop.listing.id)}).status_code == 400
    assert _count(ClientNote) == 0 and _count(WishlistItem) == 1


def test_one_person_on_two_phones_has_one_client_book(app):
    shop = make_shop()
    first, second = new_phone(app), new_phone(app)
    _save(first, shop.tag)
    _save(second, shop.tag)
    _share(first, shop)
    token = _counter_token(second)
    associate = _staff(app)
    # Not the same person yet: the second phone's code opens the plain list.
    assert associate.get(f"/pos/wishlist/{token}").status_code == 200
    ids = [row.shopper_id for row in db.session.scalars(select(WishlistItem))]
    verify_email(ids, "ana@example.com", utcnow())
    db.session.commit()
    assert associate.get(f"/pos/wishlist/{token}").status_code == 303
    assert _note(associate, token, "likes the Trail range").status_code == 303
    # Withdrawn on the other phone: the consent and the note are gone for both.
    _withdraw(second)
    assert _count(ClientBookConsent) == 0 and _count(ClientNote) == 0
    assert associate.get(f"/pos/wishlist/{token}").status_code == 200



def test_a_suggestion_is_not_counted_as_the_shoppers_save(app, client):
    from tests.api.helpers import bearer

    shop = make_shop()
    phone = new_phone(app)
    _save(phone, shop.tag)
    _share(phone, shop)
    boots = make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Boots")
    db.session.commit()
    token = _counter_token(phone)
    associate = _staff(app, email="maya@example.com")
    assert associate.post(f"/pos/clientbook/{token}/suggest", data={
        "csrf_token": csrf_token(associate, f"/pos/clientbook/{token}"),
        "listing": str(boots.listing.id)}).status_code == 303
    merchandiser = make_user("merchandiser", retailer_slug="acme")
    adds = client.get("/api/v1/wishlist-adds", headers=bearer(merchandiser)).get_json()
    assert [item["sku"] for item in adds["items"]] == [shop.listing.sku]
