"""Printable tag sheets (PDF): the QR as one vector path, product name, price, short URL,
call to action and the retailer's logo where it fits.

A QR symbol is never printed smaller than 2 cm, always with its 4-module quiet zone clear. On
a small label that may call for a higher QR version (more, smaller modules) than the URL
needs: the symbol's size is what decides whether a phone reads it from arm's length.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from PIL import Image, UnidentifiedImageError
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from qrshop.tags import qr
from qrshop.tags.layouts import MM, Layout

MIN_SYMBOL = 20 * MM  # 2 cm: the smallest QR symbol we print
CALL_TO_ACTION = "Scan for videos & offers"
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
INK = (0.1, 0.1, 0.1)


@dataclass(frozen=True)
class LabelContent:
    """What one printed tag says."""

    url: str  # exactly what the QR holds
    short_url: str  # the same address for people to type, e.g. qr.example.com/T/ABCD2345
    product: str
    price: str


@dataclass(frozen=True)
class PlacedQR:
    """Where a QR symbol went on the page (for tests and previews)."""

    x: float
    y: float
    module: float
    version: int
    modules: int

    @property
    def symbol_size(self) -> float:
        """The dark-module area's side, in points."""
        return self.module * self.modules


@lru_cache(maxsize=8192)
def _path_ops(matrix: qr.QRMatrix) -> str:
    """PDF path operators for the dark modules, in module units with y pointing up.

    Every run of dark modules in a row is one rectangle, all in ONE path filled once: separate
    fills leave hairline anti-aliasing seams between neighbours that make scanners miss.
    """
    top = matrix.size - 1
    return " ".join(f"{x} {top - y} {n} 1 re" for y, x, n in matrix.runs())


def _fit_version(url: str, box: float) -> tuple[qr.QRMatrix, float]:
    """The matrix and module size that fill a square box (quiet zone included) while keeping
    the symbol at least 2 cm: the URL's natural version if it can, else a higher one."""
    if box <= MIN_SYMBOL:
        raise ValueError(f"a {box / MM:.1f} mm box cannot hold a 2 cm QR code")
    # n modules + 8 of quiet zone fill the box; the symbol n * box / (n + 8) must be >= 2 cm.
    modules = math.ceil(2 * qr.QUIET_ZONE * MIN_SYMBOL / (box - MIN_SYMBOL))
    matrix = qr.encode(url, max(1, math.ceil((modules - 17) / 4)))
    module = box / (matrix.size + 2 * qr.QUIET_ZONE)
    if matrix.version > 10:
        raise ValueError(f"a {box / MM:.1f} mm box cannot hold a 2 cm QR code")
    return matrix, module


def draw_qr(canvas: Canvas, url: str, x: float, y: float, box: float) -> PlacedQR:
    """Draw the QR for url filling a square box whose bottom-left corner is (x, y)."""
    matrix, module = _fit_version(url, box)
    origin_x = x + qr.QUIET_ZONE * module
    origin_y = y + qr.QUIET_ZONE * module
    # Raw operators: one save, one transform to module units, one path, one fill.
    canvas._code.append(  # reportlab's content stream; its path API is 10x slower here
        f"q 0 g {module:.4f} 0 0 {module:.4f} {origin_x:.3f} {origin_y:.3f} cm "
        f"{_path_ops(matrix)} f Q"
    )
    return PlacedQR(origin_x, origin_y, module, matrix.version, matrix.size)


def _fit_text(text: str, font: str, size: float, width: float) -> str:
    """text, cut with an ellipsis so that it fits width."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _size_to_fit(text: str, font: str, size: float, width: float,
                 smallest: float = 4.0) -> float:
    """The largest font size up to `size` at which text fits width, but not below smallest.

    For text that must stay whole, like the short URL a person types: shrink it, never cut it.
    """
    natural = stringWidth(text, font, size)
    return size if natural <= width else max(smallest, size * width / natural)


def _name_and_price(product: str, price: str, font: str, size: float, width: float) -> str:
    """"Name · $12.00" fitting width: the name is shortened if need be, the price never."""
    tail = f" · {price}"
    return _fit_text(product, font, size, width - stringWidth(tail, font, size)) + tail


def _wrap(text: str, font: str, size: float, width: float, lines: int) -> list[str]:
    """Greedy word wrap into at most `lines` lines, the last one cut to fit."""
    words, result, current = text.split(), [], ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
            continue
        result.append(current)
        current = word
        if len(result) == lines - 1:
            current = " ".join(words[index:])
            break
    result.append(current)
    return [_fit_text(line, font, size, width) for line in result[:lines]]


def logo_reader(data: bytes) -> Optional[ImageReader]:
    """The logo for the PDF, or None if its bytes are not a whole raster image (a PDF or
    a damaged file stored as the logo): the sheet then prints without it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "WEBP") or not image.width or not image.height:
                return None
            image.load()
            return ImageReader(image.copy())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return None


class Sheet:
    """A PDF of labels in one layout."""

    def __init__(self, layout: Layout, *, offset_mm=(0.0, 0.0), logo: Optional[bytes] = None,
                 brand_colour: str = "#1f2937", title: str = "qrshop tags"):
        self.layout = layout
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=layout.page, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("qrshop")
        self.positions = layout.positions(offset_mm)
        self.logo = logo_reader(logo) if logo else None
        self.brand_colour = HexColor(brand_colour)
        self.placed: list[PlacedQR] = []
        self._slot = 0

    def add(self, content: LabelContent) -> None:
        """Draw the next label, starting a new page when the sheet is full."""
        if self._slot == len(self.positions):
            self.canvas.showPage()
            self._slot = 0
        x, y = self.positions[self._slot]
        self._slot += 1
        draw = {"compact": self._compact, "square": self._square, "strip": self._strip,
                "poster": self._poster}[self.layout.style]
        self.placed.append(draw(content, x, y))

    def finish(self) -> bytes:
        """The PDF's bytes."""
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()

    # --- label styles -----------------------------------------------------------------

    def _logo_width(self, height: float, most: float) -> float:
        """The width of the logo chip at this height, padding included, at most `most`."""
        image_w, image_h = self.logo.getSize()
        return min(most, (height - 2 * self._chip_pad(height)) * image_w / image_h
                   + 2 * self._chip_pad(height))

    @staticmethod
    def _chip_pad(height: float) -> float:
        return height * 0.15

    def _logo(self, x: float, y: float, width: float, height: float) -> None:
        """The retailer's logo on a chip of its primary colour (logos are made for the
        coloured header of the landing page, often light on dark)."""
        pad = self._chip_pad(height)
        width = min(width, self._logo_width(height, width))
        self.canvas.setFillColor(self.brand_colour)
        self.canvas.roundRect(x, y, width, height, pad, stroke=0, fill=1)
        self.canvas.drawImage(self.logo, x + pad, y + pad, width - 2 * pad, height - 2 * pad,
                              mask="auto", preserveAspectRatio=True, anchor="sw")

    def _text(self, text: str, font: str, size: float, x: float, y: float) -> None:
        self.canvas.setFont(font, size)
        self.canvas.setFillColorRGB(*INK)
        self.canvas.drawString(x, y, text)

    def _compact(self, content: LabelContent, x: float, y: float) -> PlacedQR:
        """QR on the left, text on the right (address-label stock)."""
        width, height = self.layout.label
        pad = 1.5 * MM
        # The quiet zone is the QR's margin, so the box may run to the label's edges; on a
        # tall label it leaves the text some room.
        box = min(height, max(25.4 * MM, width * 0.45))
        placed = draw_qr(self.canvas, content.url, x, y + (height - box) / 2, box)
        text_x = x + box
        text_w = x + width - pad - text_x
        scale = height / (25.4 * MM)  # 1.0 on a 1-inch label
        name_size = 8.5 * min(scale, 1.15)
        price_size = 11 * min(scale, 1.3)
        small = 5.6 * min(scale, 1.2)
        top = y + height - pad
        logo_h = 0.0
        if self.logo is not None and height >= 30 * MM:
            logo_h = 5 * MM
            self._logo(text_x, top - logo_h, text_w, logo_h)
            logo_h += 1.5 * MM
        line_y = top - logo_h - name_size
        for line in _wrap(content.product, BOLD, name_size, text_w, 2):
            self._text(line, BOLD, name_size, text_x, line_y)
            line_y -= name_size * 1.15
        self._text(content.price, BOLD, price_size, text_x, line_y - price_size * 0.3)
        self._text(_fit_text(CALL_TO_ACTION, REGULAR, small, text_w), REGULAR, small, text_x,
                   y + pad + small * 1.3)
        url_size = _size_to_fit(content.short_url, REGULAR, small, text_w)
        self._text(content.short_url, REGULAR, url_size, text_x, y + pad)
        return placed

    def _square(self, content: LabelContent, x: float, y: float) -> PlacedQR:
        """QR on top, name and price and URL underneath (square stock)."""
        width, height = self.layout.label
        pad = 1.2 * MM
        box = height * 0.72
        placed = draw_qr(self.canvas, content.url, x + (width - box) / 2, y + height - box,
                         box)
        text_w = width - 2 * pad
        self._text(_name_and_price(content.product, content.price, BOLD, 6.2, text_w), BOLD, 6.2,
                   x + pad, y + pad + 9.6)
        self._text(_fit_text(CALL_TO_ACTION, REGULAR, 5.2, text_w), REGULAR, 5.2, x + pad,
                   y + pad + 4.6)
        url_size = _size_to_fit(content.short_url, REGULAR, 5.2, text_w)
        self._text(content.short_url, REGULAR, url_size, x + pad, y + pad - 0.4)
        return placed

    def _strip(self, content: LabelContent, x: float, y: float) -> PlacedQR:
        """Shelf-edge strip: QR, big price, name, call to action, URL; a cut rule below."""
        width, height = self.layout.label
        pad = 1.5 * MM
        box = height
        placed = draw_qr(self.canvas, content.url, x, y, box)
        text_x = x + box + 2 * MM
        right = x + width - pad
        if self.logo is not None:
            logo_h = 7 * MM
            logo_w = self._logo_width(logo_h, 60 * MM)
            self._logo(right - logo_w, y + height - pad - logo_h, logo_w, logo_h)
            right -= logo_w + 3 * MM
        self._text(content.price, BOLD, 20, text_x, y + height - pad - 18)
        price_w = stringWidth(content.price, BOLD, 20) + 4 * MM
        self._text(_fit_text(content.product, BOLD, 12, right - text_x - price_w), BOLD, 12,
                   text_x + price_w, y + height - pad - 16)
        bottom_line = f"{CALL_TO_ACTION} — or type {content.short_url}"
        self._text(bottom_line, REGULAR,
                   _size_to_fit(bottom_line, REGULAR, 8.5, x + width - pad - text_x), text_x,
                   y + pad + 2)
        self.canvas.setLineWidth(0.3)
        self.canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        self.canvas.setDash(2, 2)
        self.canvas.line(x, y, x + width, y)
        self.canvas.setDash()
        return placed

    def _poster(self, content: LabelContent, x: float, y: float) -> PlacedQR:
        """One big tag per A4 page: "Scan the pictured items"."""
        width, height = self.layout.page
        margin = 20 * MM
        if self.logo is not None:
            logo_h = 16 * MM
            logo_w = self._logo_width(logo_h, width - 2 * margin)
            self._logo((width - logo_w) / 2, height - margin - logo_h, logo_w, logo_h)
        headline = "Scan the pictured items"
        self.canvas.setFont(BOLD, 30)
        self.canvas.setFillColorRGB(*INK)
        self.canvas.drawCentredString(width / 2, height - 60 * MM, headline)
        box = 130 * MM
        placed = draw_qr(self.canvas, content.url, (width - box) / 2, 75 * MM, box)
        self.canvas.setFont(BOLD, 20)
        self.canvas.drawCentredString(
            width / 2, 62 * MM,
            _name_and_price(content.product, content.price, BOLD, 20, width - 2 * margin))
        self.canvas.setFont(REGULAR, 14)
        self.canvas.drawCentredString(width / 2, 50 * MM, CALL_TO_ACTION)
        typed = f"No camera app? Go to {content.short_url}"
        self.canvas.setFont(REGULAR, _size_to_fit(typed, REGULAR, 14, width - 2 * margin))
        self.canvas.drawCentredString(width / 2, 42 * MM, typed)
        return placed


def build_pdf(layout: Layout, labels: Iterable[LabelContent], *, offset_mm=(0.0, 0.0),
              logo: Optional[bytes] = None, brand_colour: str = "#1f2937",
              title: str = "qrshop tags",
              progress: Optional[Callable[[], None]] = None) -> tuple[bytes, list[PlacedQR]]:
    """Render labels into a PDF; return its bytes and where each QR went."""
    sheet = Sheet(layout, offset_mm=offset_mm, logo=logo, brand_colour=brand_colour,
                  title=title)
    for content in labels:
        sheet.add(content)
        if progress is not None:
            progress()
    return sheet.finish(), sheet.placed
