"""The shopper's form token goes into the page's own form fields only, never into vendor text.

Landing pages are cached with a marker where the forms' CSRF token goes, and the marker is
replaced per scan; vendor content that spells a marker must not receive the token.
"""

from __future__ import annotations

import re

import pytest

from qrshop.extensions import db
from qrshop.shopper import scan
from tests.conftest import MOBILE_SAFARI
from tests.content.helpers import go_live, make_scene

# What the marker was before it became a per-process secret; vendors could type it.
OLD_MARKER = "__qrshop_csrf_token__"


@pytest.mark.parametrize("fast_path", [False, True], ids=["flask view", "fast path"])
def test_vendor_text_spelling_the_marker_does_not_receive_the_token(app, fast_path):
    scene = make_scene()
    markers = (OLD_MARKER, scan.CSRF_PLACEHOLDER)
    links = "".join(f'<p><a href="https://evil.example/?t={m}">care guide</a> {m}</p>'
                    for m in markers)
    go_live(scene, "spotlight", description=links)
    scene.product.name = f"Trail Widget {OLD_MARKER}"
    db.session.commit()
    app.config["SCAN_FAST_PATH"] = fast_path
    shopper = app.test_client()
    url = f"/t/{scene.tag.code}"
    for _ in range(2):  # a new shopper, then the same shopper with the cookie
        response = shopper.get(url, headers={"User-Agent": MOBILE_SAFARI})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(tokens) == 1
        [token] = tokens
        fields = page.count(f'name="csrf_token" value="{token}"')
        assert fields >= 1 and page.count(token) == fields  # only in the form fields
        assert "evil.example/?t=" in page and OLD_MARKER in page  # the text is kept as typed
        for href in re.findall(r'href="(https://evil\.example[^"]*)"', page):
            assert token not in href
