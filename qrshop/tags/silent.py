"""Silent tags (active, no counted scan lately) for the console tag list and the tag.silent
webhook event.

Whether a tag is silent is a question about scans, which analytics answers; tags only shows
the answer. analytics fills this hook at app start (qrshop.create_app), so tags never
imports analytics. Without a provider no tag is silent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from qrshop.accounts import queries as accounts
from qrshop.webhooks.emit import emit, subscribed_retailers

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


def report_silent_tags(now: datetime) -> int:
    """Queue tag.silent for each silent tag of every retailer with a webhook for it, once per
    tag and silence (the key is the tag and its last counted scan, so a tag scanned again
    and silent again is reported again); return how many deliveries were queued. Run by
    `qrshop tags report-silent` (cron, daily) or a worker."""
    queued = 0
    for retailer_id in subscribed_retailers("tag.silent"):
        slug = accounts.retailer(retailer_id).slug
        for row in silent_tags(accounts.stores_of_retailer(retailer_id), now):
            last = row["last_scan"]
            queued += emit("tag.silent", retailer_id=retailer_id, data={
                "retailer": slug, "store": row["store"], "tag": row["code"],
                "placement": row["placement"], "product": row["product"], "last_scan_at": last,
            }, event_key=f"{row['code']}:{last.isoformat() if last else 'never'}")
    return queued
