"""Sharing a landing page: link previews in the retailer's brand, share button, small page."""

from __future__ import annotations

import gzip

from tests.factories import make_shop
from tests.helpers import make_offer

BASE = "https://qr.example.com"


def test_landing_page_carries_open_graph_and_twitter_tags(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert '<meta property="og:title" content="Trail Widget · Acme">' in html
    assert '<meta property="og:site_name" content="Acme">' in html
    assert f'<meta property="og:url" content="{BASE}/t/{tag.code}">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "$49.99 at Acme Store NYC01" in html


def test_link_previewers_get_the_preview_tags_too(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}", headers={
        "User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    }).get_data(as_text=True)
    assert 'property="og:title"' in html


def test_share_button_and_plain_link_fallback(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    # The Web Share button is hidden until the script finds navigator.share.
    assert f'data-share="{BASE}/t/{tag.code}?via=share" hidden>Share</button>' in html
    assert 'href="mailto:?subject=Trail%20Widget' in html
    assert '<script src="/static/engage.js" defer></script>' in html
    assert "<script>" not in html  # no inline script (CSP)


def test_landing_page_with_engagement_stays_within_14_kb_compressed(client):
    shop = make_shop()
    make_offer(shop.retailer)
    html = client.get(f"/t/{shop.tag.code}").get_data()
    with client.get("/static/engage.js") as script:
        js = script.get_data()
    assert len(gzip.compress(html)) + len(gzip.compress(js)) <= 14 * 1024
