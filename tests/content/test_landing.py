"""The landing page with live vendor content: still one query, small, and cacheable."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import event

from qrshop.extensions import db
from tests.content.helpers import go_live, make_scene
from tests.shopper.helpers import count_scan_statements, freeze_scan_clock


@pytest.mark.parametrize("template", ["spotlight", "story", "specs", "look"])
def test_full_page_stays_under_14_kb_compressed(app, client, template):
    scene = make_scene()
    go_live(scene, template)
    response = client.get(f"/t/{scene.tag.code}")
    html = response.get_data()
    assert b"Built for wet trails" in html
    assert len(gzip.compress(html)) <= 14 * 1024
    text = html.decode()
    assert "<h1 data-product-name>Trail Widget</h1>" in text
    # No inline script, and nothing loaded from another origin but the tap-to-play video.
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", text))
    assert not re.search(r'(?:src|href)="https?://(?!qr\.example\.com)', text.replace(
        'src="https://player.vimeo.com', ""))
    # Every image has its size (no layout shift); below-the-fold ones load lazily.
    images = re.findall(r"<img [^>]*>", text)
    for img in images:
        assert "width=" in img and "height=" in img and "srcset=" in img
    assert all('loading="lazy"' in img for img in images[1:])


def test_live_content_is_read_in_the_pages_one_query(app, client, monkeypatch):
    scene = make_scene()
    go_live(scene, "spotlight")
    url = f"/t/{scene.tag.code}"
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    # The scan's own statements run on the DBAPI cursor, the rest through SQLAlchemy.
    count_scan_statements(monkeypatch, statements)
    freeze_scan_clock(app)  # the scanner keeps the tag it reads
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        # The first scan: the fast path reads the tag and keeps it, then passes the scan on
        # to the Flask view, which renders the page (and reads recommendations).
        first = client.get(url, headers={"User-Agent": "Googlebot/2.1"})
        first_statements, statements[:] = list(statements), []
        # The next one is served by the fast path, from the tag and the page it keeps.
        again = client.get(url, headers={"User-Agent": "Googlebot/2.1"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    for response in (first, again):
        assert response.status_code == 200 and "Built for wet trails" in response.get_data(True)
    selects = [s for s in first_statements if s.lstrip().upper().startswith("SELECT")]
    # The page is read once, in one SELECT that carries the live revision (recommendations,
    # with their items' thumbnails, and the reviews are read apart).
    page_reads = [s for s in selects if "content_revisions" in s and "tags.code = " in s]
    assert len(page_reads) == 1 and "WHERE tags.code = " in page_reads[0]
    assert not any("media" in s for s in selects if s not in page_reads)
    # The next scan reads no catalogue rows: it is its INSERT (and COMMIT).
    assert [s.split()[0].upper() for s in statements] == ["INSERT"]


def test_rendered_page_is_cached_and_changes_when_content_does(app, client):
    scene = make_scene()
    go_live(scene, "spotlight")
    cache = app.extensions["qrshop.scanner"].pages
    client.get(f"/t/{scene.tag.code}?via=store")
    client.get(f"/t/{scene.tag.code}?via=store")
    assert cache.hits >= 1
    go_live(scene, "spotlight", title="Second take")
    assert "Second take" in client.get(f"/t/{scene.tag.code}?via=store").get_data(True)
