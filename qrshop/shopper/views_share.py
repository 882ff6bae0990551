"""Link previews of a landing page: the og:image card, and the theme helpers of its pages.

The card is made once per photo and colour (or per product and theme for a card without a
photo) from the stored media and kept by storage; a changed hero image or theme gives the
card a new key, so its URL (?v=) changes too and link previewers fetch the new one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Optional

from flask import send_file

from qrshop import storage
from qrshop.accounts.theme import link_colour, on_primary_colour
from qrshop.content import share_cards
from qrshop.shopper.actions import landing_page_or_404
from qrshop.shopper.services import LandingPage
from qrshop.shopper.views import bp

# Shopper pages write their links in the theme's colour (when readable on white).
bp.add_app_template_global(link_colour, "link_colour")
bp.add_app_template_global(on_primary_colour, "on_primary_colour")


def _hero_photo(page: LandingPage) -> Optional[str]:
    """The stored name of the live hero image's largest JPEG (else the original)."""
    content = json.loads(page.content_json) if page.content_json else {}
    hero = content.get("hero_image") or {}
    jpegs = hero.get("jpg") or []
    return jpegs[-1][1] if jpegs else hero.get("src")


def _card_key(page: LandingPage) -> str:
    """Everything a page's card is drawn from, as text (the card's cache key)."""
    version = share_cards.CARD_VERSION
    photo = _hero_photo(page)
    if photo is not None:
        return f"share-card:{version}:photo:{photo}:{page.primary_colour}"
    return (f"share-card:{version}:brand:{page.primary_colour}:{page.accent_colour}:"
            f"{page.logo_filename}:{page.retailer_name}:{page.product_name}:{page.price}")


@bp.app_template_global()
def share_image_url(page: LandingPage) -> str:
    """The path of the page's link-preview card, with a version that changes with it."""
    version = hashlib.sha256(_card_key(page).encode()).hexdigest()[:12]
    return f"/t/{page.code}/preview.jpg?v={version}"


def _draw_card(page: LandingPage) -> bytes:
    """The card: the hero photo letterboxed on the primary colour, else a branded card."""
    photo = _hero_photo(page)
    photo_path = storage.path_for(photo) if photo else None
    if photo_path is not None:
        return share_cards.photo_card(photo_path, page.primary_colour)
    logo = storage.path_for(page.logo_filename) if page.logo_filename else None
    return share_cards.branded_card(
        background=page.primary_colour, foreground=page.accent_colour,
        title=page.product_name, subtitle=f"{page.price} · {page.retailer_name}",
        logo=logo, wordmark=page.retailer_name)


@bp.get("/t/<code>/preview.jpg")
@bp.get("/T/<code>/preview.jpg")
def share_image(code: str):
    """The 1200 x 630 link-preview image of a tag's page (og:image); records no scan."""
    page = landing_page_or_404(code)
    name = storage.derived_name(_card_key(page), "jpg")
    path = storage.derived_path(name) or storage.store_derived(name, _draw_card(page))
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
