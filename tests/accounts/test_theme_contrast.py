"""Whatever a retailer's theme, text on the shopper pages reads at WCAG AA (4.5:1): links and
outlined buttons on the cards and the grey page, text on the primary colour."""

from __future__ import annotations

import re

import pytest

from qrshop.accounts.theme import (
    AA_TEXT,
    PAGE_BACKGROUND,
    contrast,
    link_colour,
    on_primary_colour,
)
from qrshop.extensions import db
from tests.factories import make_shop

THEMES = [("#7a1f3d", "#ffffff"), ("#111827", "#fde68a"), ("#ffd60a", "#1a1a1a"),
          ("#ffffff", "#000000"), ("#00ff00", "#ffffff"), ("#777777", "#888888"),
          ("#1f2937", "not a colour")]


@pytest.mark.parametrize(("primary", "accent"), THEMES)
def test_links_read_on_the_cards_and_the_page(primary, accent):
    colour = link_colour(primary, accent)
    assert contrast(colour, "#ffffff") >= AA_TEXT
    assert contrast(colour, PAGE_BACKGROUND) >= AA_TEXT


@pytest.mark.parametrize(("primary", "accent"), THEMES)
def test_text_on_the_primary_colour_reads(primary, accent):
    assert contrast(on_primary_colour(primary, accent), primary) >= AA_TEXT


def test_the_theme_keeps_its_own_colours_where_they_read():
    assert link_colour("#7a1f3d", "#ffffff") == "#7a1f3d"
    assert on_primary_colour("#7a1f3d", "#ffffff") == "#ffffff"
    assert link_colour("#ffd60a", "#1a1a1a") == "#1a1a1a"  # yellow text on white: no


def test_a_stored_theme_that_fails_contrast_is_shown_readable(client):
    """A theme stored without update_theme's check (an old row, a direct edit)."""
    shop = make_shop()
    shop.retailer.primary_colour, shop.retailer.accent_colour = "#ffd60a", "#ffffff"
    db.session.commit()
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    root = re.search(r":root\{--primary:([^;]+);--accent:([^;]+);--link:([^;]+);", html)
    assert root.groups() == ("#ffd60a", "#000000", "#1a1a1a")
