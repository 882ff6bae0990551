"""Alerts: sign-up with consent, email double opt-in, SMS, the outbox and unsubscribing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from qrshop import tokens
from qrshop.alerts.models import OutboxMessage, Subscription
from qrshop.extensions import db
from qrshop.wishlist.models import WishlistItem
from tests.alerts.conftest import free_port
from tests.factories import login, make_shop, make_user
from tests.helpers import form_fields, new_phone

BASE = "https://qr.example.com"


def _sign_up(device, tag, **fields):
    html = device.get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    data = {**form_fields(html, f"/t/{tag.code}/alerts"),
            "topics": ["price_drop", "back_in_stock", "sale"], "consent": "yes", **fields}
    return device.post(f"/t/{tag.code}/alerts", data=data)


def _send_outbox(runner):
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def _path(url: str) -> str:
    assert url.startswith(BASE)
    return url[len(BASE):]


def _link(text: str, kind: str) -> str:
    return re.search(BASE + r"/alerts/" + kind + r"/\S+", text).group(0)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _merchandiser(app):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    return staff


def _lower_price(staff, tag, price="39.99"):
    listing_id = tag.listing_id
    html = staff.get("/console/items").get_data(as_text=True)
    fields = form_fields(html, f"/console/items/{listing_id}/price")
    response = staff.post(f"/console/items/{listing_id}/price", data={**fields, "price": price},
                          follow_redirects=True)
    return response.get_data(as_text=True)


def test_landing_page_links_to_alerts_and_the_form_shows_the_consent(client):
    tag = make_shop().tag
    assert f'href="/t/{tag.code}/alerts"' in client.get(f"/t/{tag.code}").get_data(as_text=True)
    html = client.get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    assert "Price drop" in html and "Back in stock" in html and "Sale" in html
    assert "I agree that Acme may send me alerts about Trail Widget" in html


def test_email_alert_end_to_end_through_a_real_smtp_server(app, client, runner, smtp_server):
    tag = make_shop().tag
    response = _sign_up(client, tag, email="Shopper@Example.com")
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    # Signing up saves the item and stores the consent exactly as shown, with its time.
    assert "Trail Widget" in client.get("/wishlist").get_data(as_text=True)
    subscription = db.session.scalar(select(Subscription))
    assert subscription.consent_text.startswith("I agree that Acme may send me alerts")
    assert subscription.consented_at is not None and subscription.confirmed_at is None

    assert "Sent 1, failed 0." in _send_outbox(runner)
    (confirmation,) = smtp_server.messages
    assert confirmation["To"] == "Shopper@example.com"
    assert confirmation["Subject"] == "Confirm your alerts about Trail Widget"
    body = confirmation.get_content()
    assert _link(body, "unsubscribe") in confirmation["List-Unsubscribe"]

    # Not confirmed yet: a price drop sends nothing.
    staff = _merchandiser(app)
    assert "Price-drop alert queued for 0 subscriber(s)" in _lower_price(staff, tag, "45.00")

    confirmed = client.post(_path(_link(body, "confirm")))
    assert confirmed.status_code == 200 and "Alerts confirmed" in confirmed.get_data(as_text=True)
    assert "Price-drop alert queued for 1 subscriber(s)" in _lower_price(staff, tag, "39.99")
    _send_outbox(runner)
    alert = smtp_server.messages[-1]
    text = alert.get_content()
    assert alert["Subject"] == "Price drop: Trail Widget is now $39.99 at Acme"
    assert f"{BASE}/t/{tag.code}?via=alert" in text
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = _link(text, "unsubscribe")
    assert alert["List-Unsubscribe"] == f"<{unsubscribe}>"

    # One click on the page's button, on any device, no login.
    page = new_phone(app).post(_path(unsubscribe))
    assert page.status_code == 200 and "no more alerts" in page.get_data(as_text=True)
    assert "Price-drop alert queued for 0 subscriber(s)" in _lower_price(staff, tag, "29.99")


def test_mail_apps_one_click_unsubscribe_by_post(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    body = db.session.scalar(select(OutboxMessage.body))
    assert new_phone(app).post(_path(_link(body, "unsubscribe"))).status_code == 200
    assert db.session.scalar(select(Subscription.unsubscribed_at)) is not None


def test_a_refusing_smtp_server_leaves_the_message_queued(client, runner, smtp_server):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    smtp_server.refuse = True
    result = runner.invoke(args=["outbox", "send"])
    assert "Sent 0, failed 1." in result.output and "554" in result.output
    message = db.session.scalar(select(OutboxMessage).execution_options(populate_existing=True))
    assert message.sent_at is None and message.attempts == 1 and "554" in message.last_error
    assert message.next_attempt_at > message.created_at
    # The retry waits for its time: sending again now delivers nothing.
    smtp_server.refuse = False
    assert "Sent 0, failed 0." in _send_outbox(runner)
    assert smtp_server.messages == []


def test_a_closed_port_leaves_the_message_queued(app, client, runner):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    assert "Sent 0, failed 1." in runner.invoke(args=["outbox", "send"]).output
    message = db.session.scalar(select(OutboxMessage).execution_options(populate_existing=True))
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error


def test_sms_alerts_go_to_the_provider_webhook(app, client, runner, sms_webhook):
    tag = make_shop().tag
    assert _sign_up(client, tag, phone="+1 (415) 555-0123", topics=["price_drop"]) \
        .status_code == 200
    assert db.session.scalar(select(Subscription.address)) == "+14155550123"
    client.post(_path(_link(db.session.scalar(select(OutboxMessage.body)), "confirm")))
    _lower_price(_merchandiser(app), tag)
    assert "Sent 2, failed 0." in _send_outbox(runner)
    (welcome, auth), (alert, _) = sms_webhook.received
    assert auth == "Bearer provider-token"
    assert welcome["to"] == "+14155550123" and "Stop: " + BASE + "/alerts/unsubscribe/" \
        in welcome["body"]
    assert alert["body"].startswith("Price drop: Trail Widget is now $39.99 at Acme")
    unsubscribe = re.search(r"Stop: (\S+)", alert["body"]).group(1)
    assert new_phone(app).post(_path(unsubscribe)).status_code == 200
    assert db.session.scalar(select(Subscription.unsubscribed_at)) is not None


def test_a_failing_sms_webhook_leaves_the_text_queued(client, runner, sms_webhook):
    tag = make_shop().tag
    _sign_up(client, tag, phone="+14155550123")
    sms_webhook.status = 503
    assert "Sent 0, failed 1." in runner.invoke(args=["outbox", "send"]).output
    message = db.session.scalar(select(OutboxMessage).execution_options(populate_existing=True))
    assert message.sent_at is None and message.attempts == 1 and "503" in message.last_error


def test_only_chosen_topics_are_sent(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, phone="+14155550123", topics=["back_in_stock"])
    client.post(_path(_link(db.session.scalar(select(OutboxMessage.body)), "confirm")))
    staff = _merchandiser(app)
    assert "queued for 0 subscriber(s)" in _lower_price(staff, tag)
    html = staff.get("/console/items").get_data(as_text=True)
    fields = form_fields(html, f"/console/items/{tag.listing_id}/alert")
    answer = staff.post(f"/console/items/{tag.listing_id}/alert",
                        data={**fields, "topic": "back_in_stock", "note": "Size M is back",
                              "confirm": "yes"},
                        follow_redirects=True).get_data(as_text=True)
    assert "queued for 1 subscriber(s)" in answer
    bodies = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert bodies[-1].startswith("Back in stock: Trail Widget at Acme. Size M is back.")


def test_bad_sign_ups_are_refused_and_store_nothing(client):
    tag = make_shop().tag
    cases = [
        ({"email": "not-an-email"}, "email address does not work"),
        ({"phone": "415 555 0123"}, "country code"),
        ({"phone": "+1 000"}, "not a valid phone number"),
        ({"email": "ok@example.com", "phone": "+1 000"}, "not a valid phone number"),
        ({}, "Give an email address or a mobile number"),
        ({"email": "ok@example.com", "topics": []}, "Tick at least one"),
        ({"email": "ok@example.com", "consent": ""}, "Tick the box to agree"),
    ]
    for fields, message in cases:
        response = _sign_up(client, tag, **fields)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert _count(Subscription) == 0 and _count(OutboxMessage) == 0
    assert _count(WishlistItem) == 0


def test_expired_and_forged_links_are_refused(app, client, monkeypatch):
    tag = make_shop().tag
    _sign_up(client, tag, email="shopper@example.com")
    confirm = _path(_link(db.session.scalar(select(OutboxMessage.body)), "confirm"))
    assert client.get(confirm[:-3] + "xyz").status_code == 404
    monkeypatch.setitem(tokens.MAX_AGE, tokens.CONFIRM, -1)
    response = client.get(confirm)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Subscription.confirmed_at)) is None


def test_one_shopper_cannot_see_another_shoppers_subscriptions(app, client):
    tag = make_shop().tag
    _sign_up(client, tag, email="private@example.com")
    assert "private@example.com" in client.get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    html = new_phone(app).get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    assert "private@example.com" not in html


def test_sign_ups_are_rate_limited_per_shopper(app, client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}")  # the scan gives the phone its shopper cookie
    statuses = [_sign_up(client, tag, email=f"s{n}@example.com").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _sign_up(new_phone(app), tag, email="other@example.com").status_code == 200
    # Mistakes do not count against the limit: nothing was sent.
    other = new_phone(app)
    other.get(f"/t/{tag.code}")
    assert [_sign_up(other, tag, email="bad").status_code for _ in range(6)] == [422] * 6
    assert _sign_up(other, tag, email="good@example.com").status_code == 200


def test_only_merchandisers_of_the_retailer_change_prices(app, client):
    make_shop()
    assert client.get("/console/items").status_code in (302, 401, 403)
    associate = new_phone(app)
    login(associate, make_user("associate", retailer_slug="acme", store_code="NYC01").email)
    assert associate.get("/console/items").status_code == 403
