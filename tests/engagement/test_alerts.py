"""Alerts: sign-up with consent, email double opt-in, outbox delivery to a real SMTP server
(aiosmtpd, started here) and an SMS webhook, unsubscribe links, retries on failure."""

from __future__ import annotations

import json
import re
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from qrshop.engagement.models import OutboxMessage, Subscription
from qrshop.extensions import db
from tests.engagement.helpers import form_fields, new_phone
from tests.factories import csrf_token, login, make_shop, make_user


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port."""
    inbox = Inbox()
    port = _closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sign_up(phone, tag, channel, address, topics=("price_drop",)):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    fields = form_fields(html, f"/t/{tag.code}/alerts")
    return phone.post(f"/t/{tag.code}/alerts", data={**fields, "channel": channel,
                                                     "address": address,
                                                     "topic": list(topics)})


def _send(runner):
    return runner.invoke(args=["outbox", "send"])


def _link(text: str, kind: str) -> str:
    return re.search(rf"https://qr\.example\.com(/alerts/{kind}/\S+)", text).group(1)


def test_email_double_opt_in_alert_and_unsubscribe(app, runner, smtp_server):
    url, inbox = smtp_server
    app.config["SMTP_URL"] = url
    retailer, store, _, vendor, tag = make_shop()
    phone = new_phone(app)
    response = _sign_up(phone, tag, "email", "Ann@Example.com")
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    subscription = db.session.scalar(select(Subscription))
    assert subscription.address == "ann@example.com" and subscription.confirmed_at is None
    assert "I agree to receive emails from Acme about Trail Widget" in subscription.consent_text
    assert subscription.consented_at is not None

    result = _send(runner)
    assert result.exit_code == 0, result.output
    [confirmation] = inbox.messages
    assert confirmation["To"] == "ann@example.com"
    body = confirmation.get_content()
    assert "confirm" in body.lower() and "/alerts/unsubscribe/" in body
    assert confirmation["List-Unsubscribe"].startswith("<https://qr.example.com/alerts/")

    # An alert before confirming reaches nobody.
    merch = make_user("merchandiser", retailer_slug="acme")
    console = app.test_client()
    login(console, merch.email)
    token = csrf_token(console, "/console/alerts")
    alert = {"csrf_token": token, "listing": tag.listing_id, "topic": "price_drop",
             "text": "Now $39.99!"}
    assert console.post("/console/alerts", data=alert).status_code == 302
    _send(runner)
    assert len(inbox.messages) == 1

    page = phone.get(_link(body, "confirm"))
    assert page.status_code == 200 and "Alerts confirmed" in page.get_data(as_text=True)
    console.post("/console/alerts", data=alert)
    console.post("/console/alerts", data={**alert, "topic": "sale"})  # not subscribed to sales
    _send(runner)
    assert len(inbox.messages) == 2
    message = inbox.messages[-1]
    text = message.get_content()
    assert "Now $39.99!" in text and "Unsubscribe: https://qr.example.com/alerts/unsubscribe/" \
        in text

    unsubscribe = _link(text, "unsubscribe")
    assert "Unsubscribe" in phone.get(unsubscribe).get_data(as_text=True)  # asks first
    assert "You are unsubscribed" in phone.post(unsubscribe).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Subscription)).unsubscribed_at is not None
    console.post("/console/alerts", data=alert)
    _send(runner)
    assert len(inbox.messages) == 2


def test_a_failing_smtp_server_leaves_the_message_queued(app, runner):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    *_, tag = make_shop()
    _sign_up(new_phone(app), tag, "email", "bob@example.com")
    result = _send(runner)
    assert result.exit_code == 1 and "failed 1" in result.output
    message = db.session.scalar(select(OutboxMessage))
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > message.created_at  # retried later, not at once
    assert "Sent 0, failed 0" in _send(runner).output  # not due yet


class _Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Webhook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_sms_opt_in_goes_to_the_provider_webhook(app, runner):
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Webhook.received = []
    app.config["SMS_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/sms"
    try:
        *_, tag = make_shop()
        response = _sign_up(new_phone(app), tag, "sms", "+1 (404) 555-0100",
                            ("price_drop", "sale"))
        assert response.status_code == 200
        subscription = db.session.scalar(select(Subscription))
        assert subscription.address == "+14045550100" and subscription.confirmed_at
        assert "text messages" in subscription.consent_text
        assert "Sent 1" in _send(runner).output
    finally:
        server.shutdown()
        server.server_close()
    [sms] = _Webhook.received
    assert sms["to"] == "+14045550100" and "/alerts/unsubscribe/" in sms["body"]


@pytest.mark.parametrize(
    ("channel", "address", "topics", "message"),
    [("email", "not-an-email", ("price_drop",), "Enter an email address"),
     ("sms", "404-555", ("price_drop",), "country code"),
     ("email", "a@b.com", (), "at least one kind of alert"),
     ("email", "a@b.com", ("lottery",), "at least one kind of alert"),
     ("fax", "a@b.com", ("sale",), "Choose email or text")],
)
def test_bad_sign_ups_are_refused_and_store_nothing(app, channel, address, topics, message):
    *_, tag = make_shop()
    response = _sign_up(new_phone(app), tag, channel, address, topics)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Subscription)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_tampered_links_are_refused(app, client):
    make_shop()
    assert client.get("/alerts/confirm/not-a-token").status_code == 404
    assert client.post("/alerts/unsubscribe/not-a-token").status_code == 404
