"""QR matrices for tag URLs, and their SVG and PNG renderings.

A URL gets its *natural* version: the smallest that holds it at error correction M. Any room
left in that version goes to stronger error correction (Q, then H), never to a bigger version:
at a given printed size, fewer modules means larger modules, which is what a phone camera
needs most (docs/printing.md#how-big-a-qr-code-is-printed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image

from qrshop.tags.codes import is_alphanumeric_mode

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 requires
# Error correction levels from the floor (M: ~15% of codewords recoverable) up.
_LEVELS = (("M", qrcode.constants.ERROR_CORRECT_M), ("Q", qrcode.constants.ERROR_CORRECT_Q),
           ("H", qrcode.constants.ERROR_CORRECT_H))
PNG_SIZE_DEFAULT = 512
PNG_SIZE_RANGE = (64, 2048)


@dataclass(frozen=True)
class QRMatrix:
    """The dark modules of one QR symbol, without quiet zone."""

    version: int
    rows: tuple[tuple[bool, ...], ...]
    ec_level: str = "M"  # "M", "Q" or "H"

    @property
    def size(self) -> int:
        """Modules per side, without the quiet zone."""
        return len(self.rows)

    def runs(self):
        """Yield (row, start, length) for each horizontal run of dark modules."""
        for y, row in enumerate(self.rows):
            x = 0
            width = len(row)
            while x < width:
                if row[x]:
                    start = x
                    while x < width and row[x]:
                        x += 1
                    yield y, start, x - start
                else:
                    x += 1


def _segment(url: str) -> qrcode.util.QRData:
    """The URL as one QR data segment: alphanumeric mode whenever every character allows."""
    if is_alphanumeric_mode(url):
        return qrcode.util.QRData(url.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM)
    return qrcode.util.QRData(url.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE)


def _bits(segment: qrcode.util.QRData, version: int) -> int:
    """Data bits the segment takes in a symbol of this version (mode, count, payload)."""
    buffer = qrcode.util.BitBuffer()
    buffer.put(segment.mode, 4)
    buffer.put(len(segment), qrcode.util.length_in_bits(segment.mode, version))
    segment.write(buffer)
    return len(buffer)


def fit(url: str) -> tuple[int, str]:
    """(version, error-correction level) for a URL: the smallest version that holds it at M,
    then the strongest level (H, else Q, else M) that still fits that version."""
    segment = _segment(url)
    limits = qrcode.util.BIT_LIMIT_TABLE
    version = next((v for v in range(1, 41)
                    if _bits(segment, v) <= limits[qrcode.constants.ERROR_CORRECT_M][v]), None)
    if version is None:
        raise ValueError("the URL is too long for a QR code")
    needed = _bits(segment, version)
    level = next(name for name, constant in reversed(_LEVELS)
                 if needed <= limits[constant][version])
    return version, level


@lru_cache(maxsize=4096)
def encode(url: str) -> QRMatrix:
    """Encode a URL at its natural version with the strongest error correction that fits it
    (alphanumeric mode whenever the URL allows)."""
    version, level = fit(url)
    symbol = qrcode.QRCode(version=version, error_correction=dict(_LEVELS)[level], border=0)
    symbol.add_data(_segment(url))
    symbol.make(fit=False)
    rows = tuple(tuple(bool(cell) for cell in row) for row in symbol.get_matrix())
    return QRMatrix(version=version, rows=rows, ec_level=level)


def svg_path_data(matrix: QRMatrix, offset: int = QUIET_ZONE) -> str:
    """One path made of merged horizontal runs, so renderers leave no seams between modules."""
    return "".join(f"M{x + offset} {y + offset}h{n}v1h-{n}z" for y, x, n in matrix.runs())


def render_svg(url: str) -> bytes:
    """A scalable SVG of the QR with a 4-module white quiet zone."""
    matrix = encode(url)
    side = matrix.size + 2 * QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{side * 8}" height="{side * 8}" shape-rendering="crispEdges">'
        f'<title>{_xml_escape(url)}</title>'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{svg_path_data(matrix)}"/></svg>'
    ).encode()


def render_png(url: str, size: int = PNG_SIZE_DEFAULT) -> bytes:
    """A PNG of the QR at whole pixels per module, as close to size pixels wide as fits."""
    matrix = encode(url)
    side = matrix.size + 2 * QUIET_ZONE
    scale = max(1, size // side)
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    for y, x, n in matrix.runs():
        for dx in range(n):
            pixels[x + dx + QUIET_ZONE, y + QUIET_ZONE] = 0
    image = image.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
