"""Sharing a landing page: link previews in the retailer's brand, share button, small page."""

from __future__ import annotations

import gzip
import io
import re

from PIL import Image

from qrshop.extensions import db
from tests.content.helpers import go_live, make_scene
from tests.factories import make_shop
from tests.helpers import make_offer

BASE = "https://qr.example.com"


def test_landing_page_carries_open_graph_and_twitter_tags(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert '<meta property="og:title" content="Trail Widget · Acme">' in html
    assert '<meta property="og:site_name" content="Acme">' in html
    assert f'<meta property="og:url" content="{BASE}/t/{tag.code}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "$49.99 at Acme Store NYC01" in html


def test_link_previewers_get_the_preview_tags_too(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}", headers={
        "User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    }).get_data(as_text=True)
    assert 'property="og:title"' in html


def test_share_falls_back_to_copy_link_and_share_links_without_script(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    share = re.search(r'<details class="share" data-share="([^"]+)">(.*?)</details>', html, re.S)
    assert share and share.group(1) == f"{BASE}/t/{tag.code}?via=share"
    # Share is a <details>: it opens without script; the script makes it the phone's share
    # sheet where there is one, and shows "Copy link" (hidden until then: it needs the script).
    menu = share.group(2)
    assert "<summary" in menu and ">Share</summary>" in menu
    assert '<p data-copy-row hidden><button type="button" data-copy>Copy link</button>' in menu
    link = f"https%3A//qr.example.com/t/{tag.code}%3Fvia%3Dshare"
    assert 'href="mailto:?subject=Trail%20Widget&amp;body=' in menu and link in menu
    assert f'href="whatsapp://send?text=Trail%20Widget%20at%20Acme%3A%20{link}"' in menu
    assert 'href="sms:?&amp;body=Trail%20Widget' in menu
    assert '<script src="/static/engage.js" defer></script>' in html
    assert "<script>" not in html  # no inline script (CSP)
    assert "[hidden]{display:none!important}" in html  # no rule may show a hidden control


def _preview_image(client, html: str) -> tuple[str, Image.Image]:
    url = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert f'<meta name="twitter:image" content="{url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert url.startswith(f"{BASE}/t/")
    with client.get(url.removeprefix(BASE)) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert "max-age=" in response.headers["Cache-Control"]
        return url, Image.open(io.BytesIO(response.get_data()))


def _bytes(client, url: str) -> bytes:
    with client.get(url.removeprefix(BASE)) as response:
        return response.get_data()


def _close(pixel, colour: str, tolerance: int = 12) -> bool:
    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, wanted, strict=True))


def test_link_preview_is_the_hero_image_letterboxed_at_1200_by_630(app, client):
    scene = make_scene()
    go_live(scene, "spotlight")
    html = client.get(f"/t/{scene.tag.code}").get_data(as_text=True)
    assert "/media/" not in re.search(r'og:image" content="([^"]+)"', html).group(1)
    url, image = _preview_image(client, html)
    assert image.size == (1200, 630) and image.format == "JPEG"
    # The 1100 x 700 photo is scaled to 990 x 630: bars of the primary colour either side.
    assert _close(image.getpixel((20, 315)), "#123456")
    assert _close(image.getpixel((1180, 315)), "#123456")
    assert not _close(image.getpixel((600, 315)), "#123456")
    # Asked again, the card is the one kept, byte for byte.
    assert _bytes(client, url) == _bytes(client, url)
    # A new theme colour is a new card at a new address (link previewers cache by URL).
    scene.retailer.primary_colour = "#0b3d2e"
    db.session.commit()
    app.extensions["qrshop.scanner"].tags.max_age = 0
    html = client.get(f"/t/{scene.tag.code}?via=store").get_data(as_text=True)
    new_url, image = _preview_image(client, html)
    assert new_url != url and _close(image.getpixel((20, 315)), "#0b3d2e")


def test_link_preview_without_a_photo_is_a_branded_card(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    _, image = _preview_image(client, html)
    assert image.size == (1200, 630)
    assert _close(image.getpixel((5, 5)), "#123456")  # the primary colour
    # The product's name is drawn in the accent colour (white) on it.
    assert any(_close(image.getpixel((x, y)), "#ffffff", 40)
               for x in range(40, 700, 3) for y in range(300, 560, 3))


def test_preview_image_of_an_unknown_tag_is_404(client):
    with client.get("/t/ZZZZ2345/preview.jpg") as response:
        assert response.status_code == 404


def test_landing_page_with_engagement_stays_within_14_kb_compressed(client):
    shop = make_shop()
    make_offer(shop.retailer)
    html = client.get(f"/t/{shop.tag.code}").get_data()
    with client.get("/static/engage.js") as script:
        js = script.get_data()
    assert len(gzip.compress(html)) + len(gzip.compress(js)) <= 14 * 1024
