"""Fixtures for webhooks: a local receiver (http.server in a thread) and API helpers."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from qrshop.accounts.services import create_api_token
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.webhooks.models import Webhook, WebhookDelivery
from tests.factories import make_shop, make_user


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers `status`."""

    status: int = 204
    requests: list = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        """Where webhooks should point."""
        return f"http://127.0.0.1:{self.port}/hooks/qrshop?source=test"

    def start(self) -> None:
        """Listen (again, on the same port once it had one)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: deliveries now fail (connection refused)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    """A running receiver, stopped after the test."""
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def allow_private(app):
    """QRSHOP_WEBHOOK_ALLOW_PRIVATE on: webhooks may call this machine over http."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    return app


@dataclass
class Parties:
    """A shop with a merchandiser, a vendor user and another retailer's merchandiser, each
    with an API token (as Authorization headers)."""

    shop: object
    merchandiser: dict
    vendor: dict
    other_merchandiser: dict
    merchandiser_email: str
    vendor_email: str


def bearer(user) -> dict:
    """Authorization header of a new API token of the user."""
    return {"Authorization": f"Bearer {create_api_token(user, 'webhooks test')[1]}"}


@pytest.fixture
def parties(app) -> Parties:
    """The shop and its people's tokens, committed."""
    from tests.factories import make_retailer, make_store

    shop = make_shop()
    other = make_retailer("bestmart")
    make_store(other, "LA01")
    merch = make_user("merchandiser", "merch@acme.test", retailer_slug="acme")
    vendor = make_user("vendor", "vendor@widgetco.test", vendor_slug="widgetco")
    other_merch = make_user("merchandiser", "merch@bestmart.test", retailer_slug="bestmart")
    parties = Parties(shop, bearer(merch), bearer(vendor), bearer(other_merch),
                      merch.email, vendor.email)
    db.session.commit()
    return parties


def create_webhook(client, headers: dict, url: str, events: list[str]) -> dict:
    """POST /api/v1/webhooks; the 201 answer (with the secret)."""
    response = client.post("/api/v1/webhooks", json={"url": url, "events": events},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(webhook_id: int) -> list[WebhookDelivery]:
    """A webhook's delivery rows, oldest first, read afresh."""
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery)
                                   .where(WebhookDelivery.webhook_id == webhook_id)
                                   .order_by(WebhookDelivery.id)))


def make_due(webhook_id: int | None = None) -> None:
    """Advance time for the retries: every queued delivery is due now."""
    statement = update(WebhookDelivery).where(WebhookDelivery.status == "queued")
    if webhook_id is not None:
        statement = statement.where(WebhookDelivery.webhook_id == webhook_id)
    db.session.execute(statement.values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def webhook_row(webhook_id: int) -> Webhook:
    """The webhook row, read afresh."""
    db.session.expire_all()
    return db.session.get(Webhook, webhook_id)
