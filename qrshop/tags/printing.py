"""Printable tag sheets (PDF) on label stock: the QR as one vector path, product name,
price, short URL, call to action and the retailer's logo where it fits.

Posters, the look poster and the counter card are drawn by posters.py; build_pdf() sends each
layout to the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Optional

from reportlab.pdfbase.pdfmetrics import stringWidth

from qrshop.tags.drawing import (  # noqa: F401  (re-exported: the printing API)
    BOLD,
    MIN_MODULE,
    PLAIN_CALL,
    REGULAR,
    RICH_CALL,
    Document,
    LabelContent,
    PlacedQR,
    _path_ops,
    draw_qr,
    fit_symbol,
)
from qrshop.tags.layouts import MM, Layout
from qrshop.tags.posters import build_poster
from qrshop.tags.text import fit_words, size_for_words, size_to_fit, wrap


def _name_and_price(product: str, price: str, font: str, size: float, width: float) -> str:
    """"Name · $12.00" fitting width: the name is shortened at a word if need be, the price
    never."""
    tail = f" · {price}"
    return fit_words(product, font, size, width - stringWidth(tail, font, size)) + tail


class Sheet(Document):
    """A PDF of labels on label stock (one layout's grid)."""

    def __init__(self, layout: Layout, *, offset_mm=(0.0, 0.0), **brand):
        super().__init__(layout.page, **brand)
        self.layout = layout
        self.positions = layout.positions(offset_mm)
        self._slot = 0

    def add(self, content: LabelContent) -> None:
        """Draw the next label, starting a new page when the sheet is full."""
        if self._slot == len(self.positions):
            self.new_page()
            self._slot = 0
        x, y = self.positions[self._slot]
        self._slot += 1
        draw = {"compact": self._compact, "square": self._square,
                "strip": self._strip}[self.layout.style]
        draw(content, x, y)

    def _compact(self, content: LabelContent, x: float, y: float) -> None:
        """QR on the left, text on the right (address-label stock)."""
        width, height = self.layout.label
        pad = 1.5 * MM
        # The quiet zone is the QR's margin, so the box may run to the label's edges; on a
        # tall label it leaves the text some room.
        box = min(height, max(25.4 * MM, width * 0.45))
        self.qr(content.url, x, y + (height - box) / 2, box)
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
            self.draw_logo(text_x, top - logo_h, text_w, logo_h)
            logo_h += 1.5 * MM
        line_y = top - logo_h - name_size
        for line in wrap(content.product, BOLD, name_size, text_w, 2):
            self.text(line, BOLD, name_size, text_x, line_y)
            line_y -= name_size * 1.15
        self.text(content.price, BOLD, price_size, text_x, line_y - price_size * 0.3)
        call = content.call_to_action
        self.text(call, REGULAR, size_to_fit(call, REGULAR, small, text_w), text_x,
                  y + pad + small * 1.3)
        url_size = size_to_fit(content.short_url, REGULAR, small, text_w)
        self.text(content.short_url, REGULAR, url_size, text_x, y + pad)

    def _square(self, content: LabelContent, x: float, y: float) -> None:
        """QR on top; the name (cut at a word), the price at 9 pt, the call to action and
        the URL underneath (square stock)."""
        width, height = self.layout.label
        pad = 1.2 * MM
        text_w = width - 2 * pad
        price_size, name_size, small = 9.0, 6.6, 5.2
        price_w = stringWidth(content.price, BOLD, price_size)
        # Bottom up: URL, call to action, then one line of name and price.
        url_y = y + pad - 0.4
        call_y = url_y + small + 0.6
        line_y = call_y + small + 1.6
        box = height - (line_y + price_size - y) - 0.4 * MM
        self.qr(content.url, x + (width - box) / 2, y + height - box, box)
        self.text(content.price, BOLD, price_size, x + width - pad - price_w, line_y)
        name_w = text_w - price_w - 1.5 * MM
        size = size_for_words(content.product, BOLD, name_size, name_w, 5.0)
        self.text(fit_words(content.product, BOLD, size, name_w), BOLD, size, x + pad, line_y)
        call = content.call_to_action
        self.text(call, REGULAR, size_to_fit(call, REGULAR, small, text_w), x + pad, call_y)
        url_size = size_to_fit(content.short_url, REGULAR, small, text_w)
        self.text(content.short_url, REGULAR, url_size, x + pad, url_y)

    def _strip(self, content: LabelContent, x: float, y: float) -> None:
        """Shelf-edge strip: QR, big price, name, call to action, URL; a cut rule below."""
        width, height = self.layout.label
        pad = 1.5 * MM
        box = height
        self.qr(content.url, x, y, box)
        text_x = x + box + 2 * MM
        right = x + width - pad
        if self.logo is not None:
            logo_h = 7 * MM
            logo_w = self.logo_width(logo_h, 60 * MM)
            self.draw_logo(right - logo_w, y + height - pad - logo_h, logo_w, logo_h)
            right -= logo_w + 3 * MM
        self.text(content.price, BOLD, 20, text_x, y + height - pad - 18)
        price_w = stringWidth(content.price, BOLD, 20) + 4 * MM
        self.text(fit_words(content.product, BOLD, 12, right - text_x - price_w), BOLD, 12,
                  text_x + price_w, y + height - pad - 16)
        bottom_line = f"{content.call_to_action} — or type {content.short_url}"
        self.text(bottom_line, REGULAR,
                  size_to_fit(bottom_line, REGULAR, 8.5, x + width - pad - text_x), text_x,
                  y + pad + 2)
        self.canvas.setLineWidth(0.3)
        self.canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        self.canvas.setDash(2, 2)
        self.canvas.line(x, y, x + width, y)
        self.canvas.setDash()


def build_pdf(layout: Layout, labels: Iterable[LabelContent], *, offset_mm=(0.0, 0.0),
              logo: Optional[bytes] = None, brand_colour: str = "#1f2937",
              accent_colour: str = "#ffffff", title: str = "qrshop tags",
              heading: Optional[str] = None,
              progress: Optional[Callable[[], None]] = None) -> tuple[bytes, list[PlacedQR]]:
    """Render labels into a PDF; return its bytes and where each QR went.

    Poster layouts (posters.py) put several labels on one page under `heading`.
    """
    brand = {"logo": logo, "brand_colour": brand_colour, "accent_colour": accent_colour,
             "title": title}
    if layout.is_poster:
        return build_poster(layout, list(labels), heading=heading, offset_mm=offset_mm,
                            progress=progress, **brand)
    sheet = Sheet(layout, offset_mm=offset_mm, **brand)
    for content in labels:
        sheet.add(content)
        if progress is not None:
            progress()
    return sheet.finish(), sheet.placed
