"""How accounts sends an email (invitations, password resets) without importing alerts.

alerts owns the outbox and sits above accounts (its views check accounts' roles), so it
fills this hook at app start (qrshop.create_app) with its outbox.
"""

from __future__ import annotations

from collections.abc import Callable

_queue: dict[str, Callable[..., object]] = {}


def provide(queue_message: Callable[..., object]) -> None:
    """Called once at app start: queue_message(channel=, recipient=, subject=, body=)."""
    _queue["email"] = queue_message


def send_email(recipient: str, subject: str, body: str) -> None:
    """Queue an email for delivery (the outbox sends it later)."""
    _queue["email"](channel="email", recipient=recipient, subject=subject, body=body)
