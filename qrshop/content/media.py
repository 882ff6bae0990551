"""The media pipeline: verify an upload by its content, clean it, make variants, store it.

Everything is checked and prepared in memory first (prepare_upload); only a file that passed
every check is written, through storage.py, and recorded. A refused upload leaves nothing on
disk or in the database.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import parse_qs, urlsplit

import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from qrshop import storage
from qrshop.accounts.models import Vendor
from qrshop.content.models import Media, MediaVariant
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000  # WebP stops at 16383 pixels a side
MAX_VIDEO_BYTES = 50 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
VARIANT_WIDTHS = (320, 640, 1080)

# Pillow format -> (stored extension, content type). Nothing else is accepted as an image.
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                 "WEBP": ("webp", "image/webp")}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}
ACCEPTED = "JPEG, PNG or WebP images, MP4 videos and PDF documents"
# Major brands of ISO base media files that browsers play as MP4.
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
              b"dash", b"MSNV"}


@dataclass
class Variant:
    """One resized copy, ready to store."""

    format: str
    width: int
    height: int
    data: bytes


@dataclass
class PreparedUpload:
    """An upload that passed every check, with the bytes qrshop will store."""

    kind: str
    extension: str
    content_type: str
    data: bytes
    width: Optional[int] = None
    height: Optional[int] = None
    variants: list[Variant] = field(default_factory=list)


def _megabytes(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB"


def check_filename(filename: str) -> str:
    """Return the lower-case extension of a safe upload name; refuse paths and odd names."""
    name = filename or ""
    if not name.strip():
        raise InvalidInput("Choose a file to upload.", code="no_file", status_code=400)
    if ("/" in name or "\\" in name or ".." in name or "\x00" in name or name.startswith(".")
            or len(name) > 255):
        raise InvalidInput(f"The file name {name[:80]!r} is not allowed; rename the file "
                           "(letters, digits, dashes) and upload it again.",
                           code="bad_filename", status_code=400)
    if "." not in name:
        raise InvalidInput(f"{name!r} has no extension; upload {ACCEPTED}.",
                           code="unsupported_type", status_code=415)
    return name.rsplit(".", 1)[1].lower()


def prepare_upload(data: bytes, filename: str) -> PreparedUpload:
    """Verify an upload by decoding it and return what to store; raise InvalidInput if bad."""
    extension = check_filename(filename)
    if not data:
        raise InvalidInput(f"{filename} is empty.", code="empty_file", status_code=400)
    if extension in IMAGE_EXTENSIONS:
        return prepare_image(data, filename)
    if extension == "pdf":
        return prepare_pdf(data, filename)
    if extension == "mp4":
        return prepare_mp4(data, filename)
    if extension == "svg":
        raise InvalidInput("SVG images are not accepted (they can carry scripts); upload a PNG, "
                           "JPEG or WebP instead.", code="unsupported_type", status_code=415)
    raise InvalidInput(f"{filename} is not an accepted file type; upload {ACCEPTED}.",
                       code="unsupported_type", status_code=415)


def _decode_image(data: bytes, filename: str) -> tuple[Image.Image, str]:
    not_image = InvalidInput(f"{filename} is not a JPEG, PNG or WebP image we can read.",
                             code="not_an_image", status_code=415)
    too_big = InvalidInput(
        f"{filename} has too many pixels; the limit is {MAX_IMAGE_PIXELS // 1_000_000} "
        f"megapixels and {MAX_IMAGE_SIDE} pixels a side.", code="too_many_pixels",
        status_code=413)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then errors, on huge images: both mean a decompression bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise not_image
            if (image.width * image.height > MAX_IMAGE_PIXELS
                    or max(image.size) > MAX_IMAGE_SIDE):
                raise too_big
            image.load()
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_big from None
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError):
        raise not_image from None
    except OSError:
        raise InvalidInput(f"{filename} is damaged or incomplete (truncated); export it again.",
                           code="truncated_image", status_code=422) from None
    return image, image.format


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Encode without any metadata (no EXIF, no GPS, no text chunks)."""
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode != "RGB":
            image = _flatten(image)
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "WEBP":
        image.save(out, format="WEBP", quality=80, method=4)
    else:
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, for formats without transparency."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def prepare_image(data: bytes, filename: str) -> PreparedUpload:
    """Decode, apply EXIF orientation, strip metadata and build the responsive variants."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"{filename} is larger than {_megabytes(MAX_IMAGE_BYTES)}.",
                           code="too_large", status_code=413)
    image, image_format = _decode_image(data, filename)
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if upright.mode in ("P", "PA") else "RGB")
    if image_format == "JPEG" and upright.mode != "RGB":
        upright = upright.convert("RGB")
    extension, content_type = IMAGE_FORMATS[image_format]
    prepared = PreparedUpload(kind="image", extension=extension, content_type=content_type,
                              data=_encode(upright, image_format), width=upright.width,
                              height=upright.height)
    widths = [w for w in VARIANT_WIDTHS if w < upright.width] or [upright.width]
    if upright.width < VARIANT_WIDTHS[-1] and upright.width not in widths:
        widths.append(upright.width)
    for width in widths:
        height = max(1, round(upright.height * width / upright.width))
        resized = upright if width == upright.width else upright.resize(
            (width, height), Image.Resampling.LANCZOS)
        prepared.variants.append(Variant("webp", width, height, _encode(resized, "WEBP")))
        prepared.variants.append(Variant("jpg", width, height, _encode(resized, "JPEG")))
    return prepared


def prepare_pdf(data: bytes, filename: str) -> PreparedUpload:
    """Accept only a PDF that pdfium can open and that has at least one page."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"{filename} is larger than {_megabytes(MAX_DOCUMENT_BYTES)}.",
                           code="too_large", status_code=413)
    not_pdf = InvalidInput(f"{filename} is not a PDF document we can open.", code="not_a_pdf",
                           status_code=415)
    if not data.startswith(b"%PDF-"):
        raise not_pdf
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise not_pdf from None
    try:
        if len(document) < 1:
            raise not_pdf
    finally:
        document.close()
    return PreparedUpload(kind="document", extension="pdf", content_type="application/pdf",
                          data=data)


def prepare_mp4(data: bytes, filename: str) -> PreparedUpload:
    """Accept an MP4 within the size limit whose first box is a known `ftyp`."""
    if len(data) > MAX_VIDEO_BYTES:
        raise InvalidInput(f"{filename} is larger than {_megabytes(MAX_VIDEO_BYTES)}; upload "
                           "a shorter video or link it from YouTube or Vimeo.",
                           code="too_large", status_code=413)
    box_size = int.from_bytes(data[:4], "big") if len(data) >= 12 else 0
    if data[4:8] != b"ftyp" or not 16 <= box_size <= len(data) or data[8:12] not in MP4_BRANDS:
        raise InvalidInput(f"{filename} is not an MP4 video.", code="not_a_video",
                           status_code=415)
    return PreparedUpload(kind="video", extension="mp4", content_type="video/mp4", data=data)


def save_upload(data: bytes, filename: str, *, vendor: Optional[Vendor], label: str = "") -> Media:
    """Verify, clean and store an upload for a vendor (None: a retailer logo); flush."""
    prepared = prepare_upload(data, filename)
    label = (label or filename).strip()[:200]
    sha256, _ = storage.store_bytes(prepared.data, prepared.extension)
    existing = db.session.scalar(select(Media).where(
        Media.sha256 == sha256,
        Media.vendor_id == vendor.id if vendor else Media.vendor_id.is_(None)))
    if existing is not None:
        return existing
    media = Media(sha256=sha256, extension=prepared.extension,
                  content_type=prepared.content_type, kind=prepared.kind, label=label,
                  size_bytes=len(prepared.data), width=prepared.width, height=prepared.height,
                  vendor_id=vendor.id if vendor else None)
    for variant in prepared.variants:
        variant_sha, _ = storage.store_bytes(variant.data, variant.format)
        media.variants.append(MediaVariant(format=variant.format, width=variant.width,
                                           height=variant.height, sha256=variant_sha,
                                           size_bytes=len(variant.data)))
    db.session.add(media)
    db.session.flush()
    return media


def image_snapshot(media: Media) -> dict:
    """What a page needs to show an image with srcset, frozen into a revision's slots."""
    return {
        "media_id": media.id, "src": media.filename, "width": media.width,
        "height": media.height, "label": media.label,
        "webp": [[v.width, v.filename] for v in media.variants if v.format == "webp"],
        "jpg": [[v.width, v.filename] for v in media.variants if v.format == "jpg"],
    }


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
                  "www.youtube-nocookie.com", "youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}


def video_embed(url: str) -> dict:
    """A YouTube or Vimeo link as a privacy-enhanced embed: provider, id and embed URL."""
    parts = urlsplit((url or "").strip())
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme in ("http", "https") and host in _YOUTUBE_HOSTS:
        if host == "youtu.be":
            candidate = segments[0] if segments else ""
        elif segments[:1] in (["embed"], ["shorts"], ["live"]) and len(segments) > 1:
            candidate = segments[1]
        else:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        if _YOUTUBE_ID.match(candidate):
            return {"provider": "youtube", "id": candidate,
                    "embed": f"https://www.youtube-nocookie.com/embed/{candidate}?autoplay=1"}
    if parts.scheme in ("http", "https") and host in _VIMEO_HOSTS:
        candidate = next((s for s in reversed(segments) if s.isdigit()), "")
        if candidate and len(candidate) <= 12:
            return {"provider": "vimeo", "id": candidate,
                    "embed": f"https://player.vimeo.com/video/{candidate}?dnt=1&autoplay=1"}
    raise InvalidInput(f"{url[:120]!r} is not a YouTube or Vimeo video link.",
                       code="bad_video_url")
