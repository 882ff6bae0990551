"""The counter card: a table tent for the till, "Scan to see your wish list and coupons".

The page is folded in half across its middle; the two halves are the tent's two faces, the
upper one printed upside down so that both stand upright once folded. Each face carries the
same QR, opening the shopper's wish list (saved items and coupons) for the retailer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from reportlab.lib.colors import HexColor

from qrshop.tags.drawing import BOLD, REGULAR, LabelContent
from qrshop.tags.layouts import MM
from qrshop.tags.text import size_to_fit, wrap

if TYPE_CHECKING:
    from qrshop.tags.posters import Poster

HEADLINE = "Scan to see your wish list and coupons"
BODY = ("The items you saved and the coupons you claimed, on your phone. Show them to us "
        "here and we will find your items and apply your coupons.")
FOLD = HexColor("#a8a29e")


def _face(poster: Poster, content: LabelContent, width: float, height: float) -> None:
    """One face of the tent, drawn upright in the box (0, 0)-(width, height); its top edge
    is the fold."""
    canvas, margin = poster.canvas, 12 * MM
    band = height * 0.17
    canvas.setFillColor(poster.brand_colour)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    x = margin
    if poster.logo is not None:
        logo_h = band * 0.6
        logo_w = poster.logo_width(logo_h, width * 0.35)
        poster.draw_logo(x, height - (band + logo_h) / 2, logo_w, logo_h)
        x += logo_w + 5 * MM
    name_size = size_to_fit(content.product, BOLD, band * 0.4, width - margin - x, 9)
    poster.text(content.product, BOLD, name_size, x, height - band / 2 - name_size * 0.35,
                poster.accent_colour)
    body_top = height - band - 8 * MM
    box = min(body_top - 8 * MM, width * 0.42)
    qr_x = width - margin - box + 4 * MM  # the quiet zone is the margin's share
    poster.qr(content.url, qr_x, (body_top - box) / 2 + 2 * MM, box)
    text_w = qr_x - margin - 4 * MM
    size = 26.0
    y = body_top - size
    for line in wrap(HEADLINE, BOLD, size, text_w, 3):
        poster.text(line, BOLD, size, margin, y)
        y -= size * 1.15
    y -= 4 * MM
    for line in wrap(BODY, REGULAR, 12, text_w, 4):
        poster.text(line, REGULAR, 12, margin, y)
        y -= 12 * 1.35
    typed = f"No camera app? Go to {content.short_url}"
    poster.text(typed, REGULAR, size_to_fit(typed, REGULAR, 10, text_w, 6), margin, 10 * MM,
                HexColor("#57534e"))


def draw_counter_card(poster: Poster, content: LabelContent) -> None:
    """Both faces of the tent and the fold line between them."""
    canvas, width, height = poster.canvas, poster.width, poster.height
    half = height / 2
    _face(poster, content, width, half)
    canvas.saveState()
    canvas.translate(width, height)  # the upper face, turned 180° about the page centre
    canvas.rotate(180)
    _face(poster, content, width, half)
    canvas.restoreState()
    turned = poster.placed[-1]  # recorded in the turned face's coordinates: map to the page
    poster.placed[-1] = replace(turned, x=width - turned.x - turned.symbol_size,
                                y=height - turned.y - turned.symbol_size)
    canvas.setStrokeColor(FOLD)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    canvas.line(0, half, width, half)
    canvas.setDash()
    canvas.setFont(REGULAR, 7)
    canvas.setFillColor(FOLD)
    canvas.drawString(4 * MM, half + 1.5 * MM, "fold")
