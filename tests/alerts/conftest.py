"""A real SMTP server (aiosmtpd) and a tiny SMS webhook, started by the tests that need them."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every message it accepts, or refusing them all with 5xx;
    .receiving is set when a message starts arriving, .delay slows each one down."""

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.delay = 0.0
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        """Accept (250) or refuse (554) one message."""
        self.receiving.set()
        await asyncio.sleep(self.delay)
        if self.refuse:
            return "554 5.7.1 Message rejected for testing"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """A running SMTP server on localhost; the app's QRSHOP_SMTP_URL points at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()


class _SmsProvider(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append((body, self.headers.get("Authorization")))
        status = self.server.status
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_webhook(app):
    """A local HTTP server standing in for the SMS provider; .received holds what it got."""
    server = HTTPServer(("127.0.0.1", 0), _SmsProvider)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["SMS_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/sms"
    app.config["SMS_WEBHOOK_TOKEN"] = "provider-token"
    yield server
    server.shutdown()
    server.server_close()
