"""The page of a retailer-owned product: junk, another library's media, script in every slot."""

from __future__ import annotations

import pytest

from qrshop.catalog.models import Listing
from qrshop.extensions import db
from tests.catalog.helpers import make_catalog_scene
from tests.factories import csrf_token, login

OWN_GTIN = "4006381333931"
XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def own_listing(app, client):
    scene = make_catalog_scene()
    login(client, scene.merch_email)
    token = csrf_token(client, "/console/listings/new")
    response = client.post("/console/listings/new", data={
        "csrf_token": token, "sku": "OWN-1", "gtin": OWN_GTIN, "price": "2.50",
        "currency": "USD", "name": XSS, "brand": XSS})
    assert response.status_code == 302, response.status_code
    return db.session.scalar(db.select(Listing).where(Listing.sku == "OWN-1"))


@pytest.mark.parametrize("fields", [
    {"title": XSS, "tagline": XSS, "description": XSS, "highlights": XSS,
     "spec_table": f"{XSS}: {XSS}"},
    {"title": "t" * 5000}, {"description": "d" * 50_000},
    {"hero_image": str(2**63)}, {"hero_image": "-1"}, {"gallery": ["1", "2", "x"]},
    {"video_url": "javascript:alert(1)"}, {"video_url": "https://evil.example/x.mp4"},
    {"documents": str(2**70)}, {"video_media": "abc"},
])
def test_retailer_content_junk_is_refused_or_escaped(client, own_listing, fields):
    path = f"/console/listings/{own_listing.id}/content"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, **fields})
    assert response.status_code < 500, response.status_code
    for page_path in (path, f"/console/listings/{own_listing.id}/edit", "/console/listings",
                      "/console/listings?q=OWN-1"):
        html = client.get(page_path).get_data(as_text=True)
        assert "<script>alert(2)" not in html and "<img src=x" not in html, page_path


def test_retailer_content_needs_csrf(client, own_listing):
    path = f"/console/listings/{own_listing.id}/content"
    assert client.post(path, data={"title": "Hacked"}).status_code == 400
    assert client.post(f"/console/listings/{own_listing.id}/media", data={}).status_code == 400
    assert "Hacked" not in client.get(path).get_data(as_text=True)
