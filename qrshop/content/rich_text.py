"""Editor HTML (Trix's, or pasted) mapped onto what the sanitizer keeps, then sanitized.

Trix writes a paragraph as `<div>`, a blank line as `<br><br>`, a heading as `<h1>`; pasted
text may bring `<h2>`, `<pre>` or `<del>`. Left to the sanitizer alone, those would lose their
structure (every `<div>` would melt into one run of text). So the HTML is first made
well-formed and harmless by nh3 with a wider allow-list, then its structure is mapped onto the
allowed set (div -> p, a blank line -> a new paragraph, h1/h2 -> h3, h5/h6 -> h4, pre -> p),
and the result goes through the one sanitizer every piece of rich text passes
(qrshop.content.sanitize). Stored HTML is therefore always in the allowed set, whatever
arrives.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

from qrshop.content.sanitize import ALLOWED_TAGS, clean_rich_text

# Tags renamed onto the allowed set; a `div` is a paragraph.
_RENAMED = {"h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4", "pre": "p", "div": "p"}
# Tags the first pass keeps so that their structure can be mapped (nothing else survives).
_MAPPED = ALLOWED_TAGS | {"a"} | set(_RENAMED)
# Containers a `div` of Trix nests in: there its lines stay lines, not new paragraphs.
_NO_PARAGRAPHS_INSIDE = {"li", "h3", "h4", "p"}
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")


class _Mapper(HTMLParser):
    """Rewrite well-formed HTML (nh3's output) tag by tag onto the allowed structure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[str | None] = []  # what each open tag became (None: dropped)
        self.pending_breaks = 0

    def _in_paragraph(self) -> bool:
        return bool(self.stack) and self.stack[-1] == "p"

    def _flush_breaks(self) -> None:
        """Breaks before more text: one is a line break; two or more end the paragraph."""
        if self.pending_breaks >= 2 and self._in_paragraph():
            self.out.append("</p><p>")
        elif self.pending_breaks:
            self.out.append("<br>" * min(self.pending_breaks, 2))
        self.pending_breaks = 0

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.pending_breaks += 1
            return
        self._flush_breaks()
        name = _RENAMED.get(tag, tag)
        if name == "p" and any(open_tag in _NO_PARAGRAPHS_INSIDE for open_tag in self.stack):
            self.stack.append(None)  # a div inside a list item or heading adds nothing
            return
        self.stack.append(name)
        href = dict(attrs).get("href") if tag == "a" else None
        attributes = f' href="{_attribute(href)}"' if href is not None else ""
        self.out.append(f"<{name}{attributes}>")

    def handle_endtag(self, tag):
        if tag == "br" or not self.stack:
            return
        self.pending_breaks = 0  # a break at the end of a block shows nothing
        name = self.stack.pop()
        if name is not None:
            self.out.append(f"</{name}>")

    def handle_data(self, data):
        if data.strip():
            self._flush_breaks()
        self.out.append(data)

    def handle_entityref(self, name):
        self._flush_breaks()
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self._flush_breaks()
        self.out.append(f"&#{name};")


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def editor_html_to_clean(html: str) -> str:
    """Map editor HTML onto paragraphs, emphasis, lists, h3/h4, quotes and links; sanitize it.

    Anything that could run (script, event handlers, javascript: links, style) is gone after
    the first pass already; the last pass is the same sanitizer as every other rich text.
    """
    well_formed = nh3.clean(html or "", tags=_MAPPED, attributes={"a": {"href"}},
                            url_schemes={"http", "https", "mailto"}, link_rel=None,
                            strip_comments=True)
    mapper = _Mapper()
    mapper.feed(well_formed)
    mapper.close()
    cleaned = clean_rich_text("".join(mapper.out))
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()
