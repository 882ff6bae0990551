"""Posters that sell: the virtual shelf (a titled grid of item photos, each with its price and
QR), the look poster (one hero photo, up to 6 items of the look), a one-item poster, and the
counter card for the till (counter_card.py).

Shoppers scan pictured items (the Tesco Homeplus subway store), so every item shows its
photo: the listing's approved hero image, or a neat tinted placeholder with its initials.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Optional

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader

from qrshop.tags.counter_card import draw_counter_card
from qrshop.tags.drawing import BOLD, INK, REGULAR, Document, LabelContent, PlacedQR
from qrshop.tags.layouts import MM, Layout
from qrshop.tags.text import fit_words, size_for_words, size_to_fit, wrap

LOOK_ITEMS = 6  # the most items a look poster shows
MAX_HEADING = 60  # characters of a poster's title
PRINT_DPI = 200  # photos are scaled down to this at their printed size
CARD_LINE = HexColor("#d6d3d1")
MUTED = HexColor("#57534e")
DEFAULT_HEADINGS = {"shelf-poster": "Shop the shelf", "look-poster": "Shop the look",
                    "poster": "Scan me to see more"}
HOW_TO = "Point your phone's camera at a code to see the item"


def grid_for(layout: Layout, count: int) -> tuple[int, int]:
    """The (columns, rows) for `count` items on one page of a shelf poster: the smallest
    grid that holds them (largest photos), the layout's largest when none does."""
    return next((grid for grid in layout.grids if grid[0] * grid[1] >= count),
                layout.grids[-1])


def pages_for(layout: Layout, count: int) -> list[int]:
    """How many items go on each page: as even as can be, the largest grid at most."""
    most = layout.grids[-1][0] * layout.grids[-1][1]
    pages = max(1, math.ceil(count / most))
    base, extra = divmod(count, pages)
    return [base + (1 if page < extra else 0) for page in range(pages)]


def _photo(data: Optional[bytes], width: float, height: float,
           cover: bool) -> Optional[ImageReader]:
    """The photo as an RGB image at PRINT_DPI for a box of width x height points: cropped
    to fill it (cover) or whole (contain). None when the bytes are no readable image."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return None
    most = (max(1, round(width / 72 * PRINT_DPI)), max(1, round(height / 72 * PRINT_DPI)))
    if cover:
        image = ImageOps.fit(image, most, Image.Resampling.LANCZOS)
    else:
        image.thumbnail(most, Image.Resampling.LANCZOS)
    return ImageReader(image)


def _initials(name: str) -> str:
    words = [word for word in name.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


class Poster(Document):
    """One page design per page; the labels are the items it shows."""

    def __init__(self, layout: Layout, *, offset_mm=(0.0, 0.0), **brand):
        super().__init__(layout.page, **brand)
        self.layout = layout
        self.width, self.height = layout.page
        self.margin = 12 * MM
        self.offset = (offset_mm[0] * MM, -offset_mm[1] * MM)
        self._start()

    def _start(self) -> None:
        self.canvas.translate(*self.offset)

    def next_page(self) -> None:
        """A new page, with the calibration offset applied again."""
        self.new_page()
        self._start()

    # --- shared pieces --------------------------------------------------------------

    def band(self, heading: str, subheading: str, height: float) -> float:
        """The brand-coloured header band with logo, heading and subheading; return its
        bottom edge."""
        canvas, top = self.canvas, self.height
        canvas.setFillColor(self.brand_colour)
        canvas.rect(0, top - height, self.width, height, stroke=0, fill=1)
        x = self.margin
        if self.logo is not None:
            logo_h = min(height * 0.42, 22 * MM)
            logo_w = self.logo_width(logo_h, self.width * 0.3)
            self.draw_logo(x, top - (height + logo_h) / 2, logo_w, logo_h)
            x += logo_w + 6 * MM
        room = self.width - self.margin - x
        size = size_to_fit(heading, BOLD, height * 0.36, room, height * 0.2)
        heading = fit_words(heading, BOLD, size, room)
        sub = height * 0.13
        middle = top - height / 2
        self.text(heading, BOLD, size, x, middle + (sub * 0.2 if subheading else -size * 0.35),
                  self.accent_colour)
        if subheading:
            self.text(fit_words(subheading, REGULAR, sub, room), REGULAR, sub, x,
                      middle - sub * 1.5, self.accent_colour)
        return top - height

    def footer(self, text: str) -> None:
        """A quiet line at the foot of the page."""
        size = 9 if self.width < 800 else 11
        self.canvas.setFont(REGULAR, size)
        self.canvas.setFillColor(MUTED)
        self.canvas.drawCentredString(self.width / 2, self.margin * 0.6,
                                      fit_words(text, REGULAR, size,
                                                self.width - 2 * self.margin))

    def photo(self, content: LabelContent, x: float, y: float, width: float, height: float,
              *, cover: bool = False) -> None:
        """The item's photo in a box (whole, centred; or filling it), or a placeholder."""
        image = _photo(content.image, width, height, cover)
        canvas = self.canvas
        if image is None:
            canvas.saveState()  # the tint's transparency must not outlive the placeholder
            tint = self.brand_colour
            canvas.setFillColor(Color(tint.red, tint.green, tint.blue, alpha=0.10))
            canvas.roundRect(x, y, width, height, 2 * MM, stroke=0, fill=1)
            size = min(height * 0.4, width * 0.3)
            canvas.setFillColor(Color(tint.red, tint.green, tint.blue, alpha=0.55))
            canvas.setFont(BOLD, size)
            canvas.drawCentredString(x + width / 2, y + height / 2 - size * 0.35,
                                     _initials(content.product))
            canvas.restoreState()
            return
        image_w, image_h = image.getSize()
        scale = min(width / image_w, height / image_h)
        shown_w, shown_h = image_w * scale, image_h * scale
        canvas.drawImage(image, x + (width - shown_w) / 2, y + (height - shown_h) / 2,
                         shown_w, shown_h)

    def item_text(self, content: LabelContent, x: float, top: float, bottom: float,
                  width: float, size: float, lines: int = 2) -> None:
        """Name (wrapped at words), price, call to action and typed URL in a column."""
        name_size = size_for_words(content.product, BOLD, size, width, size * 0.7)
        y = top - name_size
        for line in wrap(content.product, BOLD, name_size, width, lines):
            self.text(line, BOLD, name_size, x, y)
            y -= name_size * 1.18
        price_size = size * 1.45
        self.text(content.price, BOLD, size_to_fit(content.price, BOLD, price_size, width),
                  x, y - price_size * 0.45)
        small = max(6.0, size * 0.62)
        url_size = size_to_fit(content.short_url, REGULAR, small * 0.9, width, 4.0)
        self.text(content.short_url, REGULAR, url_size, x, bottom, MUTED)
        call = content.call_to_action
        self.text(call, BOLD, size_to_fit(call, BOLD, small, width), x,
                  bottom + url_size * 1.5, self.brand_colour)

    def card(self, x: float, y: float, width: float, height: float) -> None:
        """A white card with a light rule around it."""
        self.canvas.setStrokeColor(CARD_LINE)
        self.canvas.setLineWidth(0.6)
        self.canvas.setFillColorRGB(1, 1, 1)
        self.canvas.roundRect(x, y, width, height, 3 * MM, stroke=1, fill=1)

    # --- designs ---------------------------------------------------------------------

    def shelf_page(self, items: list[LabelContent], heading: str, subheading: str) -> None:
        """A titled grid of item cards: photo on top, then text beside the QR."""
        columns, rows = grid_for(self.layout, len(items))
        band_bottom = self.band(heading, subheading, self.width * 0.16)
        gutter = 5 * MM if self.width < 800 else 7 * MM
        top, bottom = band_bottom - 7 * MM, self.margin + 6 * MM
        cell_w = (self.width - 2 * self.margin - (columns - 1) * gutter) / columns
        cell_h = (top - bottom - (rows - 1) * gutter) / rows
        for index, content in enumerate(items):
            column, row = index % columns, index // columns
            x = self.margin + column * (cell_w + gutter)
            y = top - (row + 1) * cell_h - row * gutter
            self._shelf_item(content, x, y, cell_w, cell_h)
        self.footer(f"{HOW_TO}: photos, details and offers.")

    def _shelf_item(self, content: LabelContent, x: float, y: float, width: float,
                    height: float) -> None:
        pad = 3 * MM
        self.card(x, y, width, height)
        photo_h = height * 0.5
        self.photo(content, x + pad, y + height - pad - photo_h, width - 2 * pad, photo_h)
        lower = height - photo_h - 2 * pad  # the part under the photo
        box = min(lower + pad, width * 0.5)
        self.qr(content.url, x + width - box - 0.5 * MM, y + 0.5 * MM, box)
        size = max(7.5, min(14.0, width / (60 * MM) * 10))
        self.item_text(content, x + pad, y + lower + pad, y + pad, width - box - pad, size)

    def look_page(self, items: list[LabelContent], heading: str, subheading: str) -> None:
        """The first item's photo as the hero, then each item of the look with its QR."""
        band_bottom = self.band(heading, subheading, self.width * 0.13)
        bottom = self.margin + 6 * MM
        hero_h = (band_bottom - bottom) * 0.56
        hero_y = band_bottom - hero_h
        self.photo(items[0], 0, hero_y, self.width, hero_h, cover=True)
        columns = {1: 1, 2: 2, 3: 3, 4: 2}.get(len(items), 3)
        rows = math.ceil(len(items) / columns)
        gutter = 5 * MM
        top = hero_y - 6 * MM
        cell_w = (self.width - 2 * self.margin - (columns - 1) * gutter) / columns
        cell_h = min((top - bottom - (rows - 1) * gutter) / rows, cell_w * 0.75)
        for index, content in enumerate(items):
            column, row = index % columns, index // columns
            x = self.margin + column * (cell_w + gutter)
            y = top - (row + 1) * cell_h - row * gutter
            self.card(x, y, cell_w, cell_h)
            box = min(cell_h - 1 * MM, cell_w * 0.5)
            self.qr(content.url, x + 0.5 * MM, y + (cell_h - box) / 2, box)
            size = max(8.0, min(14.0, cell_w / (60 * MM) * 10))
            self.item_text(content, x + box + 1 * MM, y + cell_h - 4 * MM, y + 4 * MM,
                           cell_w - box - 4 * MM, size, lines=3)
        self.footer(f"{HOW_TO}: photos, details and offers.")

    def single_page(self, content: LabelContent, heading: str) -> None:
        """One item: its photo, name and price large, and a QR that reads from afar."""
        band_bottom = self.band(heading, "", self.width * 0.13)
        bottom = self.margin + 6 * MM
        photo_h = (band_bottom - bottom) * 0.5
        self.photo(content, self.margin, band_bottom - 6 * MM - photo_h,
                   self.width - 2 * self.margin, photo_h)
        box = min(self.width * 0.45, band_bottom - 12 * MM - photo_h - bottom)
        self.qr(content.url, self.width - self.margin - box, bottom, box)
        text_w = self.width - 2 * self.margin - box - 4 * MM
        self.item_text(content, self.margin, band_bottom - 14 * MM - photo_h, bottom + 4 * MM,
                       text_w, 22, lines=3)
        self.footer(f"{HOW_TO}. No camera app? Type the address under the price.")


def build_poster(layout: Layout, labels: list[LabelContent], *, heading: Optional[str],
                 offset_mm=(0.0, 0.0), progress: Optional[Callable[[], None]] = None,
                 subheading: str = "",
                 **brand) -> tuple[bytes, list[PlacedQR]]:
    """Render a page design (posters, the look poster, the counter card) to a PDF."""
    poster = Poster(layout, offset_mm=offset_mm, **brand)
    heading = heading or DEFAULT_HEADINGS.get(layout.style, "")
    if layout.style == "shelf-poster":
        start = 0
        for page, count in enumerate(pages_for(layout, len(labels))):
            if page:
                poster.next_page()
            poster.shelf_page(labels[start:start + count], heading, subheading)
            start += count
    elif layout.style == "look-poster":
        poster.look_page(labels[:LOOK_ITEMS], heading, subheading)
    elif layout.style == "counter-card":
        draw_counter_card(poster, labels[0])
    else:
        for page, content in enumerate(labels):
            if page:
                poster.next_page()
            poster.single_page(content, heading)
    if progress is not None:
        for _ in labels:
            progress()
    return poster.finish(), poster.placed


__all__ = ["INK", "build_poster", "grid_for", "pages_for"]
