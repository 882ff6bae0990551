"""Vendor uploads: only real, clean files get in; refused ones leave nothing behind."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from qrshop.accounts.services import create_api_token
from qrshop.content.media import ingest, parse_video_link
from qrshop.content.models import Media, MediaVariant
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user, make_vendor


def _jpeg(width=1600, height=1200, exif=None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 4))  # a blue band at the top left
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (33.0, 45.0, 0.0), 3: "W", 4: (84.0, 23.0, 0.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    return exif


def _files_in(app) -> list:
    from pathlib import Path

    root = Path(app.config["VENDOR_CONTENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_jpeg_with_gps_comes_back_without_any_metadata_and_with_variants(app):
    vendor = make_vendor()
    item = ingest(_jpeg(exif=_gps_exif()), "holiday.jpg", vendor.id)
    path = [p for p in _files_in(app) if p.name == item.filename][0]
    with Image.open(path) as stored:
        assert not stored.getexif()  # no GPS, no camera make: nothing
    assert (item.kind, item.extension, item.width, item.height) == ("image", "jpg", 1600, 1200)
    widths = {(v.width, v.extension) for v in db.session.scalars(select(MediaVariant))}
    assert widths == {(w, f) for w in (320, 640, 1080) for f in ("webp", "jpg")}


def test_a_rotated_phone_photo_comes_back_upright(app):
    vendor = make_vendor()
    # Stored landscape with "rotate 90° clockwise to view" (orientation 6), as phones do.
    item = ingest(_jpeg(1600, 1200, _gps_exif(orientation=6)), "IMG_0001.JPG", vendor.id)
    assert (item.width, item.height) == (1200, 1600)
    path = _files_in(app)
    with Image.open([p for p in path if p.name == item.filename][0]) as upright:
        assert upright.size == (1200, 1600) and not upright.getexif()
        # The blue band that was at the top left of the sensor is now at the top right.
        assert upright.getpixel((1150, 50))[2] > 150 and upright.getpixel((50, 50))[0] > 150


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"", "empty.jpg", 400, "empty"),
        (_jpeg()[:5000], "cut.jpg", 422, "damaged or incomplete"),
        (b"\x00\x01 plain bytes, not a picture" * 10, "fake.jpg", 415, "not a JPEG, PNG"),
        (b"<html><script>alert(1)</script></html>", "page.jpg", 415, "not a JPEG, PNG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg", 415,
         "not a JPEG, PNG"),
        (b"%PDF-1.7\nthis is not really a pdf", "spec.pdf", 422, "damaged"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif", 415, "not a JPEG, PNG"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(app, data, name, status, message):
    vendor = make_vendor()
    with pytest.raises(InvalidInput) as refused:
        ingest(data, name, vendor.id)
    assert refused.value.status_code == status and message in refused.value.message
    assert _files_in(app) == []
    assert db.session.scalar(select(func.count()).select_from(Media)) == 0


def test_decompression_bomb_is_refused_before_decoding(app):
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # tiny file, 400 megapixels
    with pytest.raises(InvalidInput) as refused:
        ingest(bomb.getvalue(), "bomb.png", make_vendor().id)
    assert refused.value.status_code == 413 and "pixels" in refused.value.message
    assert _files_in(app) == []


def test_oversized_file_is_refused(app):
    with pytest.raises(InvalidInput) as refused:
        ingest(b"\xff\xd8" + b"\x00" * (16 * 1024 * 1024), "huge.jpg", make_vendor().id)
    assert refused.value.status_code == 413


def test_path_traversal_names_are_only_labels(app):
    item = ingest(_jpeg(100, 100), "../../etc/passwd.jpg", make_vendor().id)
    assert item.filename == f"{item.sha256}.jpg"
    assert ".." not in item.original_name and "/" not in item.original_name
    assert all(".." not in str(p) and "passwd" not in p.name for p in _files_in(app))


def test_real_pdf_and_mp4_are_accepted(app):
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    out = io.BytesIO()
    document.save(out)
    pdf = ingest(out.getvalue(), "care.pdf", make_vendor().id)
    assert (pdf.kind, pdf.extension) == ("document", "pdf")
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
    video = ingest(mp4, "clip.mp4", pdf.vendor_id)
    assert (video.kind, video.extension) == ("video", "mp4")


def test_video_links_become_privacy_enhanced_embeds():
    assert parse_video_link("https://www.youtube.com/watch?v=dQw4w9WgXcQ").embed_url == \
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    assert parse_video_link("https://youtu.be/dQw4w9WgXcQ").video_id == "dQw4w9WgXcQ"
    assert parse_video_link("https://vimeo.com/76979871").embed_url == \
        "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"
    for bad in ("javascript:alert(1)", "https://evil.example/watch?v=dQw4w9WgXcQ", ""):
        with pytest.raises(InvalidInput):
            parse_video_link(bad)


def test_api_upload_is_the_vendors_own(app, client):
    make_shop()
    vendor_user = make_user("vendor", vendor_slug="widgetco")
    token = create_api_token(vendor_user, "bulk")[1]
    merch_token = create_api_token(make_user("merchandiser", retailer_slug="acme"), "x")[1]
    db.session.commit()
    response = client.post("/api/v1/media", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(_jpeg(800, 600)), "shoe.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["kind"] == "image" and body["url"].startswith("/media/")
    assert {v["width"] for v in body["variants"]} == {320, 640}
    with client.get(body["url"]) as image:
        assert image.status_code == 200 and "immutable" in image.headers["Cache-Control"]
    bad = client.post("/api/v1/media", headers={"Authorization": f"Bearer {token}"},
                      data={"file": (io.BytesIO(b"<svg/>"), "x.svg")},
                      content_type="multipart/form-data")
    assert bad.status_code == 415 and bad.get_json()["error"] == "unsupported_type"
    refused = client.post("/api/v1/media", headers={"Authorization": f"Bearer {merch_token}"},
                          data={"file": (io.BytesIO(_jpeg(10, 10)), "x.jpg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 403


def test_vendor_media_page_shows_only_own_uploads(app, client):
    make_shop()
    other = make_vendor("rivalgoods")
    ingest(_jpeg(50, 50), "rival-secret.jpg", other.id)
    db.session.commit()
    login(client, make_user("vendor", vendor_slug="widgetco").email)
    token = csrf_token(client, "/vendor/media")
    response = client.post("/vendor/media", data={
        "csrf_token": token, "file": (io.BytesIO(_jpeg(400, 300)), "mine.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get("/vendor/media").get_data(as_text=True)
    assert "mine.jpg" in html and "rival-secret.jpg" not in html
    refused = client.post("/vendor/media", data={
        "csrf_token": token, "file": (io.BytesIO(b"<html></html>"), "x.jpg")},
        content_type="multipart/form-data")
    assert refused.status_code == 415
