"""Vendor rich text, cleaned by nh3 (Ammonia) to a small allow-list before anyone sees it."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4",
                "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def clean_rich_text(html: str) -> str:
    """Keep paragraphs, emphasis, lists, small headings and plain links; drop the rest.

    No script, style, event handler, iframe or javascript: URL survives; links get
    rel="noopener nofollow".
    """
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS | {"a"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        strip_comments=True,
    )
