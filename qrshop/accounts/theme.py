"""A retailer's theme: colours that people can read (WCAG AA), a safe font, a footer."""

from __future__ import annotations

import re
from functools import lru_cache

from coloraide import Color

from qrshop.accounts.models import SAFE_FONTS, Retailer
from qrshop.accounts.models import font_stack as font_stack  # for the theme page
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import LOCALES

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_TEXT = 4.5


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    return Color(foreground).contrast(background, method="wcag21")


# The shopper pages' grey page background, the darkest surface theme-coloured text sits on
# (cards are white): a colour readable on it is readable on both.
PAGE_BACKGROUND = "#fafafa"


@lru_cache(maxsize=256)
def link_colour(primary: str, accent: str, background: str = PAGE_BACKGROUND) -> str:
    """The theme colour links and outlined buttons are written in on the pages' white cards
    and grey page: the primary colour when it is readable there (WCAG AA), else the accent if
    that is, else near-black."""
    for colour in (primary, accent):
        if HEX_COLOUR.match(colour or "") and contrast(colour, background) >= AA_TEXT:
            return colour
    return "#1a1a1a"


@lru_cache(maxsize=256)
def on_primary_colour(primary: str, accent: str) -> str:
    """The colour of text on the primary colour (header, buttons): the accent, which
    update_theme keeps readable there; for a theme stored before that check, or by other
    means, black or white, whichever reads better (WCAG AA either way for any primary)."""
    if not HEX_COLOUR.match(primary or ""):
        return accent
    if HEX_COLOUR.match(accent or "") and contrast(accent, primary) >= AA_TEXT:
        return accent
    return max(("#000000", "#ffffff"), key=lambda colour: contrast(colour, primary))


def update_theme(retailer: Retailer, *, primary: str, accent: str, font: str,
                 footer_text: str, logo_media_id: int | None = None,
                 default_language: str | None = None) -> None:
    """Set the theme, refusing colours that fail WCAG AA for text (with the measured ratio)."""
    for name, value in (("Primary", primary), ("Accent", accent)):
        if not HEX_COLOUR.match(value or ""):
            raise InvalidInput(f"{name} colour must look like #7a1f3d.")
    ratio = contrast(accent, primary)
    if ratio < AA_TEXT:
        raise InvalidInput(
            f"Text in the accent colour on the primary colour has contrast {ratio:.1f}:1, "
            f"below the {AA_TEXT}:1 that WCAG AA asks for. Darken one or lighten the other.",
            code="low_contrast")
    if font not in SAFE_FONTS:
        raise InvalidInput(f"Choose a font from: {', '.join(SAFE_FONTS)}.")
    footer_text = (footer_text or "").strip()
    if len(footer_text) > 300:
        raise InvalidInput("The footer text can be at most 300 characters.")
    retailer.primary_colour, retailer.accent_colour = primary.lower(), accent.lower()
    retailer.font, retailer.footer_text = font, footer_text
    if default_language is not None:
        if default_language not in LOCALES:
            raise InvalidInput(f"Choose the default language from: {', '.join(LOCALES)}.")
        retailer.default_language = default_language
    if logo_media_id is not None:
        retailer.logo_media_id = logo_media_id
    db.session.flush()
