"""Per-token rate limits of the API: `API_RATE_LIMIT` (default 600 per minute) per token.

Every answer to a valid token carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds until the window ends); a request over the limit answers 429
`rate_limited` with `Retry-After`. Counts live in the storage every rate limit shares
(qrshop/ratelimit.py: the database, or Redis when QRSHOP_REDIS_URL is set), so the limit holds
across workers and nodes; fixed windows, as for every other limit. If the storage fails,
this worker counts in its own memory until it answers again (never a 500, never unlimited).
"""

from __future__ import annotations

import math
import time

from flask import Response, after_this_request, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage

from qrshop.errors import InvalidInput
from qrshop.extensions import limiter

_fallback = MemoryStorage()


def parse_rate_limit(text: str) -> RateLimitItem:
    """The limit written as "600/minute" (or "600 per minute", "10/second"); ValueError
    with a message a person can act on."""
    try:
        item = parse(text)
    except ValueError:
        raise ValueError(f"QRSHOP_API_RATE_LIMIT must look like 600/minute, got {text!r}") \
            from None
    if item.amount < 1:
        raise ValueError(f"QRSHOP_API_RATE_LIMIT must allow at least 1 request, got {text!r}")
    return item


def describe_rate_limit(text: str) -> str:
    """The limit as a person reads it: "600 requests per minute"."""
    item = parse_rate_limit(text)
    per = f"{item.multiples} {item.GRANULARITY.name}s" if item.multiples > 1 \
        else item.GRANULARITY.name
    return f"{item.amount} request{'s' if item.amount > 1 else ''} per {per}"


def _count(storage: Storage, item: RateLimitItem, key: str) -> tuple[int, float]:
    """Count one hit of key in its window; return the window's count and when it ends."""
    count = storage.incr(key, item.get_expiry())
    return count, storage.get_expiry(key)


def count_api_request(api_token_id: int) -> None:
    """Count this request against its token's limit: add the RateLimit-* headers to the
    answer, whatever it is, and answer 429 rate_limited when the token is over."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item_text = current_app.config["API_RATE_LIMIT"]
    item = parse_rate_limit(item_text)
    key = item.key_for("api-token", str(api_token_id))
    try:
        count, reset_at = _count(limiter.limiter.storage, item, key)
    except Exception:  # noqa: BLE001 - as RATELIMIT_SWALLOW_ERRORS: never a 500
        current_app.logger.exception("Rate-limit storage failed; counting API requests in "
                                     "this worker's memory")
        count, reset_at = _count(_fallback, item, key)
    reset = max(0, math.ceil(reset_at - time.time()))
    headers = {
        "RateLimit-Limit": str(item.amount),
        "RateLimit-Remaining": str(max(0, item.amount - count)),
        "RateLimit-Reset": str(reset),
    }
    if count > item.amount:
        headers["Retry-After"] = str(max(1, reset))

    @after_this_request
    def add_headers(response: Response) -> Response:
        response.headers.update(headers)
        return response

    if count > item.amount:
        raise InvalidInput(
            f"This token used up its {describe_rate_limit(item_text)}; wait "
            f"{max(1, reset)} seconds (Retry-After), then send fewer requests (bulk writes "
            "take up to 100 items in one).",
            code="rate_limited", status_code=429)
