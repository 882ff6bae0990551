"""Catalog rules: GTIN validation, creating products and listings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from stdnum import ean
from stdnum.exceptions import InvalidChecksum

from qrshop.catalog.models import Listing, Product
from qrshop.errors import InvalidInput
from qrshop.extensions import db

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Vendor

CURRENCIES = {"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "NOK", "DKK", "NZD", "MXN"}


def normalise_gtin(raw: str) -> str:
    """Validate a GTIN-8/12/13/14 and return it as GTIN-14; raise InvalidInput saying why."""
    digits = (raw or "").strip().replace(" ", "").replace("-", "")
    if not digits:
        raise InvalidInput("GTIN is required.")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput(f"GTIN {raw!r} must contain digits only.")
    if len(digits) not in (8, 12, 13, 14):
        raise InvalidInput(f"GTIN {raw!r} has {len(digits)} digits; a GTIN has 8, 12, 13 or 14.")
    try:
        ean.validate(digits)
    except InvalidChecksum:
        expected = ean.calc_check_digit(digits[:-1])
        raise InvalidInput(
            f"GTIN {raw!r} has a wrong check digit: the last digit should be {expected}."
        ) from None
    return digits.zfill(14)


def create_product(vendor: Vendor, *, gtin: str, name: str, brand: str) -> Product:
    """Create a product for a vendor after validating its GTIN and name."""
    gtin14 = normalise_gtin(gtin)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Product name is required.")
    if len(name) > 200:
        raise InvalidInput("Product name is longer than 200 characters.")
    brand = (brand or vendor.name).strip()
    existing = db.session.scalar(select(Product).where(Product.gtin == gtin14))
    if existing is not None:
        from qrshop.catalog.listings import claim_house_product

        # A retailer's own product with this GTIN becomes the real vendor's.
        if not claim_house_product(existing, vendor):
            raise InvalidInput(f"A product with GTIN {gtin14} already exists.",
                               code="conflict", status_code=409)
        existing.name, existing.brand = name, brand
        db.session.flush()
        return existing
    product = Product(vendor=vendor, gtin=gtin14, name=name, brand=brand)
    db.session.add(product)
    db.session.flush()
    return product


def create_listing(
    retailer: Retailer, product: Product, *, sku: str, price_cents: int, currency: str = "USD"
) -> Listing:
    """Make a retailer carry a product under a SKU and price in minor units."""
    sku = (sku or "").strip()
    if not sku:
        raise InvalidInput("SKU is required.")
    if not isinstance(price_cents, int) or isinstance(price_cents, bool) or price_cents < 0:
        raise InvalidInput("Price must be a whole, non-negative number of cents.")
    currency = (currency or "").upper()
    if currency not in CURRENCIES:
        raise InvalidInput(f"Unsupported currency {currency!r}.")
    listing = Listing(
        retailer=retailer, product=product, sku=sku, price_cents=price_cents, currency=currency
    )
    db.session.add(listing)
    db.session.flush()
    return listing


def put_product(vendor: Vendor, *, gtin: str, name: str, brand: str) -> tuple[Product, bool]:
    """Create the vendor's product with this GTIN, or rename it if the vendor has it (a PIM
    feed sends its whole range); return it and whether it is new. Another vendor's GTIN is a
    409, as for create_product."""
    gtin14 = normalise_gtin(gtin)
    existing = db.session.scalar(select(Product).where(Product.gtin == gtin14,
                                                       Product.vendor_id == vendor.id))
    if existing is not None:
        update_product(existing, name=name, brand=brand)
        return existing, False
    return create_product(vendor, gtin=gtin14, name=name, brand=brand), True


def format_price(price_cents: int, currency: str) -> str:
    """Render a price for shoppers, e.g. $49.99 or 12,00 EUR."""
    symbols = {"USD": "$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "MXN": "MX$", "GBP": "£",
               "EUR": "€", "JPY": "¥"}
    if currency == "JPY":
        return f"¥{price_cents:,}"
    amount = f"{price_cents // 100:,}.{price_cents % 100:02d}"
    symbol = symbols.get(currency)
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def update_product(product: Product, *, name: str, brand: str) -> None:
    """Rename a product or change its brand; the GTIN identifies it and never changes."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Product name is required.")
    if len(name) > 200:
        raise InvalidInput("Product name is longer than 200 characters.")
    brand = (brand or "").strip() or product.vendor.name
    if len(brand) > 120:
        raise InvalidInput("Brand is longer than 120 characters.")
    product.name, product.brand = name, brand
    db.session.flush()


def set_price(listing: Listing, price_cents: int) -> int:
    """Change a listing's price (minor units); return the old price."""
    if not isinstance(price_cents, int) or isinstance(price_cents, bool) \
            or not 0 <= price_cents <= 100_000_000:
        raise InvalidInput("Price must be a whole, non-negative number of cents.")
    old = listing.price_cents
    listing.price_cents = price_cents
    db.session.flush()
    return old


def set_live_revision(listing: Listing, revision_id: int) -> None:
    """Show this content revision on the listing's landing page (content decides which)."""
    listing.live_revision_id = revision_id
    db.session.flush()


def set_listing_template(listing: Listing, name: str | None) -> None:
    """Use this template for the listing's page (None: the retailer's default)."""
    listing.template = name
    db.session.flush()
