"""Hooks for the associate's client book, which belongs to assist (above the wish list).

assist fills them at app start (qrshop.create_app), so the wish list never imports assist:
the shopper's /wishlist page asks whether the shopper let a retailer's associates see their
client book (to show the consent toggle), and the counter view hands a consenting shopper's
code to the client book. Without a provider the wish list works as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

# (retailer_id, shopper_id) -> whether the shopper consented
ConsentOf = Callable[[int, str], bool]
# (token) -> the client book's URL for this counter code
BookUrl = Callable[[str], str]
_provider: dict[str, Callable] = {}


def provide(*, consent_of: ConsentOf, book_url: BookUrl) -> None:
    """Called once at app start by the feature that owns the client book."""
    _provider["consent_of"] = consent_of
    _provider["book_url"] = book_url


def is_available() -> bool:
    """Whether the client book exists in this app."""
    return "consent_of" in _provider


def consent_of(retailer_id: int, shopper_id: str) -> bool:
    """Whether the shopper lets this retailer's associates see their client book."""
    provider = _provider.get("consent_of")
    return bool(provider and provider(retailer_id, shopper_id))


def book_url(token: str) -> Optional[str]:
    """Where the counter view sends an associate for a consenting shopper's code."""
    provider = _provider.get("book_url")
    return provider(token) if provider else None
