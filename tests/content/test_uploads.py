"""Uploading through the vendor's media page and the JSON API."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.content.models import Media
from qrshop.extensions import db
from tests.content.images import gps_exif, image_bytes
from tests.factories import csrf_token, login, make_shop, make_user


def _vendor(client=None):
    make_shop()
    user = make_user("vendor", "v@widgetco.test", vendor_slug="widgetco")
    if client is not None:
        login(client, user.email)
    return user


def _files(app):
    root = Path(app.config["VENDOR_CONTENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_vendor_uploads_a_photo_on_the_media_page(app, client):
    _vendor(client)
    data = {"csrf_token": csrf_token(client, "/vendor/media"), "label": "Jacket front",
            "file": (io.BytesIO(image_bytes("JPEG", exif=gps_exif())), "IMG_0001.jpg")}
    response = client.post("/vendor/media", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Uploaded Jacket front" in html
    assert "1200×800" in html


def test_bad_upload_on_the_page_says_why_and_stores_nothing(app, client):
    _vendor(client)
    data = {"csrf_token": csrf_token(client, "/vendor/media"),
            "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "cat.jpg")}
    response = client.post("/vendor/media", data=data)
    assert response.status_code == 415
    assert "not a JPEG, PNG or WebP image" in response.get_data(as_text=True)
    assert _files(app) == [] and db.session.scalar(select(func.count(Media.id))) == 0


def test_upload_without_csrf_token_is_refused(app, client):
    _vendor(client)
    response = client.post("/vendor/media", data={
        "file": (io.BytesIO(image_bytes("PNG", size=(10, 10))), "a.png")})
    assert response.status_code == 400 and _files(app) == []


def test_api_upload_returns_the_media_id(app, client):
    user = _vendor()
    token = create_api_token(user_by_email(user.email), "bulk tool")[1]
    db.session.commit()
    response = client.post("/api/v1/media", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(image_bytes("WEBP", size=(700, 400))),
                                          "shoe.webp")})
    assert response.status_code == 201
    body = response.get_json()
    media = db.session.get(Media, body["id"])
    assert media.vendor_id == user.vendor_id
    assert (body["kind"], body["content_type"], body["width"]) == ("image", "image/webp", 700)
    with client.get(body["url"]) as stored:
        assert stored.status_code == 200 and stored.mimetype == "image/webp"


def test_api_refuses_a_bad_file_with_json(app, client):
    user = _vendor()
    token = create_api_token(user_by_email(user.email), "bulk tool")[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/media", headers=headers,
                           data={"file": (io.BytesIO(b"%PDF-1.4 nope"), "spec.pdf")})
    assert response.status_code == 415
    assert response.get_json() == {"error": "not_a_pdf",
                                   "message": "spec.pdf is not a PDF document we can open."}
    missing = client.post("/api/v1/media", headers=headers, data={})
    assert missing.status_code == 400 and "'file'" in missing.get_json()["message"]
    assert _files(app) == []
