"""The media pipeline: only real, clean images, PDFs and MP4s are stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from qrshop import storage
from qrshop.content.media import MAX_IMAGE_BYTES, save_upload, video_embed
from qrshop.content.models import Media, MediaVariant
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from tests.content.images import gps_exif, image_bytes, mp4_bytes, pdf_bytes
from tests.factories import make_vendor


def _stored_files(app) -> list[Path]:
    root = Path(app.config["VENDOR_CONTENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(800, 600))
    return data[: len(data) // 2]


def _bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")
    return out.getvalue()


BAD_UPLOADS = {
    "truncated image": (_truncated_jpeg, "photo.jpg", "damaged or incomplete"),
    "non-image named .jpg": (lambda: b"just some text, honest" * 20, "photo.jpg",
                             "not a JPEG, PNG or WebP image"),
    "decompression bomb": (_bomb_png, "huge.png", "too many pixels"),
    "svg": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg", "SVG images are not accepted"),
    "html renamed .jpg": (lambda: b"<!doctype html><script>alert(1)</script>", "pic.jpg",
                          "not a JPEG, PNG or WebP image"),
    "over the size limit": (lambda: b"\xff\xd8" + b"\0" * (MAX_IMAGE_BYTES + 1), "big.jpg",
                            "larger than 15 MB"),
    "empty file": (lambda: b"", "empty.png", "is empty"),
    "path traversal name": (lambda: image_bytes("PNG", size=(10, 10)), "../../etc/passwd.png",
                            "is not allowed"),
    "pdf that is not a pdf": (lambda: b"%PDF-1.7\nnot really a pdf at all", "manual.pdf",
                              "not a PDF document"),
    "mp4 that is not a video": (lambda: b"hello world, not a video", "clip.mp4",
                                "not an MP4 video"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_upload_is_refused_and_nothing_is_stored(app, case):
    build, filename, message = BAD_UPLOADS[case]
    vendor = make_vendor()
    with pytest.raises(InvalidInput) as refused:
        save_upload(build(), filename, vendor=vendor)
    assert message in refused.value.message
    assert 400 <= refused.value.status_code < 500
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count(Media.id))) == 0


def test_gps_exif_is_stripped(app):
    vendor = make_vendor()
    original = image_bytes("JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS
    media = save_upload(original, "phone.jpg", vendor=vendor)
    for name in [media.filename] + [v.filename for v in media.variants]:
        stored = storage.path_for(name).read_bytes()
        exif = Image.open(io.BytesIO(stored)).getexif()
        assert not exif.get_ifd(0x8825) and 0x0110 not in exif
        assert b"Phone 15" not in stored


def test_rotated_phone_photo_comes_back_upright(app):
    vendor = make_vendor()
    # A phone held upright saves a landscape sensor image plus "rotate 90 degrees" (6).
    exif = Image.Exif()
    exif[0x0112] = 6
    sensor = Image.new("RGB", (400, 300), (255, 0, 0))
    sensor.paste((0, 0, 255), (0, 0, 200, 300))  # left half blue
    out = io.BytesIO()
    sensor.save(out, format="JPEG", exif=exif)
    media = save_upload(out.getvalue(), "portrait.jpg", vendor=vendor)
    assert (media.width, media.height) == (300, 400)
    upright = Image.open(storage.path_for(media.filename))
    assert upright.size == (300, 400)
    assert 0x0112 not in upright.getexif()
    top = upright.getpixel((150, 20))
    assert top[2] > 200 and top[0] < 60  # the blue half is now on top


def test_image_gets_responsive_webp_and_jpeg_variants(app):
    media = save_upload(image_bytes("PNG", size=(1600, 900)), "wide.png", vendor=make_vendor())
    variants = {(v.format, v.width) for v in media.variants}
    assert variants == {(f, w) for f in ("webp", "jpg") for w in (320, 640, 1080)}
    for variant in media.variants:
        with Image.open(storage.path_for(variant.filename)) as image:
            assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[variant.format]
            assert image.width == variant.width
    assert db.session.scalar(select(func.count(MediaVariant.id))) == 6


def test_image_is_identified_by_content_not_name(app):
    media = save_upload(image_bytes("PNG", size=(50, 50)), "actually-a-png.jpg",
                        vendor=make_vendor())
    assert media.extension == "png" and media.content_type == "image/png"


def test_real_pdf_and_mp4_are_accepted(app):
    vendor = make_vendor()
    pdf = save_upload(pdf_bytes(), "manual.pdf", vendor=vendor)
    video = save_upload(mp4_bytes(), "clip.mp4", vendor=vendor)
    assert (pdf.kind, pdf.extension) == ("document", "pdf")
    assert (video.kind, video.extension) == ("video", "mp4")


def test_same_file_twice_is_one_library_item(app):
    vendor = make_vendor()
    data = image_bytes("JPEG", size=(100, 100))
    assert save_upload(data, "a.jpg", vendor=vendor).id == save_upload(data, "b.jpg",
                                                                      vendor=vendor).id


@pytest.mark.parametrize("url, embed", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
])
def test_video_links_become_privacy_enhanced_embeds(url, embed):
    assert video_embed(url)["embed"] == embed


@pytest.mark.parametrize("url", ["https://evil.example/watch?v=dQw4w9WgXcQ",
                                 "javascript:alert(1)", "https://vimeo.com/about"])
def test_other_links_are_not_videos(url):
    with pytest.raises(InvalidInput, match="not a YouTube or Vimeo"):
        video_embed(url)


def test_damaged_files_are_refused_never_crash(app):
    import random

    rng = random.Random(7)
    seeds = {"a.jpg": image_bytes("JPEG", size=(64, 48)), "a.png": image_bytes("PNG", (64, 48)),
             "a.webp": image_bytes("WEBP", size=(64, 48)), "a.pdf": pdf_bytes()}
    from qrshop.content.media import prepare_upload

    for _ in range(300):
        name, data = rng.choice(list(seeds.items()))
        data = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            if rng.random() < 0.6:
                data[at] = rng.randrange(256)
            else:
                del data[at:at + rng.randint(1, 40)]
        try:
            prepare_upload(bytes(data), name)
        except InvalidInput as refused:
            assert 400 <= refused.status_code < 500
