"""The retailer's listings from CSV: sku,gtin,price,currency[,name,brand][,store,in_stock,location]
[,variant_of,size,colour].

Checked row by row with the same machinery as the vendor's product import (catalog.imports),
then stored all or nothing through the same rule as the console and the API
(catalog.listings.plan_listing). A SKU may repeat on several lines to give its stock in
several stores, with the same GTIN, price and currency on each. Variant columns group the
retailer's own products (a vendor's product's variants are the vendor's to set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from qrshop.catalog import listings, queries, variants
from qrshop.catalog.imports import csv_records, file_gtins, refuse_bad_rows
from qrshop.catalog.services import format_price, normalise_gtin
from qrshop.errors import InvalidInput

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store

REQUIRED = ("sku", "gtin", "price", "currency")
COLUMNS_HINT = ("sku,gtin,price,currency (optional: name,brand,store,in_stock,location,"
                "variant_of,size,colour)")


@dataclass
class ListingRow:
    """One CSV line as it would be imported, or why it cannot be."""

    line: int
    sku: str
    gtin: str
    price: str
    currency: str
    name: str
    brand: str
    store_code: str
    in_stock: Optional[int]
    location: str
    price_cents: int = 0
    error: Optional[str] = None
    action: str = ""  # "new", "new, your own product", "update", "stock"
    repeat: bool = False  # a later line of a SKU already on an earlier line (stock only)
    variant: variants.VariantFields = variants.VariantFields()


def _check_variant(retailer: Retailer, row: ListingRow, plan, in_file: set[str]) -> None:
    """Check the row's variant columns: the retailer groups its own products; a vendor's
    product keeps the vendor's grouping (the same values are accepted, others refused)."""
    def listed(gtin: str):
        product = variants.product_by_gtin(gtin)
        if product is None or queries.listing_for_product(retailer.id, product.id) is None:
            return None
        return product

    row.variant = variants.checked(row.variant, row.gtin, in_file=in_file, find=listed,
                                   whose="you list")
    product = plan.product
    if product is None or listings.is_retailer_owned(product, retailer.id):
        return
    stored = (product.variant_group, product.size, product.colour)
    given = (row.variant.variant_of, row.variant.size, row.variant.colour)
    if any(value is not None and value != old for value, old in zip(given, stored, strict=True)):
        raise InvalidInput(f"GTIN {row.gtin} is {product.vendor.name}'s product: its variants "
                           "are set by its vendor; leave variant_of, size and colour blank.")
    row.variant = variants.VariantFields()


def _check_row(retailer: Retailer, row: ListingRow, record: dict[str, str],
               skus: dict[str, ListingRow], gtins: dict[str, ListingRow],
               stock_lines: dict[tuple[str, int], int], in_file: set[str]
               ) -> Optional[Store]:
    currency = listings.check_currency(record.get("currency", ""))
    price_cents = listings.parse_price(record.get("price", ""), currency)
    row.price_cents, row.currency = price_cents, currency
    row.sku = listings.check_sku(row.sku)
    row.gtin = normalise_gtin(row.gtin)
    first = skus.get(row.sku)
    if first is not None:
        if (first.gtin, first.price_cents, first.currency) != \
                (row.gtin, row.price_cents, row.currency):
            raise InvalidInput(f"SKU {row.sku} is also on line {first.line} with another GTIN, "
                               "price or currency.")
        if not row.store_code:
            raise InvalidInput(f"SKU {row.sku} is also on line {first.line}; repeat a SKU only "
                               "to give its stock in another store.")
        row.repeat, row.action = True, "stock"
    else:
        other = gtins.get(row.gtin)
        if other is not None:
            raise InvalidInput(f"GTIN {row.gtin} is also on line {other.line} as SKU "
                               f"{other.sku}.")
        plan = listings.plan_listing(retailer, sku=row.sku, gtin=row.gtin,
                                     price_cents=price_cents, currency=currency,
                                     name=row.name, brand=row.brand)
        row.action = ("update" if plan.listing is not None
                      else "new" if plan.product is not None else "new, your own product")
        if plan.product is not None and not row.name:
            row.name, row.brand = plan.product.name, plan.product.brand
        if row.variant.given:
            _check_variant(retailer, row, plan, in_file)
    store = None
    if row.store_code:
        store = listings.store_by_code(retailer.id, row.store_code)
        row.store_code = store.code
        earlier = stock_lines.get((row.sku, store.id))
        if earlier is not None:
            raise InvalidInput(f"SKU {row.sku} in store {store.code} is also on line {earlier}.")
        stock_lines[(row.sku, store.id)] = row.line
    elif row.in_stock is not None or row.location:
        raise InvalidInput("in_stock and location need a store code in the store column.")
    if len(row.location) > 120:
        raise InvalidInput("Location is longer than 120 characters.")
    return store


def check_listing_rows(retailer: Retailer, text: str) -> list[ListingRow]:
    """Validate every row of a listings CSV without saving anything."""
    skus: dict[str, ListingRow] = {}
    gtins: dict[str, ListingRow] = {}
    stock_lines: dict[tuple[str, int], int] = {}
    rows = []
    records = list(csv_records(text, required=REQUIRED, columns_hint=COLUMNS_HINT,
                               what="listings"))
    in_file = file_gtins(records)
    for line, record in records:
        row = ListingRow(line, record.get("sku", ""), record.get("gtin", ""),
                         record.get("price", ""), record.get("currency", ""),
                         " ".join(record.get("name", "").split()),
                         " ".join(record.get("brand", "").split()),
                         record.get("store", ""), None, record.get("location", ""),
                         variant=variants.from_record(record))
        try:
            row.in_stock = listings.check_stock(record.get("in_stock", ""))
            _check_row(retailer, row, record, skus, gtins, stock_lines, in_file)
        except InvalidInput as problem:
            row.error = problem.message
        else:
            skus.setdefault(row.sku, row)
            gtins.setdefault(row.gtin, row)
        rows.append(row)
    return rows


def import_listing_rows(retailer: Retailer, text: str) -> tuple[int, int]:
    """Store every row of a listings CSV, all or nothing; return (created, updated)."""
    rows = check_listing_rows(retailer, text)
    refuse_bad_rows(rows)
    created = updated = 0
    by_sku = {}
    for row in rows:
        if not row.repeat:
            listing, is_new = listings.put_listing(
                retailer, sku=row.sku, gtin=row.gtin, price_cents=row.price_cents,
                currency=row.currency, name=row.name, brand=row.brand)
            by_sku[row.sku] = listing
            created, updated = created + is_new, updated + (not is_new)
        if row.store_code:
            listings.set_stock(by_sku[row.sku], listings.store_by_code(retailer.id,
                                                                     row.store_code),
                               in_stock=row.in_stock, location=row.location)
    # Once every product exists, so a line may name a parent on a later line.
    for row in rows:
        if not row.repeat and row.variant.given:
            variants.apply(by_sku[row.sku].product, row.variant)
    return created, updated


def shown_price(row: ListingRow) -> str:
    """The row's price as a shopper would read it (the raw text if it did not parse)."""
    return format_price(row.price_cents, row.currency) if row.currency else row.price
