"""The retailer's listings from CSV: sku,gtin,price,currency[,name,brand][,store,in_stock,location].

Checked row by row with the same machinery as the vendor's product import (catalog.imports),
then stored all or nothing through the same rule as the console and the API
(catalog.listings.plan_listing). A SKU may repeat on several lines to give its stock in
several stores, with the same GTIN, price and currency on each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from qrshop.catalog import listings
from qrshop.catalog.imports import csv_records, refuse_bad_rows
from qrshop.catalog.services import format_price, normalise_gtin
from qrshop.errors import InvalidInput

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store

REQUIRED = ("sku", "gtin", "price", "currency")
COLUMNS_HINT = "sku,gtin,price,currency (optional: name,brand,store,in_stock,location)"


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


def _check_row(retailer: Retailer, row: ListingRow, record: dict[str, str],
               skus: dict[str, ListingRow], gtins: dict[str, ListingRow],
               stock_lines: dict[tuple[str, int], int]) -> Optional[Store]:
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
    for line, record in csv_records(text, required=REQUIRED, columns_hint=COLUMNS_HINT,
                                    what="listings"):
        row = ListingRow(line, record.get("sku", ""), record.get("gtin", ""),
                         record.get("price", ""), record.get("currency", ""),
                         " ".join(record.get("name", "").split()),
                         " ".join(record.get("brand", "").split()),
                         record.get("store", ""), None, record.get("location", ""))
        try:
            row.in_stock = listings.check_stock(record.get("in_stock", ""))
            _check_row(retailer, row, record, skus, gtins, stock_lines)
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
    return created, updated


def shown_price(row: ListingRow) -> str:
    """The row's price as a shopper would read it (the raw text if it did not parse)."""
    return format_price(row.price_cents, row.currency) if row.currency else row.price
