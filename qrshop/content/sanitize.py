"""Vendor rich text, cleaned by nh3 (ammonia) to a small allow-list before it is stored."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MAX_RICH_TEXT = 20_000


def sanitize_rich_text(html: str) -> str:
    """Keep only the allow-listed tags; links get rel="noopener nofollow"; scripts vanish."""
    return nh3.clean(
        (html or "")[:MAX_RICH_TEXT],
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()
