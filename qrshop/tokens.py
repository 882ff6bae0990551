"""Signed tokens in links that work without a login: confirm, unsubscribe, magic link, counter.

Each purpose has its own salt, so a token made for one can never be used as another.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM = "qrshop.alerts.confirm"
UNSUBSCRIBE = "qrshop.alerts.unsubscribe"
MAGIC_LINK = "qrshop.wishlist.link"
COUNTER = "qrshop.wishlist.counter"

# How long each kind of link works, in seconds (None: for as long as the message exists).
MAX_AGE = {CONFIRM: 7 * 24 * 3600, UNSUBSCRIBE: None, MAGIC_LINK: 3600, COUNTER: 30 * 60}


class TokenExpired(Exception):
    """A correctly signed token that is too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make(purpose: str, payload: Any) -> str:
    """A signed, timestamped token carrying payload for one purpose."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str) -> Optional[Any]:
    """The payload of a valid token; None if forged or malformed; TokenExpired if too old."""
    try:
        return _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise TokenExpired() from None
    except BadSignature:
        return None
