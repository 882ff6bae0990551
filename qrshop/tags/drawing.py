"""The drawing blocks every printed PDF shares: QR symbols sized to their box, the
retailer's logo chip, text. Label sheets (printing.py) and posters (posters.py) use them.

Every QR gets its URL's natural version (qr.encode) and the largest box its layout allows; a
module is never printed smaller than MIN_MODULE, and the 4-module quiet zone stays clear.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from PIL import Image, UnidentifiedImageError
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from qrshop.tags import qr
from qrshop.tags.layouts import MM

# The smallest module printed (docs/printing.md#how-big-a-qr-code-is-printed): GS1's floor
# for QR codes read at retail is 0.396 mm; 0.5 mm keeps 3 printer dots per module at 150 dpi
# and 6 camera pixels at the closest a phone focuses (10 cm, 1920x1080 preview).
MIN_MODULE = 0.5 * MM
# Modules are whole dots at 150 dpi, so whole dots at 300, 600 and 1200 dpi too: no module
# prints a dot wider than its neighbour, and no edge prints grey.
DOT = 72 / 150
RICH_CALL = "Scan for videos & offers"  # only where the page has a video or a live offer
PLAIN_CALL = "Scan for details"
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
INK = (0.1, 0.1, 0.1)


@dataclass(frozen=True)
class LabelContent:
    """What one printed tag says."""

    url: str  # exactly what the QR holds
    short_url: str  # the same address for people to type, e.g. qr.example.com/T/ABCD2345
    product: str
    price: str
    call_to_action: str = PLAIN_CALL
    image: Optional[bytes] = None  # the product photo, for posters


@dataclass(frozen=True)
class PlacedQR:
    """Where a QR symbol went on the page (for tests and previews)."""

    x: float
    y: float
    module: float
    version: int
    modules: int
    page: int = 0
    url: str = ""
    ec_level: str = "M"

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


def fit_symbol(url: str, box: float) -> tuple[qr.QRMatrix, float]:
    """The matrix (natural version, strongest error correction that fits it) and the module
    size that fill a square box, quiet zone included: the largest modules the box allows,
    in whole printer dots (DOT).

    Raises ValueError when even so a module would be smaller than MIN_MODULE.
    """
    matrix = qr.encode(url)
    module = math.floor(box / (matrix.size + 2 * qr.QUIET_ZONE) / DOT + 1e-6) * DOT
    if module < MIN_MODULE - 1e-9:
        raise ValueError(f"a {box / MM:.1f} mm box gives {module / MM:.2f} mm modules to this "
                         f"{len(url)}-character URL (version {matrix.version}); "
                         f"at least {MIN_MODULE / MM:.2f} mm are needed: use a shorter "
                         "host or a larger label")
    return matrix, module


def _on_dots(low: float, high: float, offset: float = 0.0) -> float:
    """A position in [low, high] on the printer's dot grid (counted from `offset`), the one
    nearest the middle; the middle itself when no grid line falls inside."""
    first, last = math.ceil((low - offset) / DOT - 1e-6), math.floor((high - offset) / DOT + 1e-6)
    if first > last:
        return (low + high) / 2
    middle = ((low + high) / 2 - offset) / DOT
    return offset + min(max(round(middle), first), last) * DOT


def draw_qr(canvas: Canvas, url: str, x: float, y: float, box: float,
            page: int = 0) -> PlacedQR:
    """Draw the QR for url in a square box whose bottom-left corner is (x, y): centred, its
    module edges on the 150/300/600 dpi dot grid where the box leaves room (off the grid,
    zbar missed about 1.5% of the codes on whole pages rendered at 300 or 150 dpi)."""
    matrix, module = fit_symbol(url, box)
    side = matrix.size * module
    quiet = qr.QUIET_ZONE * module
    page_height = canvas._pagesize[1]
    origin_x = _on_dots(x + quiet, x + box - quiet - side)
    # Rasterisers count rows from the top of the page: put the symbol's top on the grid.
    top = _on_dots(page_height - (y + box - quiet), page_height - (y + quiet + side))
    origin_y = page_height - top - side
    # Raw operators: one save, one transform to module units, one path, one fill.
    canvas._code.append(  # reportlab's content stream; its path API is 10x slower here
        f"q 0 g {module:.5f} 0 0 {module:.5f} {origin_x:.4f} {origin_y:.4f} cm "
        f"{_path_ops(matrix)} f Q"
    )
    return PlacedQR(origin_x, origin_y, module, matrix.version, matrix.size, page, url,
                    matrix.ec_level)


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


class Document:
    """A PDF being drawn for one retailer: canvas, logo, brand colours, QR positions."""

    def __init__(self, page: tuple[float, float], *, logo: Optional[bytes] = None,
                 brand_colour: str = "#1f2937", accent_colour: str = "#ffffff",
                 title: str = "qrshop tags"):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=page, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("qrshop")
        self.logo = logo_reader(logo) if logo else None
        self.brand_colour = HexColor(brand_colour)
        self.accent_colour = HexColor(accent_colour)
        self.placed: list[PlacedQR] = []
        self.page_number = 0

    def new_page(self) -> None:
        """End the page being drawn and start the next."""
        self.canvas.showPage()
        self.page_number += 1

    def finish(self) -> bytes:
        """The PDF's bytes."""
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()

    def qr(self, url: str, x: float, y: float, box: float) -> PlacedQR:
        """Draw a QR filling a square box (quiet zone included) and remember where."""
        placed = draw_qr(self.canvas, url, x, y, box, self.page_number)
        self.placed.append(placed)
        return placed

    def logo_width(self, height: float, most: float) -> float:
        """The width of the logo chip at this height, padding included, at most `most`."""
        image_w, image_h = self.logo.getSize()
        pad = self.chip_pad(height)
        return min(most, (height - 2 * pad) * image_w / image_h + 2 * pad)

    @staticmethod
    def chip_pad(height: float) -> float:
        """Padding around the logo on its chip."""
        return height * 0.15

    def draw_logo(self, x: float, y: float, width: float, height: float) -> None:
        """The retailer's logo on a chip of its primary colour (logos are made for the
        coloured header of the landing page, often light on dark)."""
        pad = self.chip_pad(height)
        width = min(width, self.logo_width(height, width))
        self.canvas.setFillColor(self.brand_colour)
        self.canvas.roundRect(x, y, width, height, pad, stroke=0, fill=1)
        self.canvas.drawImage(self.logo, x + pad, y + pad, width - 2 * pad, height - 2 * pad,
                              mask="auto", preserveAspectRatio=True, anchor="sw")

    def text(self, text: str, font: str, size: float, x: float, y: float,
             colour=None) -> None:
        """One line of text with its baseline at (x, y)."""
        self.canvas.setFont(font, size)
        if colour is None:
            self.canvas.setFillColorRGB(*INK)
        else:
            self.canvas.setFillColor(colour)
        self.canvas.drawString(x, y, text)
