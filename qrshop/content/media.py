"""Vendor uploads: only real images, MP4 videos and PDFs get in, cleaned and resized.

Images are decoded (never trusted by name or declared type), refused above a pixel budget
before decoding (decompression bombs), turned upright from their EXIF orientation and
re-encoded without any metadata (no GPS leaves the server), with responsive variants 320,
640 and 1080 pixels wide in WebP and JPEG. Everything is checked and produced in memory
first; only then is anything written, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pypdfium2
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from qrshop import storage
from qrshop.content.models import Media, MediaVariant
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MB = 1024 * 1024
# The one size limit per kind of upload: the checks below, the upload forms' labels, the
# API's description and docs/content.md all say these (tests hold them together).
MAX_BYTES = {"image": 15 * MB, "video": 50 * MB, "document": 20 * MB}
MAX_IMAGE_BYTES, MAX_VIDEO_BYTES, MAX_PDF_BYTES = (
    MAX_BYTES["image"], MAX_BYTES["video"], MAX_BYTES["document"])
# The largest upload; the app's MAX_CONTENT_LENGTH is this plus 1 MB for the form around it.
MAX_UPLOAD_BYTES = max(MAX_BYTES.values())
KINDS = ("image", "video", "document")
UPLOAD_HINT = (f"Image (JPEG, PNG, WebP up to {MAX_IMAGE_BYTES // MB} MB), MP4 video "
               f"(up to {MAX_VIDEO_BYTES // MB} MB) or PDF (up to {MAX_PDF_BYTES // MB} MB)")
MAX_PIXELS = 40_000_000  # 40 megapixels: any real product photo; a bomb is far bigger
MAX_SIDE = 12_000  # WebP cannot encode more than 16383 pixels a side
VARIANT_WIDTHS = (320, 640, 1080)
IMAGE_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
               "WEBP": ("webp", "image/webp")}
MP4_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"iso5", b"iso6"}


@dataclass(frozen=True)
class Prepared:
    """A file ready to store: its bytes and what it is."""

    data: bytes
    extension: str
    content_type: str
    kind: str
    width: int | None = None
    height: int | None = None


def _refuse(message: str, status: int = 422, code: str = "bad_upload"):
    raise InvalidInput(message, code=code, status_code=status)


def prepare_image(data: bytes) -> tuple[Prepared, list[tuple[int, Prepared]]]:
    """Verify, clean and resize an image; return it and its (width, variant) list."""
    if len(data) > MAX_IMAGE_BYTES:
        _refuse(f"Images can be at most {MAX_IMAGE_BYTES // MB} MB.", 413,
                "too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_TYPES:
                _refuse("Upload a JPEG, PNG or WebP image.", 415, "unsupported_type")
            if image.width * image.height > MAX_PIXELS:
                _refuse(f"The image is {image.width} x {image.height} pixels; the limit is "
                        f"{MAX_PIXELS // 1_000_000} megapixels.", 413, "too_many_pixels")
            if max(image.size) > MAX_SIDE:
                _refuse(f"The image is {image.width} x {image.height} pixels; the limit is "
                        f"{MAX_SIDE} pixels a side.", 413, "too_many_pixels")
            image.load()  # decodes every pixel: a truncated file fails here
    except InvalidInput:
        raise  # a refusal above (InvalidInput is a ValueError: keep it from the clause below)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("The image has too many pixels.", 413, "too_many_pixels")
    except UnidentifiedImageError:
        _refuse("This is not a JPEG, PNG or WebP image.", 415, "unsupported_type")
    except (OSError, SyntaxError, ValueError):
        _refuse("The image is damaged or incomplete; export it again and re-upload.")
    source_format = image.format
    image = ImageOps.exif_transpose(image)  # upright, like the phone showed it
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = _pixels_in_srgb(image, "RGBA" if has_alpha else "RGB")
    extension, content_type = IMAGE_TYPES[source_format]
    cleaned = _encode(image, extension)  # no EXIF, no XMP, no ICC: nothing but pixels
    original = Prepared(cleaned, extension, content_type, "image", image.width, image.height)
    variants = []
    for width in VARIANT_WIDTHS:
        if width >= image.width and width != VARIANT_WIDTHS[0]:
            continue
        size = (min(width, image.width),
                max(1, round(image.height * min(width, image.width) / image.width)))
        resized = image.resize(size, Image.Resampling.LANCZOS)
        for variant_extension in ("webp", "jpg"):
            variants.append((size[0], Prepared(
                _encode(resized, variant_extension), variant_extension,
                IMAGE_TYPES["WEBP" if variant_extension == "webp" else "JPEG"][1], "image",
                size[0], size[1])))
    return original, variants


def _pixels_in_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The image's pixels in sRGB and `mode`, with nothing else: no EXIF, comment, XMP, ICC
    profile or text chunk is left for an encoder to copy (Pillow writes a JPEG's comment and
    a PNG's ICC profile back from `info`). An embedded profile is applied first, so colours
    stay as the photographer saw them once it is gone (browsers assume sRGB)."""
    profile = image.info.get("icc_profile")
    converted = None
    if profile:
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(mode)  # palettes: their colours are in the profile's space
        try:
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB,
                outputMode=mode if image.mode != "CMYK" else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken or mismatched profile: keep the pixels as they are
    image = (converted or image).convert(mode)
    image.info = {}
    return image


_SRGB = ImageCms.createProfile("sRGB")


def _encode(image: Image.Image, extension: str) -> bytes:
    out = io.BytesIO()
    if extension == "jpg":
        flat = image
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
        flat.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif extension == "webp":
        image.save(out, "WEBP", quality=82, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def prepare_video(data: bytes) -> Prepared:
    """An MP4 within the size limit (checked by its ftyp box, not its name)."""
    if len(data) > MAX_VIDEO_BYTES:
        _refuse(f"Videos can be at most {MAX_VIDEO_BYTES // MB} MB; link a YouTube "
                "or Vimeo video instead.", 413, "too_large")
    if data[4:8] != b"ftyp" or data[8:12] not in MP4_BRANDS:
        _refuse("This is not an MP4 video.", 415, "unsupported_type")
    return Prepared(data, "mp4", "video/mp4", "video")


def prepare_pdf(data: bytes) -> Prepared:
    """A PDF that really opens, within the size limit."""
    if len(data) > MAX_PDF_BYTES:
        _refuse(f"Documents can be at most {MAX_PDF_BYTES // MB} MB.", 413,
                "too_large")
    if not data.startswith(b"%PDF-"):
        _refuse("This is not a PDF document.", 415, "unsupported_type")
    try:
        document = pypdfium2.PdfDocument(data)
        pages = len(document)
        document.close()
    except pypdfium2.PdfiumError:
        _refuse("This PDF is damaged or cannot be opened.")
    if pages < 1:
        _refuse("This PDF has no pages.")
    return Prepared(data, "pdf", "application/pdf", "document")


def kind_of(data: bytes) -> str:
    """What an upload claims to be by its first bytes: document, video, else image (each
    is then verified by its own prepare_*)."""
    if data.startswith(b"%PDF-"):
        return "document"
    if data[4:8] == b"ftyp":
        return "video"
    return "image"


def ingest(data: bytes, filename: str, vendor_id: int | None, *,
           kinds: tuple[str, ...] = KINDS, refusal: str = "") -> Media:
    """Check an upload, then store it and its variants; the filename is only a label.

    kinds narrows what is taken (a logo: images only); anything else is refused (415) with
    `refusal` as the message, before anything is stored.
    """
    if not data:
        _refuse("The file is empty.", 400, "empty_file")
    name = re.sub(r"[^\w .()-]", "_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    kind = kind_of(data)
    if kind not in kinds:
        _refuse(refusal or "This kind of file is not taken here.", 415, "unsupported_type")
    variants: list[tuple[int, Prepared]] = []
    if kind == "document":
        prepared = prepare_pdf(data)
    elif kind == "video":
        prepared = prepare_video(data)
    else:
        prepared, variants = prepare_image(data)
    sha256, _ = storage.store_bytes(prepared.data, prepared.extension)
    media = db.session.scalar(select(Media).where(Media.sha256 == sha256,
                                                  Media.vendor_id == vendor_id))
    if media is not None:
        return media
    media = Media(sha256=sha256, extension=prepared.extension, kind=prepared.kind,
                  content_type=prepared.content_type, size_bytes=len(prepared.data),
                  width=prepared.width, height=prepared.height, vendor_id=vendor_id,
                  original_name=name[:200])
    db.session.add(media)
    db.session.flush()
    for width, variant in variants:
        variant_sha, _ = storage.store_bytes(variant.data, variant.extension)
        db.session.add(MediaVariant(media_id=media.id, width=width,
                                    extension=variant.extension, height=variant.height,
                                    sha256=variant_sha, size_bytes=len(variant.data)))
    db.session.flush()
    return media


def variants_of(media: Media) -> list[MediaVariant]:
    """The responsive variants of an image, narrowest first."""
    return list(db.session.scalars(select(MediaVariant).where(
        MediaVariant.media_id == media.id).order_by(MediaVariant.width, MediaVariant.extension)))


@dataclass(frozen=True)
class VideoLink:
    """A YouTube or Vimeo video, played from a privacy-enhanced embed after a tap."""

    provider: str
    video_id: str

    @property
    def embed_url(self) -> str:
        """The embed that sets no tracking cookies until played."""
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?autoplay=1"
        return f"https://player.vimeo.com/video/{self.video_id}?dnt=1&autoplay=1"


YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def parse_video_link(url: str) -> VideoLink:
    """Recognise a YouTube or Vimeo link; InvalidInput otherwise."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
        parts.port  # noqa: B018  (raises ValueError for a port out of range: not a link)
    except ValueError:  # "https://[::1": an unclosed IPv6 host
        raise InvalidInput("Paste a YouTube or Vimeo video link.",
                           code="bad_video_link") from None
    if parts.scheme in ("http", "https"):
        segments = [s for s in parts.path.split("/") if s]
        if host == "youtu.be" and segments and YOUTUBE_ID.match(segments[0]):
            return VideoLink("youtube", segments[0])
        if host in ("youtube.com", "youtube-nocookie.com"):
            candidate = parse_qs(parts.query).get("v", [""])[0]
            if not candidate and len(segments) == 2 and segments[0] in ("embed", "shorts"):
                candidate = segments[1]
            if YOUTUBE_ID.match(candidate):
                return VideoLink("youtube", candidate)
        if host in ("vimeo.com", "player.vimeo.com"):
            numbers = [s for s in segments if re.fullmatch(r"[0-9]{1,20}", s)]
            if numbers:
                return VideoLink("vimeo", numbers[-1])
    raise InvalidInput("Paste a YouTube or Vimeo video link.", code="bad_video_link")
