"""API test helpers: bearer headers for a user's token, and decoding QR images and PDFs."""

from __future__ import annotations

import io
import re

import pypdfium2
import zxingcpp
from PIL import Image, ImageDraw

from qrshop.accounts.services import create_api_token
from qrshop.extensions import db


def bearer(user, *scopes: str) -> dict:
    """Authorization headers of a new token of the user (every scope of its role if none)."""
    _, plain = create_api_token(user, "test", scopes)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def decode_png(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def decode_svg(svg: bytes, scale: int = 8) -> list[str]:
    """The texts of the QR codes in one of qrshop's SVGs: its viewBox and its path of
    horizontal runs ("M x y h n v1 h-n z") drawn black on white at `scale` pixels a unit."""
    text = svg.decode()
    side = int(re.search(r'viewBox="0 0 (\d+) \d+"', text).group(1))
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", text):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_pdf(pdf: bytes, dpi: int = 300) -> list[list[str]]:
    """The texts of the QR codes on each page of a PDF rendered at dpi."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [[result.text for result in zxingcpp.read_barcodes(
            page.render(scale=dpi / 72).to_pil())] for page in document]
    finally:
        document.close()
