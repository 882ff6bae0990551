"""How a message reaches a shopper: an enum other features pass to the outbox, kept out of
alerts.models."""

from __future__ import annotations

import enum


class Channel(enum.StrEnum):
    """How a message reaches a shopper."""

    EMAIL = "email"
    SMS = "sms"
