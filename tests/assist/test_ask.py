"""Ask an associate: the shopper asks from a tag's page, associates race to claim it on
/pos/requests, answer by text or walk over, and the shopper's page follows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qrshop.alerts.models import OutboxMessage
from qrshop.assist import services as assist
from qrshop.assist.hours import is_open, parse_hours
from qrshop.assist.models import AssistRequest
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_retailer, make_shop, make_store, make_user
from tests.helpers import new_phone


def _open_store(shop, hours: str = "", minutes: int = 5):
    assist.set_settings(shop.store.id, enabled=True, opening_hours=hours,
                        unclaimed_minutes=minutes)
    db.session.commit()


def _ask(device, tag, **fields):
    token = csrf_token(device, f"/t/{tag.code}/ask")
    data = {"csrf_token": token, "message": "Do you have this in blue?", "reply": "come",
            "spot": "fitting room 3", **fields}
    return device.post(f"/t/{tag.code}/ask", data=data)


def _associate(app, shop, email):
    make_user("associate", email, retailer_slug=shop.retailer.slug,
              store_code=shop.store.code)
    client = app.test_client()
    login(client, email)
    return client


def _claim(client, request_id):
    token = csrf_token(client, "/pos/requests")
    return client.post(f"/pos/requests/{request_id}/claim", data={"csrf_token": token})


def test_the_landing_page_offers_it_only_where_the_store_opted_in(app, client):
    shop = make_shop()
    assert "data-ask-link" not in client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "does not take requests" in client.get(f"/t/{shop.tag.code}/ask").get_data(
        as_text=True)
    _open_store(shop)
    token = csrf_token(client, f"/t/{shop.tag.code}/ask")  # the form, shown while open
    assist.set_settings(shop.store.id, enabled=False, opening_hours="", unclaimed_minutes=5)
    db.session.commit()
    refused = client.post(f"/t/{shop.tag.code}/ask",
                          data={"csrf_token": token, "message": "Hello?", "reply": "come"})
    assert refused.status_code == 403
    assert "does not take requests" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(AssistRequest)) == 0
    _open_store(shop)
    app.extensions["qrshop.scanner"].tags._tags.clear()  # the page data's cache (1 s)
    assert "data-ask-link" in client.get(f"/t/{shop.tag.code}").get_data(as_text=True)


def test_the_whole_loop_claim_race_text_and_the_shoppers_page(app):
    shop = make_shop()
    _open_store(shop)
    phone = new_phone(app)
    sent = _ask(phone, shop.tag, reply="text", phone="+1 415 555 0123", consent="yes",
                size="M")
    assert sent.status_code == 303
    status_url = sent.headers["Location"]
    assert re.fullmatch(rf"/t/{shop.tag.code}/ask/[\w-]+", status_url)
    assert phone.get(status_url + ".json").get_json()["state"] == "open"
    # Asking again about the same item opens the same request.
    assert phone.get(f"/t/{shop.tag.code}/ask").headers["Location"] == status_url
    again = phone.post(f"/t/{shop.tag.code}/ask", data={
        "csrf_token": csrf_token(phone, status_url), "message": "Still here", "reply": "come"})
    assert again.headers["Location"] == status_url

    maya = _associate(app, shop, "maya@example.com")
    sam = _associate(app, shop, "sam@example.com")
    queue = maya.get("/pos/requests").get_data(as_text=True)
    assert "Do you have this in blue?" in queue and "Size/colour: M" in queue
    request_id = db.session.scalar(select(AssistRequest.id))
    assert _claim(maya, request_id).status_code == 303
    lost = _claim(sam, request_id)
    assert lost.status_code == 409
    assert "Maya has this request already." in lost.get_data(as_text=True)
    state = phone.get(status_url + ".json").get_json()
    assert state["state"] == "claimed" and "Maya" in state["text"]

    token = csrf_token(maya, "/pos/requests")
    answered = maya.post(f"/pos/requests/{request_id}/answer",
                         data={"csrf_token": token, "answer": "Yes, size M in blue at the till."})
    assert answered.status_code == 303
    sms = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "+14155550123")).all()
    assert len(sms) == 1 and "size M in blue" in sms[0].body
    page = phone.get(status_url).get_data(as_text=True)
    assert "Answered by text: Yes, size M in blue at the till." in page
    token = csrf_token(maya, "/pos/requests")
    assert maya.post(f"/pos/requests/{request_id}/close",
                     data={"csrf_token": token}).status_code == 303
    assert phone.get(status_url + ".json").get_json()["state"] == "closed"


def test_a_conditional_update_lets_exactly_one_associate_claim(app):
    shop = make_shop()
    _open_store(shop)
    assert _ask(new_phone(app), shop.tag).status_code == 303
    request_id = db.session.scalar(select(AssistRequest.id))
    first = make_user("associate", "ana@example.com", retailer_slug=shop.retailer.slug,
                      store_code=shop.store.code)
    second = make_user("associate", "bo@example.com", retailer_slug=shop.retailer.slug,
                       store_code=shop.store.code)
    assist.claim(request_id, first)
    db.session.commit()
    with pytest.raises(assist.AlreadyClaimed) as lost:
        assist.claim(request_id, second)
    assert lost.value.status_code == 409 and "Ana" in lost.value.message
    db.session.rollback()
    assert db.session.get(AssistRequest, request_id).claimed_by_id == first.id


def test_bad_input_is_refused_next_to_its_field_with_nothing_stored(app, client):
    shop = make_shop()
    _open_store(shop)
    empty = _ask(client, shop.tag, message="   ")
    assert empty.status_code == 400
    assert 'data-ask-error="message"' in empty.get_data(as_text=True)
    long = _ask(client, shop.tag, message="x" * 501)
    assert long.status_code == 400
    no_consent = _ask(client, shop.tag, reply="text", phone="+1 415 555 0123")
    assert no_consent.status_code == 400
    assert 'data-ask-error="consent"' in no_consent.get_data(as_text=True)
    bad_phone = _ask(client, shop.tag, reply="text", phone="12", consent="yes")
    assert bad_phone.status_code == 422
    assert _ask(client, shop.tag, reply="fax").status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(AssistRequest)) == 0


def test_the_message_is_escaped_on_the_associates_queue(app, client):
    shop = make_shop()
    _open_store(shop)
    assert _ask(client, shop.tag, message='<script>alert("x")</script>').status_code == 303
    maya = _associate(app, shop, "maya@example.com")
    html = maya.get("/pos/requests").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_associates_see_only_their_store_and_vendors_nothing(app, client):
    shop = make_shop()
    _open_store(shop)
    assert _ask(client, shop.tag).status_code == 303
    request_id = db.session.scalar(select(AssistRequest.id))
    elsewhere = _associate(app, shop, "far@example.com")
    elsewhere_user = make_user("associate", "other@example.com",
                               retailer_slug=shop.retailer.slug, store_code=shop.other_store.code)
    other = app.test_client()
    login(other, elsewhere_user.email)
    assert "Do you have this in blue?" not in other.get("/pos/requests").get_data(as_text=True)
    assert _claim(other, request_id).status_code == 404
    assert "Do you have this in blue?" in elsewhere.get("/pos/requests").get_data(as_text=True)
    merchandiser = make_user("merchandiser", "merch@example.com",
                             retailer_slug=shop.retailer.slug)
    merch = app.test_client()
    login(merch, merchandiser.email)
    assert "Do you have this in blue?" in merch.get("/pos/requests").get_data(as_text=True)
    rival = make_retailer("rival")
    make_store(rival, "R01")
    rival_merch = make_user("merchandiser", "rival@example.com", retailer_slug="rival")
    outsider = app.test_client()
    login(outsider, rival_merch.email)
    assert "Do you have this in blue?" not in outsider.get("/pos/requests").get_data(
        as_text=True)
    vendor = make_user("vendor", "vendor@example.com", vendor_slug=shop.vendor.slug)
    vendor_client = app.test_client()
    login(vendor_client, vendor.email)
    assert vendor_client.get("/pos/requests").status_code == 403


def test_closed_stores_refuse_and_a_long_wait_offers_a_text_reply(app, client):
    shop = make_shop()
    now = datetime.now(UTC)
    closed_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now.weekday() + 3) % 7]
    _open_store(shop)
    token = csrf_token(client, f"/t/{shop.tag.code}/ask")
    _open_store(shop, hours=f"{closed_day} 09:00-17:00", minutes=1)
    assert "closed now" in client.get(f"/t/{shop.tag.code}/ask").get_data(as_text=True)
    refused = client.post(f"/t/{shop.tag.code}/ask",
                          data={"csrf_token": token, "message": "Hi", "reply": "come"})
    assert refused.status_code == 409
    assert "closed now" in refused.get_data(as_text=True)
    _open_store(shop, hours="", minutes=1)
    sent = _ask(client, shop.tag)
    found = db.session.scalar(select(AssistRequest))
    found.created_at = now - timedelta(minutes=2)
    db.session.commit()
    state = client.get(sent.headers["Location"] + ".json").get_json()
    assert state == {"state": "waiting_long", "offer_text": True,
                     "text": "Everyone is busy right now. Your request stays in the queue."}
    token = csrf_token(client, sent.headers["Location"])
    switched = client.post(sent.headers["Location"] + "/text",
                           data={"csrf_token": token, "phone": "+1 415 555 0123",
                                 "consent": "yes"})
    assert switched.status_code == 303
    db.session.refresh(found)
    assert found.reply == "text" and found.phone == "+14155550123"


def test_opening_hours_are_read_in_the_stores_time_zone():
    hours = "mon-fri 09:00-20:00, sat 10:00-18:00"
    assert set(parse_hours(hours)) == {0, 1, 2, 3, 4, 5}
    monday_8am_ny = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 08:00 in New York
    assert not is_open(hours, "America/New_York", monday_8am_ny)
    assert is_open(hours, "America/New_York", monday_8am_ny + timedelta(hours=2))
    assert not is_open(hours, "America/New_York", datetime(2026, 12, 6, 15, tzinfo=UTC))
    assert is_open("", "UTC", monday_8am_ny)
    for bad in ("monday 9-5", "mon 25:00-26:00", "mon 18:00-09:00", "xyz 09:00-10:00"):
        with pytest.raises(InvalidInput):
            parse_hours(bad)


def test_the_console_saves_settings_and_refuses_bad_hours(app):
    shop = make_shop()
    merchandiser = make_user("merchandiser", "merch@example.com",
                             retailer_slug=shop.retailer.slug)
    merch = app.test_client()
    login(merch, merchandiser.email)
    token = csrf_token(merch, "/console/assist")
    saved = merch.post(f"/console/assist/{shop.store.code}",
                       data={"csrf_token": token, "enabled": "on",
                             "opening_hours": "mon-sat 09:00-19:00", "unclaimed_minutes": "4"})
    assert saved.status_code == 303
    settings = assist.settings_of(shop.store.id)
    assert settings.enabled and settings.unclaimed_minutes == 4
    bad = merch.post(f"/console/assist/{shop.store.code}",
                     data={"csrf_token": token, "enabled": "on", "opening_hours": "whenever",
                           "unclaimed_minutes": "4"})
    assert bad.status_code == 400 and "cannot read" in bad.get_data(as_text=True)
    assert merch.post(f"/console/assist/{shop.store.code}",
                      data={"csrf_token": token, "unclaimed_minutes": "0"}).status_code == 400
    db.session.rollback()
    assert assist.settings_of(shop.store.id).opening_hours == "mon-sat 09:00-19:00"
