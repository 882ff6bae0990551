"""Vendor rich text keeps its formatting and loses anything that could run."""

from __future__ import annotations

import pytest

from qrshop.content.sanitize import clean_rich_text as sanitize_rich_text


def test_formatting_survives():
    html = ("<h3>Why</h3><p>Warm <strong>and</strong> <em>dry</em><br></p>"
            "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><h4>x</h4>")
    assert sanitize_rich_text(html) == html


def test_links_get_noopener_nofollow():
    assert sanitize_rich_text('<a href="https://example.com/care" target="_blank">care</a>') == \
        '<a href="https://example.com/care" rel="noopener nofollow">care</a>'


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    '<p onclick="alert(1)">x</p>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
])
def test_nothing_that_runs_survives(attack):
    cleaned = sanitize_rich_text(attack).lower()
    for bad in ("<script", "<style", "onclick", "onerror", "onload", "javascript:", "<iframe",
                "style=", "<img", "<svg", "alert(1)</"):
        assert bad not in cleaned
