"""QR matrices for tag URLs, and their SVG and PNG renderings."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image
from qrcode.exceptions import DataOverflowError

from qrshop.tags.codes import is_alphanumeric_mode

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 requires
PNG_SIZE_DEFAULT = 512
PNG_SIZE_RANGE = (64, 2048)


@dataclass(frozen=True)
class QRMatrix:
    """The dark modules of one QR symbol, without quiet zone."""

    version: int
    rows: tuple[tuple[bool, ...], ...]

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


def _symbol(url: str, version: int | None) -> qrcode.QRCode:
    """A made QR symbol: the smallest version that fits (None) or exactly `version`."""
    qr = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M,
                       border=0)
    if is_alphanumeric_mode(url):
        qr.add_data(qrcode.util.QRData(url.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    else:
        qr.add_data(url, optimize=0)
    qr.make(fit=version is None)
    return qr


@lru_cache(maxsize=4096)
def encode(url: str, min_version: int = 1) -> QRMatrix:
    """Encode a URL at error correction M, in alphanumeric mode whenever it allows.

    The smallest version that holds the URL is used, or min_version if that is larger (a
    label with little room may need more, smaller modules to keep the symbol's size up).
    """
    qr = None
    if min_version > 1:
        with contextlib.suppress(DataOverflowError):  # the URL needs more than min_version
            qr = _symbol(url, min_version)
    if qr is None:
        qr = _symbol(url, None)
    rows = tuple(tuple(bool(cell) for cell in row) for row in qr.get_matrix())
    return QRMatrix(version=qr.version, rows=rows)


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
