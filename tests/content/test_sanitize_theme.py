"""Vendor rich text is sanitized; retailer colours must be readable (WCAG AA)."""

from __future__ import annotations

import pytest

from qrshop.accounts.theme import contrast, update_theme
from qrshop.content.sanitize import clean_rich_text
from qrshop.errors import InvalidInput
from tests.factories import csrf_token, login, make_retailer, make_shop, make_user


@pytest.mark.parametrize(
    "nasty",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<p onclick="steal()">hi</p>',
        '<svg><script>alert(1)</script></svg>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
    ],
)
def test_nothing_executable_survives(nasty):
    cleaned = clean_rich_text(nasty).lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<style", "<iframe", "style=",
                "<svg", "<img"):
        assert bad not in cleaned


def test_allowed_formatting_and_links_stay():
    html = ('<h3>Care</h3><p>Wash <strong>cold</strong>, <em>hang</em> dry.</p>'
            '<ul><li>Waterproof</li></ul><a href="https://brand.example/care">More</a>')
    cleaned = clean_rich_text(html)
    assert "<h3>Care</h3>" in cleaned and "<strong>cold</strong>" in cleaned
    assert "<li>Waterproof</li>" in cleaned
    assert 'href="https://brand.example/care"' in cleaned and 'rel="noopener nofollow"' in cleaned


def test_low_contrast_colours_are_refused_with_the_ratio(app):
    retailer = make_retailer()
    with pytest.raises(InvalidInput, match=r"contrast 1\.[0-9]:1, below the 4\.5:1"):
        update_theme(retailer, primary="#ffff00", accent="#ffffff", font="system",
                     footer_text="")
    assert contrast("#ffffff", "#7a1f3d") > 4.5
    update_theme(retailer, primary="#7A1F3D", accent="#FFFFFF", font="serif",
                 footer_text="Open daily")
    assert (retailer.primary_colour, retailer.font) == ("#7a1f3d", "serif")
    for bad in ({"primary": "red"}, {"font": "Comic Sans"}, {"footer_text": "x" * 301}):
        with pytest.raises(InvalidInput):
            update_theme(retailer, **{"primary": "#7a1f3d", "accent": "#ffffff",
                                      "font": "system", "footer_text": "", **bad})


def test_merchandiser_edits_the_theme_and_the_landing_page_follows(app, client):
    tag = make_shop().tag
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/theme")
    refused = client.post("/console/theme", data={
        "csrf_token": token, "primary": "#777777", "accent": "#888888", "font": "system",
        "footer_text": ""})
    assert refused.status_code == 422 and "below the 4.5:1" in refused.get_data(as_text=True)
    saved = client.post("/console/theme", data={
        "csrf_token": token, "primary": "#0b3d2e", "accent": "#ffffff", "font": "humanist",
        "footer_text": "Acme · since 1901"})
    assert saved.status_code == 302
    page = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert "--primary:#0b3d2e" in page and "Acme · since 1901" in page
