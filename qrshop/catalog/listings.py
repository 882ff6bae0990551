"""Listings a retailer manages: carry a product by GTIN, edit, discontinue, stock per store.

One rule for the console form, the CSV import and the API: a GTIN a linked vendor supplies
is matched to its product; a GTIN no vendor on qrshop supplies becomes a product of the
retailer's house vendor (given a name and brand); a GTIN only an unlinked vendor supplies
is refused. A GTIN names one product on qrshop: when its real vendor adds it later, the
product moves to that vendor (claim_house_product) and every listing of it keeps working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from sqlalchemy import select

from qrshop.accounts import queries as accounts_queries
from qrshop.accounts import services as accounts_services
from qrshop.accounts.queries import house_owner
from qrshop.accounts.services import house_vendor
from qrshop.catalog import hooks
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.catalog.services import CURRENCIES, normalise_gtin
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.money import parse_amount
from qrshop.parsing import whole_number

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store, User, Vendor

MAX_PRICE_CENTS = 100_000_000
MAX_STOCK = 10_000_000
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Currencies without minor units: their price is a whole number.
WHOLE_CURRENCIES = {"JPY"}


def check_sku(raw: str) -> str:
    """A SKU: 1-64 letters, digits, dots, dashes or underscores (it is part of API URLs)."""
    sku = (raw or "").strip()
    if not sku:
        raise InvalidInput("SKU is required.")
    if len(sku) > 64:
        raise InvalidInput("SKU is longer than 64 characters.")
    if not SKU_PATTERN.fullmatch(sku):
        raise InvalidInput(f"SKU {sku!r} may hold only letters, digits, '.', '-' and '_', "
                           "starting with a letter or digit.")
    return sku


def check_currency(raw: str) -> str:
    """An upper-case currency code qrshop prices in."""
    currency = (raw or "").strip().upper()
    if currency not in CURRENCIES:
        raise InvalidInput(f"Unsupported currency {raw!r}; use one of "
                           f"{', '.join(sorted(CURRENCIES))}.")
    return currency


def parse_price(raw: str, currency: str) -> int:
    """A price typed as decimal text ('49.99') in minor units (4999); whole yen for JPY."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("Price is required.")
    if text.startswith("-"):
        raise InvalidInput(f"Price {text[:40]!r} must be zero or more.")
    places = 0 if currency in WHOLE_CURRENCIES else 2
    try:
        return check_price_cents(parse_amount(text, places=places, what="Price"))
    except InvalidInput as error:
        if places or "whole number" not in error.message:
            raise
        raise InvalidInput(f"{error.message[:-1]} for {currency}.") from None


def price_text(price_cents: int, currency: str) -> str:
    """A price in minor units as the decimal text a person types: 4999 -> '49.99'."""
    if currency in WHOLE_CURRENCIES:
        return str(price_cents)
    return f"{price_cents // 100}.{price_cents % 100:02d}"


def check_price_cents(price_cents: int) -> int:
    """A price in minor units: a whole number from 0 to 1,000,000.00."""
    if not isinstance(price_cents, int) or isinstance(price_cents, bool) \
            or not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise InvalidInput("Price must be a whole number of cents from 0 to 100000000.")
    return price_cents


def _check_text(raw: Optional[str], what: str, limit: int) -> str:
    value = " ".join((raw or "").split())
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise InvalidInput(f"{what} contains control characters.")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters.")
    return value


# --- house vendors --------------------------------------------------------------------------


def linked_vendor_count(retailer_id: int) -> int:
    """How many vendors are linked to the retailer."""
    return accounts_queries.linked_vendor_count(retailer_id)


def is_retailer_owned(product: Product, retailer_id: int) -> bool:
    """True when this retailer's house vendor owns the product (it edits its content)."""
    return house_owner(product.vendor_id) == retailer_id


def claim_house_product(product: Product, vendor: Vendor) -> bool:
    """A real vendor adds a GTIN a house vendor holds: the product becomes the vendor's.

    Its listings, tags and the content live at each retailer stay; the vendor's own
    revisions go to review like any other. False if the product is not a house product.
    """
    if house_owner(product.vendor_id) is None or house_owner(vendor.id) is not None:
        return False
    product.vendor_id = vendor.id
    db.session.flush()
    return True


# --- carrying a product ---------------------------------------------------------------------


@dataclass
class ListingPlan:
    """What carrying a SKU would do, checked without writing anything."""

    sku: str
    gtin: str
    price_cents: int
    currency: str
    name: str
    brand: str
    listing: Optional[Listing]  # the existing listing of this SKU (an update)
    product: Optional[Product]  # None: a retailer-owned product will be created


def _product_for(retailer: Retailer, gtin: str, name: str, brand: str) -> Optional[Product]:
    product = db.session.scalar(select(Product).where(Product.gtin == gtin))
    if product is None:
        if not name or not brand:
            raise InvalidInput(f"No vendor on qrshop supplies GTIN {gtin}; give its name and "
                               "brand to add it as your own product.")
        return None
    if house_owner(product.vendor_id) is not None:
        return product
    if not accounts_services.vendor_supplies(retailer.id, product.vendor_id):
        raise InvalidInput(f"GTIN {gtin} is supplied by {product.vendor.name}, a vendor not "
                           f"linked to {retailer.name}; ask the platform admin to link it.",
                           code="vendor_not_linked")
    return product


def plan_listing(retailer: Retailer, *, sku: str, gtin: str, price_cents: int, currency: str,
                 name: str = "", brand: str = "") -> ListingPlan:
    """Check one listing (new or an update of its SKU); raise InvalidInput saying why not."""
    sku = check_sku(sku)
    gtin14 = normalise_gtin(gtin)
    price_cents = check_price_cents(price_cents)
    currency = check_currency(currency)
    name = _check_text(name, "Product name", 200)
    brand = _check_text(brand, "Brand", 120)
    listing = db.session.scalar(select(Listing).where(Listing.retailer_id == retailer.id,
                                                      Listing.sku == sku))
    if listing is not None and listing.product.gtin != gtin14:
        raise InvalidInput(f"SKU {sku} already carries GTIN {listing.product.gtin}; a SKU "
                           "names one product.", code="conflict", status_code=409)
    product = listing.product if listing is not None else _product_for(retailer, gtin14,
                                                                       name, brand)
    if listing is None and product is not None:
        other = db.session.scalar(select(Listing.sku).where(
            Listing.retailer_id == retailer.id, Listing.product_id == product.id))
        if other is not None:
            raise InvalidInput(f"GTIN {gtin14} is already listed as SKU {other}.",
                               code="conflict", status_code=409)
    return ListingPlan(sku, gtin14, price_cents, currency, name, brand, listing, product)


def carry(retailer: Retailer, plan: ListingPlan) -> tuple[Listing, bool]:
    """Store a checked plan; return the listing and whether it is new.

    An update of a discontinued SKU carries it again (its retired tags stay retired).
    """
    if plan.listing is not None:
        listing = plan.listing
        listing.price_cents, listing.currency = plan.price_cents, plan.currency
        listing.discontinued_at = None
        if is_retailer_owned(listing.product, retailer.id):
            listing.product.name = plan.name or listing.product.name
            listing.product.brand = plan.brand or listing.product.brand
        db.session.flush()
        return listing, False
    product = plan.product
    if product is None:
        product = Product(vendor=house_vendor(retailer), gtin=plan.gtin, name=plan.name,
                          brand=plan.brand)
        db.session.add(product)
    listing = Listing(retailer=retailer, product=product, sku=plan.sku,
                      price_cents=plan.price_cents, currency=plan.currency)
    db.session.add(listing)
    db.session.flush()
    return listing, True


def put_listing(retailer: Retailer, **values) -> tuple[Listing, bool]:
    """Create or update the listing of a SKU (the console, CSV and API all come here)."""
    return carry(retailer, plan_listing(retailer, **values))


def update_listing(listing: Listing, *, sku: str, price_cents: int, currency: str,
                   name: Optional[str] = None, brand: Optional[str] = None) -> None:
    """Change a listing's SKU, price or currency (and the name of a retailer-owned product)."""
    sku = check_sku(sku)
    price_cents = check_price_cents(price_cents)
    currency = check_currency(currency)
    if sku != listing.sku and db.session.scalar(select(Listing.id).where(
            Listing.retailer_id == listing.retailer_id, Listing.sku == sku)) is not None:
        raise InvalidInput(f"SKU {sku} is already used by another listing.", code="conflict",
                           status_code=409)
    if name is not None and is_retailer_owned(listing.product, listing.retailer_id):
        name = _check_text(name, "Product name", 200)
        if not name:
            raise InvalidInput("Product name is required.")
        listing.product.name = name
        listing.product.brand = _check_text(brand, "Brand", 120) or listing.product.brand
    listing.sku, listing.price_cents, listing.currency = sku, price_cents, currency
    db.session.flush()


def discontinue_listing(listing: Listing, actor: Optional[User]) -> int:
    """Stop carrying a listing: retire its active tags (they show the "no longer here" page).

    Returns how many tags were retired. The listing, its history and analytics stay.
    """
    if listing.discontinued_at is not None:
        return 0
    listing.discontinued_at = utcnow()
    retired = hooks.hook("retire_listing_tags")(listing.id)
    hooks.hook("audit")(actor, "listing.discontinued", retailer_id=listing.retailer_id,
                        detail=f"listing={listing.id} sku={listing.sku} tags_retired={retired}")
    db.session.flush()
    return retired


def active_tag_count(listing: Listing) -> int:
    """How many of the listing's tags are not retired."""
    return hooks.hook("active_tag_count")(listing.id)


def reinstate_listing(listing: Listing, actor: Optional[User]) -> None:
    """Carry a discontinued listing again; its retired tags stay retired (print new ones)."""
    if listing.discontinued_at is not None:
        listing.discontinued_at = None
        hooks.hook("audit")(actor, "listing.reinstated", retailer_id=listing.retailer_id,
                            detail=f"listing={listing.id} sku={listing.sku}")
        db.session.flush()


# --- stock per store ------------------------------------------------------------------------


def store_by_code(retailer_id: int, code: str) -> Store:
    """The retailer's store with this code (any case), else InvalidInput naming it."""
    code = (code or "").strip().upper()
    known = code and code.isprintable() and len(code) <= 16
    store = accounts_queries.store_of_retailer(retailer_id, code) if known else None
    if store is None:
        raise InvalidInput(f"Unknown store code {code!r}.", code="unknown_store")
    return store


def check_stock(raw: Optional[str]) -> Optional[int]:
    """A quantity in stock from text: blank is unknown, else a whole number >= 0."""
    try:
        return whole_number(raw, minimum=0, maximum=MAX_STOCK)
    except InvalidInput:
        raise InvalidInput(f"in_stock {(raw or '').strip()[:40]!r} must be a whole number "
                           f"from 0 to {MAX_STOCK}.") from None


def set_stock(listing: Listing, store: Store, *, in_stock: Optional[int], location: str) -> None:
    """Record how many of a listing a store has and where it is ("Aisle 4 endcap")."""
    if store.retailer_id != listing.retailer_id:
        raise InvalidInput(f"Store {store.code} belongs to another retailer.")
    location = _check_text(location, "Location", 120)
    row = db.session.get(ListingStock, (listing.id, store.id))
    if row is None:
        row = ListingStock(listing_id=listing.id, store_id=store.id)
        db.session.add(row)
    row.in_stock, row.location, row.updated_at = in_stock, location, utcnow()
    db.session.flush()
