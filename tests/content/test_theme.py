"""Retailer branding: readable colours only, safe fonts, a logo, and the pages use it."""

from __future__ import annotations

import io

import pytest

from qrshop.content.services import contrast_ratio
from tests.content.images import image_bytes
from tests.factories import csrf_token, login, make_shop, make_user


@pytest.fixture
def merch(app, client):
    """Acme's merchandiser, logged in; returns the shop's tag."""
    _, _, _, _, tag = make_shop()
    make_user("merchandiser", "m@acme.test", retailer_slug="acme")
    login(client, "m@acme.test")
    return tag


def _save(client, **values):
    data = {"csrf_token": csrf_token(client, "/console/theme"), "primary_colour": "#123456",
            "accent_colour": "#ffffff", "font": "serif", "footer_text": "Open late",
            "action": "save"}
    data.update(values)
    return client.post("/console/theme", data=data)


def test_contrast_ratio_matches_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


def test_low_contrast_colours_are_refused_with_the_measured_ratio(merch, client):
    response = _save(client, primary_colour="#ff9900", accent_colour="#ffffff")
    assert response.status_code == 422
    assert "contrast 2.1:1 is below 4.5:1" in response.get_data(as_text=True)
    page = client.get(f"/t/{merch.code}?via=store").get_data(as_text=True)
    assert "--primary:#123456" in page


def test_saved_theme_and_logo_appear_on_landing_pages(merch, client):
    response = _save(client, primary_colour="#0B3D2E", accent_colour="#FFFFFF",
                     logo=(io.BytesIO(image_bytes("PNG", size=(400, 100))), "logo.png"))
    assert response.status_code == 302
    page = client.get(f"/t/{merch.code}?via=store").get_data(as_text=True)
    assert "--primary:#0b3d2e" in page and "Charter" in page and "Open late" in page
    assert '<img src="/media/' in page and 'alt="Acme"' in page


def test_preview_does_not_save(merch, client):
    response = _save(client, primary_colour="#222222", action="preview")
    assert response.status_code == 200
    assert "background:#222222" in response.get_data(as_text=True)
    assert "--primary:#123456" in client.get(f"/t/{merch.code}?via=store").get_data(True)


def test_bad_logo_refuses_the_whole_change(merch, client):
    response = _save(client, primary_colour="#000000",
                     logo=(io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg"))
    assert response.status_code == 415
    assert "--primary:#123456" in client.get(f"/t/{merch.code}?via=store").get_data(True)


def test_font_must_come_from_the_safe_list(merch, client):
    assert _save(client, font="Comic Sans").status_code == 400
