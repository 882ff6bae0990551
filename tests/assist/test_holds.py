"""Hold it for me: the shopper places a hold from a tag's page, the store's pick list marks
it ready (the shopper is told), collected or cancelled, and a hold past its time expires."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from qrshop.alerts.models import OutboxMessage
from qrshop.assist import holds
from qrshop.assist.models import Hold
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_retailer, make_shop, make_store, make_user
from tests.helpers import new_phone


def _take_holds(app, shop, hours: int = 24):
    holds.set_hold_settings(shop.store.id, holds_enabled=True, hold_hours=hours)
    db.session.commit()
    app.extensions["qrshop.scanner"].tags._tags.clear()  # the page data's cache (1 s)


_TOKENS: dict = {}


def _hold(device, tag, **fields):
    """Fill in and send the hold form (the session's CSRF token is kept for later posts,
    when the form redirects to the shopper's hold)."""
    if device.get(f"/t/{tag.code}/hold").status_code == 200:
        _TOKENS[id(device)] = csrf_token(device, f"/t/{tag.code}/hold")
    token = _TOKENS[id(device)]
    data = {"csrf_token": token, "name": "Ana Ruiz", "phone": "+1 415 555 0123",
            "consent": "yes", "size": "M", **fields}
    return device.post(f"/t/{tag.code}/hold", data=data)


def _staff(app, shop, role, email, **links):
    make_user(role, email, retailer_slug=shop.retailer.slug, **links)
    client = app.test_client()
    login(client, email)
    return client


def _post(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client, "/pos/holds")})


def _messages(recipient):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)).all()


def _count():
    return db.session.scalar(select(db.func.count()).select_from(Hold))


def test_the_landing_page_offers_holds_only_where_the_store_takes_them(app, client):
    shop = make_shop()
    assert "data-hold-link" not in client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "does not hold items" in client.get(f"/t/{shop.tag.code}/hold").get_data(
        as_text=True)
    _take_holds(app, shop)
    token = csrf_token(client, f"/t/{shop.tag.code}/hold")  # the form, shown while on
    holds.set_hold_settings(shop.store.id, holds_enabled=False, hold_hours=24)
    db.session.commit()
    refused = client.post(f"/t/{shop.tag.code}/hold", data={
        "csrf_token": token, "name": "Ana", "phone": "+1 415 555 0123", "consent": "yes"})
    assert refused.status_code == 403 and _count() == 0
    assert "does not hold items" in refused.get_data(as_text=True)
    _take_holds(app, shop)
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert f'href="/t/{shop.tag.code}/hold" data-hold-link' in html
    assert "Hold for me at this store" in html


def test_the_whole_loop_placed_ready_collected(app):
    shop = make_shop()
    _take_holds(app, shop, hours=24)
    phone = new_phone(app)
    placed = _hold(phone, shop.tag, email="ana@example.com")
    assert placed.status_code == 303
    hold_url = placed.headers["Location"]
    assert re.fullmatch(rf"/t/{shop.tag.code}/hold/[\w-]+", hold_url)
    page = phone.get(hold_url).get_data(as_text=True)
    assert 'data-hold-state="placed"' in page and "Ana Ruiz" in page
    # One hold per shopper per item: the form and a second request show the same hold.
    assert phone.get(f"/t/{shop.tag.code}/hold").headers["Location"] == hold_url
    assert _hold(phone, shop.tag, name="Someone else").headers["Location"] == hold_url
    assert _count() == 1

    maya = _staff(app, shop, "associate", "maya@example.com", store_code=shop.store.code)
    pick_list = maya.get("/pos/holds").get_data(as_text=True)
    assert "Ana Ruiz" in pick_list and "size/colour: M" in pick_list
    assert "text …0123" in pick_list and "+14155550123" not in pick_list
    hold_id = db.session.scalar(select(Hold.id))
    assert _post(maya, f"/pos/holds/{hold_id}/ready").status_code == 303
    sms, = _messages("+14155550123")
    email, = _messages("ana@example.com")
    assert "is ready for you" in sms.body and "Ana Ruiz" in sms.body
    assert hold_url in sms.body and hold_url in email.body
    assert email.subject.startswith("Your hold at")
    assert _post(maya, f"/pos/holds/{hold_id}/ready").status_code == 409  # ready already
    assert len(_messages("+14155550123")) == 1
    page = phone.get(hold_url).get_data(as_text=True)
    assert 'data-hold-state="ready"' in page and "Ask at the till" in page
    hold = db.session.get(Hold, hold_id)
    assert abs(hold.expires_at - (hold.ready_at + timedelta(hours=24))) < timedelta(seconds=1)

    assert _post(maya, f"/pos/holds/{hold_id}/collected").status_code == 303
    assert 'data-hold-state="collected"' in phone.get(hold_url).get_data(as_text=True)
    assert len(_messages("+14155550123")) == 1  # collecting sends nothing
    # Collected, the item can be held again.
    again = _hold(phone, shop.tag)
    assert again.status_code == 303 and again.headers["Location"] != hold_url
    assert _count() == 2


def test_a_cancelled_hold_tells_the_shopper(app):
    shop = make_shop()
    _take_holds(app, shop)
    phone = new_phone(app)
    hold_url = _hold(phone, shop.tag, phone="", email="bo@example.com").headers["Location"]
    merch = _staff(app, shop, "merchandiser", "merch@example.com")
    hold_id = db.session.scalar(select(Hold.id))
    assert _post(merch, f"/pos/holds/{hold_id}/cancel").status_code == 303
    message, = _messages("bo@example.com")
    assert "cannot hold" in message.body
    assert 'data-hold-state="cancelled"' in phone.get(hold_url).get_data(as_text=True)


def test_a_hold_past_its_time_expires_and_the_shopper_is_told(app):
    shop = make_shop()
    _take_holds(app, shop, hours=2)
    phone = new_phone(app)
    hold_url = _hold(phone, shop.tag).headers["Location"]
    kept = _hold(new_phone(app), shop.tag, phone="+1 415 555 0188").headers["Location"]
    hold, fresh = db.session.scalars(select(Hold).order_by(Hold.id)).all()
    assert fresh.expires_at - fresh.created_at == timedelta(hours=2)  # never made ready
    hold.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["holds", "expire"])
    assert result.exit_code == 0, result.output
    assert "Expired 1 hold" in result.output
    message, = _messages("+14155550123")
    assert "has ended" in message.body
    assert 'data-hold-state="expired"' in phone.get(hold_url).get_data(as_text=True)
    assert 'data-hold-state="placed"' in phone.get(kept).get_data(as_text=True)
    assert _messages("+14155550188") == []
    # Nothing more to do on a second pass; expired, the item can be held again.
    assert "Expired 0 holds" in app.test_cli_runner().invoke(args=["holds", "expire"]).output
    assert _hold(phone, shop.tag).headers["Location"] != hold_url


def test_bad_input_is_refused_next_to_its_field_with_nothing_stored(app, client):
    shop = make_shop()
    _take_holds(app, shop)
    cases = [({"name": "  "}, 400, "name"), ({"name": "x" * 81}, 400, None),
             ({"phone": "", "email": ""}, 400, "phone"), ({"phone": "12"}, 422, "phone"),
             ({"phone": "", "email": "not-an-address"}, 422, "email"),
             ({"consent": ""}, 400, "consent"), ({"size": "y" * 61}, 400, None)]
    for fields, status, field in cases:
        refused = _hold(client, shop.tag, **fields)
        assert refused.status_code == status, fields
        if field:
            assert f'data-hold-error="{field}"' in refused.get_data(as_text=True), fields
    assert _count() == 0


def test_who_sees_and_moves_holds(app, client):
    shop = make_shop()
    _take_holds(app, shop)
    assert _hold(client, shop.tag, name="Ana <b>Ruiz</b>").status_code == 303
    hold_id = db.session.scalar(select(Hold.id))
    here = _staff(app, shop, "associate", "here@example.com", store_code=shop.store.code)
    html = here.get("/pos/holds").get_data(as_text=True)
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>Ruiz" not in html
    there = _staff(app, shop, "associate", "there@example.com",
                   store_code=shop.other_store.code)
    assert "Ruiz" not in there.get("/pos/holds").get_data(as_text=True)
    assert _post(there, f"/pos/holds/{hold_id}/ready").status_code == 404
    rival = make_retailer("rival")
    make_store(rival, "R01")
    make_user("merchandiser", "rival@example.com", retailer_slug="rival")
    outsider = app.test_client()
    login(outsider, "rival@example.com")
    assert "Ruiz" not in outsider.get("/pos/holds").get_data(as_text=True)
    assert _post(outsider, f"/pos/holds/{hold_id}/cancel").status_code == 404
    make_user("vendor", "vendor@example.com", vendor_slug=shop.vendor.slug)
    vendor = app.test_client()
    login(vendor, "vendor@example.com")
    assert vendor.get("/pos/holds").status_code == 403
    assert app.test_client().get("/pos/holds").status_code in (302, 303, 401)
    assert db.session.get(Hold, hold_id).status == "placed"


def test_the_console_saves_the_hold_settings(app):
    shop = make_shop()
    merch = _staff(app, shop, "merchandiser", "merch@example.com")
    token = csrf_token(merch, "/console/assist")
    saved = merch.post(f"/console/assist/{shop.store.code}", data={
        "csrf_token": token, "opening_hours": "", "unclaimed_minutes": "5",
        "holds_enabled": "on", "hold_hours": "48"})
    assert saved.status_code == 303
    settings = holds.takes_holds(shop.store.id)
    assert settings is not None and settings.hold_hours == 48 and not settings.enabled
    bad = merch.post(f"/console/assist/{shop.store.code}", data={
        "csrf_token": token, "unclaimed_minutes": "5", "holds_enabled": "on",
        "hold_hours": "500"})
    assert bad.status_code == 400
    db.session.rollback()
    assert holds.takes_holds(shop.store.id).hold_hours == 48


def test_the_form_and_the_messages_are_in_the_shoppers_language(app):
    shop = make_shop()
    _take_holds(app, shop)
    phone = new_phone(app)
    phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    assert "Resérvamelo en esta tienda" in phone.get(f"/t/{shop.tag.code}").get_data(
        as_text=True)
    form = phone.get(f"/t/{shop.tag.code}/hold").get_data(as_text=True)
    assert "Tu nombre" in form and "Resérvamelo" in form
    hold_url = _hold(phone, shop.tag).headers["Location"]
    assert "La tienda te avisará" in phone.get(hold_url).get_data(as_text=True)
    merch = _staff(app, shop, "merchandiser", "merch@example.com")
    hold_id = db.session.scalar(select(Hold.id))
    assert _post(merch, f"/pos/holds/{hold_id}/ready").status_code == 303
    sms, = _messages("+14155550123")
    assert "está listo para ti" in sms.body and "Ana Ruiz" in sms.body


def test_a_race_between_two_holds_of_one_item_keeps_one(app, monkeypatch):
    shop = make_shop()
    _take_holds(app, shop)
    phone = new_phone(app)
    first = _hold(phone, shop.tag).headers["Location"]
    # The second request read "no active hold" before the first committed: the partial
    # unique index refuses the second row and the shopper gets the first hold back.
    real = holds.active_hold_of
    calls = []

    def stale_then_real(shopper_id, listing_id):
        calls.append(1)
        return None if len(calls) == 1 else real(shopper_id, listing_id)

    monkeypatch.setattr(holds, "active_hold_of", stale_then_real)
    token = _TOKENS[id(phone)]
    again = phone.post(f"/t/{shop.tag.code}/hold", data={
        "csrf_token": token, "name": "Ana", "phone": "+1 415 555 0123", "consent": "yes"})
    assert again.status_code == 303 and again.headers["Location"] == first
    assert len(calls) == 2 and _count() == 1


def test_the_worker_expires_holds_past_their_time(app):
    import threading

    from qrshop.worker import Worker

    shop = make_shop()
    _take_holds(app, shop, hours=1)
    hold_url = _hold(new_phone(app), shop.tag, phone="", email="cy@example.com").headers[
        "Location"]
    hold = db.session.scalar(select(Hold))
    hold.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    Worker((), 0.05, threading.Event()).expire_holds()
    assert db.session.scalar(select(Hold.status)) == "expired"
    message, = _messages("cy@example.com")
    assert "has ended" in message.body and hold_url in message.body


def test_the_client_book_shows_the_shoppers_active_holds_of_the_associates_store(app):
    from tests.assist.test_clientbook import _counter_token, _save, _share, _staff

    shop = make_shop()
    _take_holds(app, shop)
    phone = new_phone(app)
    _save(phone, shop.tag)
    assert _hold(phone, shop.tag, size="L").status_code == 303
    _share(phone, shop)
    token = _counter_token(phone)
    here = _staff(app, email="maya@example.com")
    html = here.get(f"/pos/clientbook/{token}").get_data(as_text=True)
    panel = html.split("data-book-holds", 1)[1].split("</section>", 1)[0]
    assert "Trail Widget · L · for Ana Ruiz" in panel and "placed" in panel
    there = _staff(app, email="bo@example.com", store="BOS01")
    html = there.get(f"/pos/clientbook/{token}").get_data(as_text=True)
    assert "No holds." in html.split("data-book-holds", 1)[1]


def test_the_shopper_picks_the_variant_to_hold(app):
    from qrshop.catalog.services import create_listing, create_product
    from qrshop.tags.services import create_tag
    from tests.factories import valid_gtin13

    shop = make_shop()
    product = shop.product
    product.variant_group, product.size = product.gtin, "M"
    large = create_product(product.vendor, gtin=valid_gtin13(), name=product.name, brand="W")
    large.variant_group, large.size = product.gtin, "L"
    large_listing = create_listing(shop.retailer, large, sku="V-L", price_cents=4999)
    large_tag = create_tag(large_listing, shop.store, "Rack")
    db.session.commit()
    _take_holds(app, shop)
    phone = new_phone(app)
    form = phone.get(f"/t/{shop.tag.code}/hold").get_data(as_text=True)
    assert f'<option value="{large_tag.code}">L</option>' in form
    assert "Which one?" in form
    refused = _hold(phone, shop.tag, variant="NOTATAG1")
    assert refused.status_code == 400 and 'data-hold-error="variant"' in refused.get_data(
        as_text=True)
    assert _count() == 0
    placed = _hold(phone, shop.tag, variant=large_tag.code)
    assert placed.status_code == 303
    assert placed.headers["Location"].startswith(f"/t/{large_tag.code}/hold/")
    hold = db.session.scalar(select(Hold))
    assert hold.listing_id == large_listing.id
    maya = _staff(app, shop, "associate", "maya@example.com", store_code=shop.store.code)
    assert "SKU V-L" in maya.get("/pos/holds").get_data(as_text=True)
