"""Link-preview cards (og:image): 1200 x 630 JPEGs made from stored media with Pillow.

A product's card is its hero photo, whole, letterboxed on the retailer's primary colour; a
product without a photo gets a card drawn in the retailer's colours with its logo, the
product's name and price. Callers keep the bytes (storage.store_derived); nothing here
touches the file system but reading the stored files it is given.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

from PIL import Image, ImageDraw, ImageFont, ImageOps

CARD_SIZE = (1200, 630)  # what Facebook, LinkedIn, X and WhatsApp show without cropping
MARGIN = 48
# Bump when the drawing changes, so cached cards are made again (it is part of their key).
CARD_VERSION = 1


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def photo_card(photo: Path, background: str) -> bytes:
    """The photo, whole and as large as fits, centred on the background colour."""
    card = Image.new("RGB", CARD_SIZE, background)
    with Image.open(photo) as source:
        source.load()
        image = source.convert("RGBA")
    image = ImageOps.contain(image, CARD_SIZE, Image.Resampling.LANCZOS)
    card.paste(image, ((CARD_SIZE[0] - image.width) // 2, (CARD_SIZE[1] - image.height) // 2),
               image)
    return _jpeg(card)


def _fitted_lines(draw: ImageDraw.ImageDraw, text: str, size: int, width: int,
                  max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The text wrapped to `width` pixels in at most max_lines lines, shrinking the font
    until it fits (the last line ends with an ellipsis if even the smallest does not)."""
    while True:
        font = ImageFont.load_default(size=size)
        lines: list[str] = []
        for word in text.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        if len(lines) <= max_lines or size <= 40:
            break
        size -= 8
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".") + "…"
    return font, lines


def branded_card(*, background: str, foreground: str, title: str, subtitle: str,
                 logo: Optional[Path] = None, wordmark: str = "") -> bytes:
    """A card in the retailer's colours: the logo (or its name) above the product's name and
    a line such as its price and store."""
    card = Image.new("RGB", CARD_SIZE, background)
    draw = ImageDraw.Draw(card)
    width = CARD_SIZE[0] - 2 * MARGIN
    top = MARGIN
    if logo is not None:
        with Image.open(logo) as source:
            source.load()
            mark = ImageOps.contain(source.convert("RGBA"), (width, 72),
                                    Image.Resampling.LANCZOS)
        card.paste(mark, (MARGIN, top), mark)
    elif wordmark:
        draw.text((MARGIN, top), wordmark, fill=foreground,
                  font=ImageFont.load_default(size=48))
    font, lines = _fitted_lines(draw, title, 80, width, 2)
    line_height = int(font.size * 1.2)
    y = CARD_SIZE[1] - MARGIN - 56 - 24 - line_height * len(lines)
    for line in lines:
        draw.text((MARGIN, y), line, fill=foreground, font=font)
        y += line_height
    draw.text((MARGIN, CARD_SIZE[1] - MARGIN - 48), subtitle, fill=foreground,
              font=ImageFont.load_default(size=44))
    return _jpeg(card)
