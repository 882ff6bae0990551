"""Bulk import from CSV: every row checked and shown before anything is saved.

One machinery for the vendor's products (gtin,name,brand) and the retailer's listings
(catalog.listing_imports): read_csv, csv_records (header names case-insensitive, blank
lines skipped, line numbers kept) and refuse_bad_rows (all or nothing).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Protocol

from sqlalchemy import select

from qrshop.catalog import variants
from qrshop.catalog.models import Product
from qrshop.catalog.services import create_product, normalise_gtin
from qrshop.errors import InvalidInput
from qrshop.extensions import db

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Vendor

MAX_CSV_BYTES = 1024 * 1024
MAX_ROWS = 1000
COLUMNS = ("gtin", "name", "brand")
# Optional: a variant's group (the GTIN of the product it is a variant of) and attributes.
VARIANT_HINT = "gtin,name,brand (brand is optional; so are variant_of,size,colour)"


class CheckedRow(Protocol):
    """A CSV line as checked: its number and why it cannot be imported (None: it can)."""

    line: int
    error: Optional[str]


class RowErrors(InvalidInput):
    """Some rows of a file have errors: nothing was imported."""

    def __init__(self, bad: Sequence[CheckedRow]):
        super().__init__(f"{len(bad)} row(s) have errors (first: line {bad[0].line}: "
                         f"{bad[0].error}); nothing was imported.")
        self.bad = list(bad)


@dataclass(frozen=True)
class ImportRow:
    """One CSV line as it would be imported, or why it cannot be."""

    line: int
    gtin: str
    name: str
    brand: str
    error: Optional[str]
    variant: variants.VariantFields = variants.VariantFields()


def read_csv(data: bytes, *, max_bytes: int = MAX_CSV_BYTES) -> str:
    """The CSV file's text; refuse empty, huge (over max_bytes) or non-UTF-8 files."""
    if not data.strip():
        raise InvalidInput("The CSV file is empty.", status_code=400)
    _refuse_huge(len(data), max_bytes)
    if b"\x00" in data:
        raise InvalidInput("The file holds NUL bytes, so it is not a text CSV; save it as "
                           "CSV (UTF-8) and upload it again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Save the CSV as UTF-8 and upload it again.") from None


def _refuse_huge(size: int, max_bytes: int = MAX_CSV_BYTES) -> None:
    if size > max_bytes:
        raise InvalidInput(f"The CSV file is larger than {max_bytes // (1024 * 1024)} MB; "
                           "split it into smaller files.", status_code=413)


def csv_records(text: str, *, required: Sequence[str], columns_hint: str,
                what: str, max_rows: int = MAX_ROWS, max_bytes: int = MAX_CSV_BYTES
                ) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped value}) for every non-blank line after the header
    (at most max_rows of them, in at most max_bytes).

    Header names are matched case-insensitively, surrounding spaces ignored; a missing
    required column is refused naming it. Blank lines and lines of only commas are skipped.
    """
    # The confirm step posts the previewed text back: hold it to the upload's limit too.
    _refuse_huge(len(text.encode("utf-8", "surrogatepass")), max_bytes)
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise InvalidInput(f"line 1: the CSV cannot be read ({error}).") from None
    missing = [column for column in required if column not in header]
    if missing:
        raise InvalidInput(f"The first line must name the columns: {columns_hint} "
                           f"(missing: {', '.join(missing)}).")
    reader.fieldnames = header
    count = 0
    try:
        for record in reader:
            # Extra fields land under the key None (skipped); missing ones are None.
            values = {name: value.strip() if isinstance(value, str) else ""
                      for name, value in record.items() if isinstance(name, str)}
            if not any(values.values()):
                continue
            count += 1
            if count > max_rows:
                raise InvalidInput(f"Import at most {max_rows} {what} per file.")
            yield reader.line_num, values
    except csv.Error as error:
        raise InvalidInput(f"line {reader.line_num}: the CSV cannot be read ({error}).") \
            from None
    if count == 0:
        raise InvalidInput(f"The CSV file has a header but no {what}.")


def refuse_bad_rows(rows: Sequence[CheckedRow]) -> None:
    """All or nothing: raise RowErrors when any row has an error."""
    bad = [row for row in rows if row.error]
    if bad:
        raise RowErrors(bad)


def check_rows(vendor: Vendor, text: str) -> list[ImportRow]:
    """Validate every row (columns gtin, name, brand) without saving anything."""
    from qrshop.catalog.listings import house_owner

    seen: dict[str, int] = {}
    rows = []
    records = list(csv_records(text, required=("gtin", "name"), what="products",
                               columns_hint=VARIANT_HINT))
    in_file = file_gtins(records)

    def own_product(gtin: str) -> Optional[Product]:
        product = variants.product_by_gtin(gtin)
        return product if product is not None and product.vendor_id == vendor.id else None

    for line, record in records:
        gtin_raw = record.get("gtin", "")
        name = record.get("name", "")
        brand = record.get("brand", "") or vendor.name
        error = None
        try:
            gtin = normalise_gtin(gtin_raw)
        except InvalidInput as problem:
            gtin, error = gtin_raw, problem.message
        if error is None and not name:
            error = "Product name is required."
        elif error is None and len(name) > 200:
            error = "Product name is longer than 200 characters."
        elif error is None and len(brand) > 120:
            error = "Brand is longer than 120 characters."
        elif error is None and gtin in seen:
            error = f"GTIN {gtin} is also on line {seen[gtin]}."
        elif error is None:
            owner = db.session.scalar(select(Product.vendor_id).where(Product.gtin == gtin))
            if owner is not None and house_owner(owner) is None:
                error = (f"GTIN {gtin} is already in your catalog." if owner == vendor.id
                         else f"A product with GTIN {gtin} already exists.")
        variant = variants.from_record(record)
        if error is None and variant.given:
            try:
                variant = variants.checked(variant, gtin, in_file=in_file, find=own_product,
                                           whose="of yours")
            except InvalidInput as problem:
                error = problem.message
        seen.setdefault(gtin, line)
        rows.append(ImportRow(line, gtin, name, brand, error, variant))
    return rows


def file_gtins(records: Sequence[tuple[int, dict[str, str]]]) -> set[str]:
    """The GTIN-14s a file's lines give (a variant_of may name any of them)."""
    gtins = set()
    for _line, record in records:
        try:
            gtins.add(normalise_gtin(record.get("gtin", "")))
        except InvalidInput:
            continue
    return gtins


def import_rows(vendor: Vendor, text: str) -> list[Product]:
    """Create every product of a CSV; all or nothing, refused if any row has an error."""
    rows = check_rows(vendor, text)
    refuse_bad_rows(rows)
    products = [create_product(vendor, gtin=row.gtin, name=row.name, brand=row.brand)
                for row in rows]
    # Once every product exists, so a line may name a parent on a later line.
    for row, product in zip(rows, products, strict=True):
        variants.apply(product, row.variant)
    return products
