"""The theme's logo must be an image; a logo that is not one never breaks a page or a sheet."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import func, select

from qrshop.content.media import ingest
from qrshop.content.models import Media
from qrshop.extensions import db
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.printing import LabelContent, build_pdf
from tests.conftest import MOBILE_SAFARI
from tests.content.images import image_bytes, mp4_bytes, pdf_bytes
from tests.factories import csrf_token, login, make_shop, make_user

THEME = {"primary": "#0b3d2e", "accent": "#ffffff", "font": "system", "footer_text": ""}


def _post_logo(client, data: bytes, name: str):
    token = csrf_token(client, "/console/theme")
    return client.post("/console/theme", data={**THEME, "csrf_token": token,
                                               "logo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "name"), [(pdf_bytes(), "logo.pdf"),
                                            (mp4_bytes(), "logo.mp4")], ids=["pdf", "mp4"])
def test_a_pdf_or_mp4_is_refused_as_the_logo(app, client, data, name):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    response = _post_logo(client, data, name)
    assert response.status_code == 415
    assert "logo must be a PNG, JPEG or WebP image" in response.get_data(as_text=True)
    db.session.expire_all()
    assert shop.retailer.logo_media_id is None
    assert db.session.scalar(select(func.count()).select_from(Media)) == 0


def test_an_image_is_taken_as_the_logo(app, client):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    response = _post_logo(client, image_bytes("PNG", size=(256, 64)), "logo.png")
    assert response.status_code == 302
    db.session.expire_all()
    logo = shop.retailer.logo
    page = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert f'<img src="/media/{logo.filename}"' in page and 'width="128" height="32"' in page


def _stored_pdf_logo(shop) -> Media:
    """A PDF set as the logo straight in the database (as one uploaded before the fix is)."""
    logo = ingest(pdf_bytes(), "logo.pdf", None)
    shop.retailer.logo_media_id = logo.id
    db.session.commit()
    return logo


def _logo_without_its_file(app, shop) -> Media:
    """An image logo whose stored file has gone (a lost volume, a partial restore)."""
    logo = ingest(image_bytes("PNG", size=(256, 64)), "logo.png", None)
    shop.retailer.logo_media_id = logo.id
    db.session.commit()
    for path in Path(app.config["VENDOR_CONTENT_DIR"]).rglob(logo.filename):
        path.unlink()
    return logo


@pytest.mark.parametrize("broken", ["pdf", "missing file"])
def test_a_logo_that_is_not_a_stored_image_is_left_out_of_landing_pages(app, client, broken):
    shop = make_shop()
    logo = _stored_pdf_logo(shop) if broken == "pdf" else _logo_without_its_file(app, shop)
    url = f"/t/{shop.tag.code}"
    fast = app.extensions["qrshop.scan_fast_path"]
    for fast_path in (False, True):
        app.config["SCAN_FAST_PATH"] = fast_path
        for user_agent in (MOBILE_SAFARI, "Googlebot/2.1"):
            served = fast.served
            for _ in range(2):  # the second is the fast path's, from the page it keeps
                response = app.test_client().get(url, headers={"User-Agent": user_agent})
                page = response.get_data(as_text=True)
                assert response.status_code == 200, page[:500]
                assert logo.filename not in page
                assert '<span class="wordmark">' in page
            assert (fast.served > served) == fast_path


@pytest.mark.parametrize("broken", ["pdf", "missing file"])
def test_a_logo_that_is_not_a_stored_image_is_left_out_of_other_shopper_pages(app, client,
                                                                              broken):
    shop = make_shop()
    logo = _stored_pdf_logo(shop) if broken == "pdf" else _logo_without_its_file(app, shop)
    assert client.get(f"/t/{shop.tag.code}").status_code == 200  # the shopper's cookie
    for url in (f"/t/{shop.tag.code}/alerts", "/wishlist"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert logo.filename not in response.get_data(as_text=True)


@pytest.mark.parametrize("broken", ["pdf", "missing file"])
def test_a_logo_that_is_not_a_readable_image_is_left_off_the_print_sheet(app, client,
                                                                          broken):
    shop = make_shop()
    _stored_pdf_logo(shop) if broken == "pdf" else _logo_without_its_file(app, shop)
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "NYC01", "layout": "avery-5160"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(pypdfium2.PdfDocument(response.data)) == 1


@pytest.mark.parametrize("logo", [pdf_bytes(), mp4_bytes(), image_bytes("PNG")[:300]],
                         ids=["pdf", "mp4", "cut png"])
def test_a_sheet_prints_without_a_logo_whose_bytes_are_not_an_image(logo):
    labels = [LabelContent("HTTPS://QR.EXAMPLE.COM/T/ABCD2345", "qr.example.com/T/ABCD2345",
                           "Trail Widget", "$49.99")]
    for layout in LAYOUTS.values():
        pdf, placed = build_pdf(layout, labels, logo=logo)
        # The counter card is a folded tent: its code is on both faces.
        faces = 2 if layout.style == "counter-card" else 1
        assert len(pypdfium2.PdfDocument(pdf)) == 1 and len(placed) == faces
