"""Bulk product import from CSV: every row checked and shown before anything is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from qrshop.accounts.models import Vendor
from qrshop.catalog.models import Product
from qrshop.catalog.services import create_product, normalise_gtin
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_CSV_BYTES = 1024 * 1024
MAX_ROWS = 1000
COLUMNS = ("gtin", "name", "brand")


@dataclass(frozen=True)
class ImportRow:
    """One CSV line as it would be imported, or why it cannot be."""

    line: int
    gtin: str
    name: str
    brand: str
    error: Optional[str]


def read_csv(data: bytes) -> str:
    """The CSV file's text; refuse empty, huge or non-UTF-8 files."""
    if not data.strip():
        raise InvalidInput("The CSV file is empty.", status_code=400)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput("The CSV file is larger than 1 MB; split it into smaller files.",
                           status_code=413)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Save the CSV as UTF-8 and upload it again.") from None


def check_rows(vendor: Vendor, text: str) -> list[ImportRow]:
    """Validate every row (columns gtin, name, brand) without saving anything."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "gtin" not in header or "name" not in header:
        raise InvalidInput("The first line must name the columns: gtin,name,brand "
                           "(brand is optional).")
    reader.fieldnames = header
    seen: dict[str, int] = {}
    rows = []
    for record in reader:
        if reader.line_num - 1 > MAX_ROWS:
            raise InvalidInput(f"Import at most {MAX_ROWS} products per file.")
        gtin_raw = (record.get("gtin") or "").strip()
        name = (record.get("name") or "").strip()
        brand = (record.get("brand") or "").strip() or vendor.name
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
            if owner is not None:
                error = (f"GTIN {gtin} is already in your catalog." if owner == vendor.id
                         else f"A product with GTIN {gtin} already exists.")
        seen.setdefault(gtin, reader.line_num)
        rows.append(ImportRow(reader.line_num, gtin, name, brand, error))
    if not rows:
        raise InvalidInput("The CSV file has a header but no products.")
    return rows


def import_rows(vendor: Vendor, text: str) -> list[Product]:
    """Create every product of a CSV; all or nothing, refused if any row has an error."""
    rows = check_rows(vendor, text)
    bad = [row for row in rows if row.error]
    if bad:
        raise InvalidInput(f"{len(bad)} row(s) have errors (first: line {bad[0].line}: "
                           f"{bad[0].error}); nothing was imported.")
    return [create_product(vendor, gtin=row.gtin, name=row.name, brand=row.brand)
            for row in rows]
