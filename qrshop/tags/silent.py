"""Silent tags (active, no counted scan lately) for the console tag list.

Whether a tag is silent is a question about scans, which analytics answers; tags only shows
the answer. analytics fills this hook at app start (qrshop.create_app), so tags never
imports analytics. Without a provider no tag is silent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

SilentTags = Callable[..., list[dict]]  # (stores, now, limit=None) -> rows
SilentTagCount = Callable[[list[Any], datetime], int]  # (stores, now) -> how many

_provider: dict[str, Callable] = {}


def provide(silent_tags: SilentTags, silent_tag_count: SilentTagCount) -> None:
    """Called once at app start by the feature that knows about scans."""
    _provider["tags"], _provider["count"] = silent_tags, silent_tag_count


def silent_tags(stores: list, now: datetime, limit: int | None = None) -> list[dict]:
    provider = _provider.get("tags")
    return provider(stores, now, limit=limit) if provider else []


def silent_tag_count(stores: list, now: datetime) -> int:
    provider = _provider.get("count")
    return provider(stores, now) if provider else 0
