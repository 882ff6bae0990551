"""Alerts and the outbox under abuse: per-recipient caps, SMS double opt-in, link scanners,
and one bad message among good ones."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from qrshop import tokens
from qrshop.alerts.models import OutboxMessage, Subscription
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.alerts.test_alerts import (
    _link,
    _lower_price,
    _merchandiser,
    _path,
    _send_outbox,
    _sign_up,
)
from tests.factories import make_shop
from tests.helpers import form_fields, new_phone

PHONE = "+14155550123"


def _messages_to(recipient: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == recipient))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ask_for_magic_link(phone, email: str):
    html = phone.get("/wishlist").get_data(as_text=True)
    return phone.post("/wishlist/link", data={**form_fields(html, "/wishlist/link"),
                                              "email": email})


# --- per-recipient cap ------------------------------------------------------------------------


def test_one_phone_number_gets_at_most_three_texts_whoever_signs_it_up(app):
    tag = make_shop().tag
    # Many shoppers (each its own phone, so the per-shopper limit never applies), one victim's
    # number written in different ways.
    spellings = ["+1 415 555 0123", "+1 (415) 555-0123", "+14155550123", "+1-415-555-0123",
                 "+1 415 5550123"]
    answers = [_sign_up(new_phone(app), tag, phone=number) for number in spellings]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert "several messages" in answers[-1].get_data(as_text=True)
    assert _messages_to(PHONE) == 3
    # The refused sign-ups stored nothing (no subscription, no saved item, no shopper).
    assert _count(Subscription) == 3


def test_one_email_address_gets_at_most_three_shopper_messages_of_any_kind(app):
    tag = make_shop().tag
    assert _sign_up(new_phone(app), tag, email="victim@example.com").status_code == 200
    assert _sign_up(new_phone(app), tag, email="Victim@Example.COM").status_code == 200
    # The wish list's magic link counts toward the same cap (it is queued through qrshop.mail).
    scanned = new_phone(app)
    scanned.get(f"/t/{tag.code}")
    assert _ask_for_magic_link(scanned, "VICTIM@example.com").status_code == 303
    refused = _ask_for_magic_link(new_phone(app), "victim+spam@example.com")
    assert refused.status_code == 429
    assert _sign_up(new_phone(app), tag, email="victim@example.com").status_code == 429
    assert _count(OutboxMessage) == 3 and _count(Subscription) == 2
    # Another address is not affected.
    assert _sign_up(new_phone(app), tag, email="someone@example.com").status_code == 200


def test_gmail_spellings_of_one_inbox_share_its_cap(app):
    tag = make_shop().tag
    # Gmail ignores dots and +tags, and googlemail.com is the same mailbox.
    spellings = ["victim@gmail.com", "v.ictim@gmail.com", "Vic.Tim+sale@GoogleMail.com",
                 "v.i.c.t.i.m@googlemail.com"]
    answers = [_sign_up(new_phone(app), tag, email=email) for email in spellings]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    # Each message goes to the address as it was typed.
    assert sorted(db.session.scalars(select(OutboxMessage.recipient))) == sorted(
        ["victim@gmail.com", "v.ictim@gmail.com", "Vic.Tim+sale@googlemail.com"])
    # Elsewhere a dot is part of the name: another mailbox, another count.
    for email in ("v.ictim@example.com", "victim@example.com"):
        assert _sign_up(new_phone(app), tag, email=email).status_code == 200


def test_the_cap_is_a_rolling_day(app):
    tag = make_shop().tag
    for _ in range(3):
        assert _sign_up(new_phone(app), tag, phone=PHONE).status_code == 200
    assert _sign_up(new_phone(app), tag, phone=PHONE).status_code == 429
    db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert _sign_up(new_phone(app), tag, phone=PHONE).status_code == 200


def test_alerts_a_subscriber_confirmed_are_not_capped(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, phone=PHONE)
    body = db.session.scalar(select(OutboxMessage.body))
    confirm = _path(_link(body, "confirm"))
    client.post(confirm)
    staff = _merchandiser(app)
    for price in ("45.00", "44.00", "43.00", "42.00"):
        assert "queued for 1 subscriber(s)" in _lower_price(staff, tag, price)
    assert _messages_to(PHONE) == 5


# --- SMS double opt-in ------------------------------------------------------------------------


def test_an_sms_subscription_gets_no_alert_until_its_link_is_tapped(app, client, runner,
                                                                   sms_webhook):
    tag = make_shop().tag
    answer = _sign_up(client, tag, phone="+1 (415) 555-0123", topics=["price_drop"])
    assert answer.status_code == 200
    assert "Tap the link we texted you" in answer.get_data(as_text=True)
    subscription = db.session.scalar(select(Subscription))
    assert subscription.address == PHONE and subscription.confirmed_at is None

    staff = _merchandiser(app)
    assert "queued for 0 subscriber(s)" in _lower_price(staff, tag, "45.00")
    assert "Sent 1, failed 0." in _send_outbox(runner)
    ((opt_in, _),) = sms_webhook.received
    assert opt_in["to"] == PHONE and "Stop: " in opt_in["body"]
    confirm = _path(re.search(r"https://\S+/alerts/confirm/\S+", opt_in["body"]).group(0))

    # A link preview or scanner fetching the link confirms nothing.
    page = new_phone(app).get(confirm)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert "queued for 0 subscriber(s)" in _lower_price(staff, tag, "44.00")

    tapped = new_phone(app).post(confirm)
    assert tapped.status_code == 200 and "texts about Trail Widget" in tapped.get_data(
        as_text=True)
    assert "queued for 1 subscriber(s)" in _lower_price(staff, tag, "39.99")
    _send_outbox(runner)
    assert sms_webhook.received[-1][0]["body"].startswith("Price drop: Trail Widget is now")


# --- GET shows a page, POST acts ---------------------------------------------------------------


def test_get_on_confirm_and_unsubscribe_links_changes_nothing(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    body = db.session.scalar(select(OutboxMessage.body))
    confirm, unsubscribe = _path(_link(body, "confirm")), _path(_link(body, "unsubscribe"))
    scanner = new_phone(app)
    for path in (confirm, unsubscribe):
        page = scanner.get(path)
        assert page.status_code == 200
        assert f'<form method="post" action="{path}">' in page.get_data(as_text=True)
    subscription = db.session.scalar(select(Subscription)
                                     .execution_options(populate_existing=True))
    assert subscription.confirmed_at is None and subscription.unsubscribed_at is None

    # The button on the page (its form) does it.
    person = new_phone(app)
    html = person.get(confirm).get_data(as_text=True)
    assert person.post(confirm, data=form_fields(html, confirm)).status_code == 200
    assert db.session.scalar(select(Subscription.confirmed_at)) is not None
    html = person.get(unsubscribe).get_data(as_text=True)
    done = person.post(unsubscribe, data=form_fields(html, unsubscribe))
    assert done.status_code == 200 and "no more alerts" in done.get_data(as_text=True)
    assert db.session.scalar(select(Subscription.unsubscribed_at)) is not None


def test_one_click_unsubscribe_post_needs_no_form_token(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    body = db.session.scalar(select(OutboxMessage.body))
    answer = new_phone(app).post(_path(_link(body, "unsubscribe")),
                                 data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert db.session.scalar(select(Subscription.unsubscribed_at)) is not None


# --- one bad message never stops the others ----------------------------------------------------


def test_a_bad_message_does_not_stop_the_ones_behind_it(app, client, runner, smtp_server):
    shop = make_shop()
    shop.listing.product.name = "Trail Widget\r\nBcc: everyone@example.com"
    db.session.commit()
    # Queued through the app: the product name with CR/LF goes into the subject.
    assert _sign_up(client, shop.tag, email="first@example.com").status_code == 200
    subject = db.session.scalar(select(OutboxMessage.subject))
    assert "\r" not in subject and "\n" not in subject
    # Rows queued before this fix, or written by hand: a bad subject, an unusable recipient.
    now = utcnow()
    db.session.add_all([
        OutboxMessage(channel="email", recipient="old@example.com", subject="Hi\r\nBcc: x@y.z",
                      body="old", created_at=now, next_attempt_at=now),
        OutboxMessage(channel="email", recipient="bad@example.com\r\nBcc: x@example.com",
                      subject="Hi", body="bad", created_at=now, next_attempt_at=now),
    ])
    db.session.commit()
    assert _sign_up(new_phone(app), shop.tag, email="second@example.com").status_code == 200
    assert _sign_up(new_phone(app), shop.tag, email="third@example.com").status_code == 200

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 4, failed 1." in result.output
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "first@example.com", "old@example.com", "second@example.com", "third@example.com"]
    assert all("Bcc" not in message for message in smtp_server.messages)
    bad = db.session.scalar(select(OutboxMessage).where(OutboxMessage.body == "bad")
                            .execution_options(populate_existing=True))
    assert bad.sent_at is None and bad.attempts == 1 and bad.last_error


def test_a_confirm_link_does_not_confirm_a_changed_address(app):
    tag = make_shop().tag
    for field, own, stranger in [("email", "me@example.com", "stranger@example.com"),
                                 ("phone", "+14155550100", PHONE)]:
        attacker = new_phone(app)
        _sign_up(attacker, tag, **{field: own})
        own_link = _path(_link(db.session.scalars(select(OutboxMessage.body)
                                                  .order_by(OutboxMessage.id.desc())).first(),
                               "confirm"))
        _sign_up(attacker, tag, **{field: stranger})  # the same subscription, another address
        assert attacker.post(own_link).status_code == 404
        subscription = db.session.scalar(
            select(Subscription).where(Subscription.address == stranger)
            .execution_options(populate_existing=True))
        assert subscription.confirmed_at is None, field


def test_email_confirm_links_sent_before_the_fix_still_work_but_not_for_texts(app):
    tag = make_shop().tag
    _sign_up(new_phone(app), tag, email="early@example.com")
    _sign_up(new_phone(app), tag, phone=PHONE)
    by_channel = {s.channel: s.id for s in db.session.scalars(select(Subscription))}
    # The old form of the link named the subscription only.
    assert new_phone(app).post(
        f"/alerts/confirm/{tokens.make(tokens.CONFIRM, by_channel['sms'])}").status_code == 404
    assert new_phone(app).post(
        f"/alerts/confirm/{tokens.make(tokens.CONFIRM, by_channel['email'])}").status_code == 200
    confirmed = dict(db.session.execute(select(Subscription.channel, Subscription.confirmed_at)
                                        .execution_options(populate_existing=True)).all())
    assert confirmed["email"] is not None and confirmed["sms"] is None
