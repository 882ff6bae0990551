"""Sample printed items in both URL styles, and reading printed pages back."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pypdfium2
from PIL import Image, ImageDraw

from qrshop.tags.codes import CODE_ALPHABET
from qrshop.tags.layouts import LAYOUTS, Layout
from qrshop.tags.printing import PLAIN_CALL, RICH_CALL, LabelContent

# The two URL styles a retailer may choose (docs/printing.md): the short /T/<CODE> and the
# GS1 Digital Link with the tag as a path prefix, on a realistic 20-character host.
SHORT_HOST, GS1_HOST = "QR.EXAMPLE.COM", "SCAN.FASHIONTOWN.COM"
STYLES = ("short", "gs1")
NAMES = ("Ridgeline Waterproof Insulated Hooded Jacket", "Trail Runner 2 Shoes",
         "Merino Base Layer Crew", "Summit Daypack 28L", "Alpine Beanie",
         "Canyon Hiking Shorts", "Glacier Down Vest", "Harbor Rain Boots")


def gtin14(n: int) -> str:
    """A GTIN-14 with a valid check digit."""
    body = f"0009{n:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def code(n: int) -> str:
    """A distinct tag code in the real alphabet."""
    digits = []
    for _ in range(8):
        n, r = divmod(n, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[(r * 7 + 3) % len(CODE_ALPHABET)])
    return "".join(digits)


def url_for(style: str, n: int) -> str:
    """The URL a tag of this style holds."""
    if style == "gs1":
        return f"HTTPS://{GS1_HOST}/T/{code(n)}/01/{gtin14(n)}"
    return f"HTTPS://{SHORT_HOST}/T/{code(n)}"


def photo(n: int, size=(600, 750)) -> bytes:
    """A product-like JPEG (a garment shape on a coloured ground)."""
    image = Image.new("RGB", size, (200 - n * 13 % 120, 110 + n * 17 % 100, 90 + n * 23 % 120))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.25, h * 0.1, w * 0.75, h * 0.5), fill=(235, 232, 225))
    draw.rectangle((w * 0.3, h * 0.35, w * 0.7, h * 0.95), fill=(50, 55, 70))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def labels(style: str, count: int, *, photos: bool = True) -> list[LabelContent]:
    """count items of one URL style; every third has no photo, every other has an offer."""
    result = []
    for n in range(count):
        url = url_for(style, n)
        host = GS1_HOST if style == "gs1" else SHORT_HOST
        result.append(LabelContent(
            url, f"{host.lower()}/T/{code(n)}",
            NAMES[n % len(NAMES)], f"${49 + n}.99", RICH_CALL if n % 2 else PLAIN_CALL,
            photo(n) if photos and n % 3 != 2 else None))
    return result


def sample_count(layout: Layout) -> int:
    """Enough items to fill a page and start another (one card for the counter card)."""
    if layout.style == "counter-card":
        return 1
    if layout.style == "look-poster":
        return 6
    if layout.style == "shelf-poster":
        columns, rows = layout.grids[-1]
        return columns * rows + 2
    if layout.style == "poster":
        return 2
    return layout.per_page + 2


def rendered_pages(pdf: bytes, dpi: int, folder: Path | None = None) -> list[Image.Image]:
    """Every page rendered at dpi as greyscale images: by PDFium in process, or by poppler's
    pdftoppm when a folder is given for its files."""
    if folder is None:
        document = pypdfium2.PdfDocument(pdf)
        pages = [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                 for page in document]
        document.close()
        return pages
    assert shutil.which("pdftoppm"), "install poppler-utils (CI does)"
    (folder / "sheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(folder / "sheet.pdf"),
                    str(folder / "page")], check=True)
    return [Image.open(path) for path in sorted(folder.glob("page*.pgm"))]


def zbar_each(images: list[Image.Image], folder: Path) -> list[list[str]]:
    """Every QR text zbarimg finds in each image (one zbarimg run for them all)."""
    assert shutil.which("zbarimg"), "install zbar-tools (CI does)"
    paths = []
    for number, image in enumerate(images):
        paths.append(folder / f"zbar-{number}.pgm")  # uncompressed: quick to write
        image.save(paths[-1])
    result = subprocess.run(["zbarimg", "--quiet", "--xml", "-Sdisable", "-Sqrcode.enable",
                             *map(str, paths)], capture_output=True, text=True)
    found: dict[str, list[str]] = {str(path): [] for path in paths}
    namespace = "{http://zbar.sourceforge.net/2008/barcode}"
    for source in ElementTree.fromstring(result.stdout).iter(f"{namespace}source"):
        found[source.get("href")] = [data.text or "" for data in
                                     source.iter(f"{namespace}data")]
    return [found[str(path)] for path in paths]


def zbar(image: Image.Image, folder: Path) -> list[str]:
    """Every QR text zbarimg finds in an image."""
    return zbar_each([image], folder)[0]


def crop_around(image: Image.Image, placed, layout: Layout, dpi: int,
                extra: float = 0.0) -> Image.Image:
    """The QR with its quiet zone (and `extra` modules more on each side) from a page."""
    scale = dpi / 72
    quiet = (4 + extra) * placed.module
    left = (placed.x - quiet) * scale
    right = (placed.x + placed.symbol_size + quiet) * scale
    top = (layout.page[1] - (placed.y + placed.symbol_size + quiet)) * scale
    bottom = (layout.page[1] - (placed.y - quiet)) * scale
    return image.crop((max(0, int(left)), max(0, int(top)), int(right) + 1, int(bottom) + 1))


ALL_LAYOUTS = list(LAYOUTS)
