"""Stored images carry pixels only (no EXIF, comments, XMP, ICC or text chunks, colours kept
right), and each kind of upload has one size limit, the same in checks, forms, API and docs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from qrshop.accounts.services import create_api_token
from qrshop.config import defaults
from qrshop.content import media
from qrshop.content.models import MediaVariant
from qrshop.extensions import db
from tests.content.images import gps_exif, mp4_bytes, srgb_profile, swapped_profile
from tests.factories import login, make_user, make_vendor

METADATA = {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp", "Comment",
            "Description", "Author", "Software", "dpi"}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>call 555 0134</rdf:Description>'


def _with_metadata(fmt: str, colour=(200, 40, 40), profile: bytes | None = None) -> bytes:
    image = Image.new("RGB", (1200, 800), colour)
    out = io.BytesIO()
    options = {"exif": gps_exif(), "icc_profile": profile or srgb_profile()}
    if fmt == "JPEG":
        options.update(comment=b"call 555 0134", xmp=XMP)
    elif fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "call 555 0134")
        text.add_text("Author", "someone", zip=True)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options.update(pnginfo=text, dpi=(300, 300))
    else:
        options.update(xmp=XMP)
    image.save(out, fmt, **options)
    return out.getvalue()


def _stored(app, filename: str) -> Image.Image:
    [path] = Path(app.config["VENDOR_CONTENT_DIR"]).rglob(filename)
    return Image.open(path)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_stored_images_and_variants_carry_no_metadata(app, fmt):
    item = media.ingest(_with_metadata(fmt), f"photo.{fmt.lower()}", make_vendor().id)
    names = [item.filename] + [v.filename for v in db.session.scalars(select(MediaVariant))]
    assert len(names) == 7
    for name in names:
        with _stored(app, name) as stored:
            assert not set(stored.info) & METADATA, (name, stored.info.keys())
            assert not stored.getexif()
            assert not getattr(stored, "text", {})
            stored.load()
            assert not set(stored.info) & METADATA  # chunks after the pixels too
            raw = Path(stored.filename).read_bytes()
            assert b"555 0134" not in raw and b"xmpmeta" not in raw


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_colours_of_an_image_with_another_profile_are_converted_to_srgb(app, fmt):
    # Pure red in a profile whose red primary is sRGB's blue: the shopper must see blue.
    data = _with_metadata(fmt, colour=(255, 0, 0), profile=swapped_profile())
    item = media.ingest(data, "wide-gamut.img", make_vendor().id)
    with _stored(app, item.filename) as stored:
        red, green, blue = stored.convert("RGB").getpixel((600, 400))
        assert blue > 200 and red < 60 and green < 60
        assert "icc_profile" not in stored.info


def test_one_size_limit_per_kind_in_checks_forms_api_and_docs(app, client):
    limits = {kind: size // media.MB for kind, size in media.MAX_BYTES.items()}
    assert limits == {"image": 15, "video": 50, "document": 20}
    assert defaults("/tmp")["MAX_CONTENT_LENGTH"] == media.MAX_UPLOAD_BYTES + media.MB
    wording = {"image": f"up to {limits['image']} MB", "video": f"up to {limits['video']} MB",
               "document": f"up to {limits['document']} MB"}
    login(client, make_user("vendor", vendor_slug=make_vendor().slug).email)
    form = client.get("/vendor/media").get_data(as_text=True)
    api = client.get("/api/v1/openapi.json").get_data(as_text=True)
    docs = (Path(__file__).parents[2] / "docs" / "content.md").read_text()
    for text in (form, api, docs):
        for kind, words in wording.items():
            assert words in text, (kind, words)
    assert not re.search(r"up to (?!15 |50 |20 )\d+ MB", form + api + docs)


def test_a_video_over_its_limit_is_refused_by_the_api(app, client):
    user = make_user("vendor", vendor_slug=make_vendor().slug)
    token = create_api_token(user, "bulk")[1]
    db.session.commit()
    video = mp4_bytes() + b"\x00" * (media.MAX_VIDEO_BYTES - len(mp4_bytes()) + 1)
    # The multipart body is built here: the test client would spool it to a file of its own.
    body = (b'--limit\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
            b"Content-Type: video/mp4\r\n\r\n" + video + b"\r\n--limit--\r\n")
    response = client.post("/api/v1/media", headers={"Authorization": f"Bearer {token}"},
                           data=body, content_type="multipart/form-data; boundary=limit")
    assert response.status_code == 413
    assert "at most 50 MB" in response.get_json()["message"]
