"""Build test uploads with Pillow (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageCms


def image_bytes(fmt: str = "JPEG", size=(1200, 800), colour=(200, 40, 40), exif=None) -> bytes:
    """An image file of a format and size, optionally with EXIF."""
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    """EXIF with a GPS position and a camera model."""
    exif = Image.Exif()
    exif[0x0110] = "Phone 15"  # Model
    exif[0x8825] = {1: "N", 2: (40.0, 42.0, 46.0), 3: "W", 4: (74.0, 0.0, 21.0)}
    return exif


def pdf_bytes() -> bytes:
    """A one-page PDF made by Pillow."""
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, format="PDF")
    return out.getvalue()


def mp4_bytes() -> bytes:
    """The start of an MP4 file: an ftyp box and an empty mdat box."""
    ftyp = (24).to_bytes(4, "big") + b"ftypisom" + (512).to_bytes(4, "big") + b"isomiso2"
    return ftyp + (8).to_bytes(4, "big") + b"mdat"


def srgb_profile() -> bytes:
    """The sRGB ICC profile (lcms's own)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def swapped_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are sRGB's blue and red: a pure red
    pixel tagged with it is, in sRGB, pure blue (a wide-gamut profile, exaggerated)."""
    profile = bytearray(srgb_profile())
    count = struct.unpack(">I", profile[128:132])[0]
    table = {}
    for index in range(count):
        signature, offset, size = struct.unpack_from(">4sII", profile, 132 + 12 * index)
        table[signature] = (index, offset, size)
    (red, red_at, red_size), (blue, blue_at, blue_size) = table[b"rXYZ"], table[b"bXYZ"]
    struct.pack_into(">4sII", profile, 132 + 12 * red, b"rXYZ", blue_at, blue_size)
    struct.pack_into(">4sII", profile, 132 + 12 * blue, b"bXYZ", red_at, red_size)
    return bytes(profile)
