"""GTINs: validated check digits, stored as GTIN-14, clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Product
from qrshop.catalog.services import create_listing, create_product, format_price, normalise_gtin
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from tests.factories import make_retailer, make_vendor


@pytest.mark.parametrize(
    ("raw", "gtin14"),
    [
        ("96385074", "00000096385074"),          # GTIN-8
        ("036000291452", "00036000291452"),      # GTIN-12 (UPC-A)
        ("4006381333931", "04006381333931"),     # GTIN-13 (EAN-13)
        ("10614141000415", "10614141000415"),    # GTIN-14
        (" 4006-3813-3393-1 ", "04006381333931"),
    ],
)
def test_valid_gtins_are_stored_as_gtin14(raw, gtin14):
    assert normalise_gtin(raw) == gtin14


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("4006381333932", "wrong check digit: the last digit should be 1"),
        ("40063813339", "has 11 digits"),
        ("40063813339A1", "digits only"),
        ("", "GTIN is required"),
    ],
)
def test_bad_gtins_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(InvalidInput, match=message):
        normalise_gtin(raw)


def test_product_with_bad_gtin_is_not_stored(app):
    vendor = make_vendor()
    with pytest.raises(InvalidInput):
        create_product(vendor, gtin="4006381333932", name="Shirt", brand="X")
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_same_gtin_twice_is_refused(app):
    vendor = make_vendor()
    create_product(vendor, gtin="4006381333931", name="Shirt", brand="X")
    with pytest.raises(InvalidInput, match="already exists"):
        create_product(vendor, gtin="04006381333931", name="Shirt again", brand="X")


def test_listing_price_must_be_whole_cents(app):
    vendor = make_vendor()
    retailer = make_retailer()
    product = create_product(vendor, gtin="4006381333931", name="Shirt", brand="X")
    with pytest.raises(InvalidInput, match="cents"):
        create_listing(retailer, product, sku="S1", price_cents=19.99)
    with pytest.raises(InvalidInput, match="currency"):
        create_listing(retailer, product, sku="S1", price_cents=1999, currency="XXX")


def test_prices_read_as_shoppers_expect():
    assert format_price(4999, "USD") == "$49.99"
    assert format_price(123456, "EUR") == "€1,234.56"
    assert format_price(1500, "JPY") == "¥1,500"
    assert format_price(705, "SEK") == "7.05 SEK"
