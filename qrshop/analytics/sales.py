"""The POS sales feed: sales lines checked, stored once per line_id, and rolled up per store,
listing and local day as they are stored.

A line is {store, sku, sold_at, quantity, amount_cents, currency, line_id}. One way in for
the API (POST /api/v1/sales), the console upload and `qrshop sales import`: check_line
checks one line, record_lines stores checked lines. A line whose line_id the retailer already
sent is "already known": not stored again, not counted again (a resend is harmless). Returns
are lines with a negative quantity (and a negative or zero amount).

record_lines adds every new line to sales_day_rollups in the same transaction (INSERT ... ON
CONFLICT DO UPDATE adding to the day's row), so reports read the rollup only, never the raw
lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from qrshop.accounts.models import Retailer, Store
from qrshop.analytics.models import SalesChainRollup, SalesDayRollup, SalesLine, SalesLineKey
from qrshop.catalog.models import Listing
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.parsing import whole_number

COLUMNS = ("store", "sku", "sold_at", "quantity", "amount_cents", "currency", "line_id")
MAX_QUANTITY = 100_000
MAX_LINE_ID = 64
_CHUNK = 2000


@dataclass
class SaleRow:
    """One sales line as checked: what would be stored, or why it cannot be."""

    line: int
    line_id: str = ""
    store_id: int = 0
    listing_id: int = 0
    sold_at: Optional[datetime] = None
    day: Optional[date] = None
    quantity: int = 0
    amount_cents: int = 0
    currency: str = ""
    error: Optional[str] = None
    code: str = "invalid_input"  # the refusal's machine code, with error


@dataclass
class Lookups:
    """The retailer's stores and listings by code and SKU, read once per request or file."""

    retailer: Retailer
    stores: dict[str, tuple[int, ZoneInfo]] = field(default_factory=dict)
    listings: dict[str, Optional[tuple[int, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for store in db.session.scalars(select(Store).where(
                Store.retailer_id == self.retailer.id)):
            self.stores[store.code] = (store.id, ZoneInfo(store.timezone))

    def store(self, code: str) -> tuple[int, ZoneInfo]:
        """(store id, time zone) of a store code (any case), else InvalidInput."""
        found = self.stores.get(code.strip().upper())
        if found is None:
            raise InvalidInput(f"Unknown store {code[:16]!r}.", code="unknown_store")
        return found

    def listing(self, sku: str) -> tuple[int, str]:
        """(listing id, currency) of a SKU, else InvalidInput."""
        sku = sku.strip()
        if sku not in self.listings:
            row = db.session.execute(select(Listing.id, Listing.currency).where(
                Listing.retailer_id == self.retailer.id, Listing.sku == sku)).first()
            self.listings[sku] = (row[0], row[1]) if row else None
        found = self.listings[sku]
        if found is None:
            raise InvalidInput(f"Unknown SKU {sku[:64]!r}.", code="unknown_sku")
        return found


def _integer(raw, name: str) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{name} must be a whole number.")
    if isinstance(raw, int):
        return raw
    # ASCII digits only (int() would take "٣" or "1_000"); the callers check the range.
    value = whole_number(str(raw if raw is not None else ""), minimum=-10**12, maximum=10**12,
                         what=name)
    if value is None:
        raise InvalidInput(f"{name} is required.")
    return value


def parse_sold_at(raw) -> datetime:
    """An ISO 8601 instant with its UTC offset (2026-12-04T23:30:00-05:00 or ...Z)."""
    if isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw or "").strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"sold_at must be an ISO 8601 date and time with its offset, "
                               f"like 2026-12-04T23:30:00-05:00 (got {text[:40]!r}).") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("sold_at needs its UTC offset (like -05:00 or Z).")
    if not 2000 <= value.year <= 2100:
        raise InvalidInput("sold_at must be between the years 2000 and 2100.")
    return value


def check_line(lookups: Lookups, number: int, values: dict) -> SaleRow:
    """Check one line ({column: value}); the SaleRow's error says why it is refused."""
    row = SaleRow(number)
    try:
        row.line_id = str(values.get("line_id") or "").strip()
        if not row.line_id:
            raise InvalidInput("line_id is required.")
        if len(row.line_id) > MAX_LINE_ID or not row.line_id.isprintable():
            raise InvalidInput(f"line_id must be printable text of at most {MAX_LINE_ID} "
                               "characters.")
        row.store_id, zone = lookups.store(str(values.get("store") or ""))
        row.listing_id, currency = lookups.listing(str(values.get("sku") or ""))
        row.sold_at = parse_sold_at(values.get("sold_at"))
        row.day = row.sold_at.astimezone(zone).date()
        row.quantity = _integer(values.get("quantity"), "quantity")
        if row.quantity == 0 or abs(row.quantity) > MAX_QUANTITY:
            raise InvalidInput(f"quantity must be a whole number from 1 to {MAX_QUANTITY} "
                               "(negative for a return).")
        row.amount_cents = _integer(values.get("amount_cents"), "amount_cents")
        if row.amount_cents * row.quantity < 0:
            raise InvalidInput("amount_cents must have the sign of quantity (a return is "
                               "negative in both).")
        if abs(row.amount_cents) > 10**11:
            raise InvalidInput("amount_cents is too large.")
        row.currency = str(values.get("currency") or "").strip().upper()
        if row.currency != currency:
            raise InvalidInput(f"currency must be the listing's, {currency} (got "
                               f"{row.currency[:8]!r}).", code="wrong_currency")
    except InvalidInput as problem:
        row.error, row.code = problem.message, problem.code
    return row


def _dialect():
    return postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite


def record_lines(retailer: Retailer, rows: list[SaleRow]) -> tuple[int, int]:
    """Store checked lines (none may have an error) and add them to the daily rollup; return
    (stored, already known). A line_id already stored, or earlier in rows, is already known.
    Flushes, never commits."""
    if any(row.error for row in rows):
        raise InvalidInput("Refused lines cannot be stored.")
    unique: dict[str, SaleRow] = {}
    for row in rows:
        unique.setdefault(row.line_id, row)
    now = utcnow()
    dialect = _dialect()
    keys = SalesLineKey.__table__
    inserted: list[SaleRow] = []
    batch = list(unique.values())
    for start in range(0, len(batch), _CHUNK):
        chunk = batch[start:start + _CHUNK]
        # The key decides (sales_lines is partitioned on PostgreSQL: no unique line_id there).
        statement = (dialect.insert(keys).on_conflict_do_nothing(
            index_elements=["retailer_id", "line_id"]).returning(keys.c.line_id))
        stored = set(db.session.execute(statement, [
            {"retailer_id": retailer.id, "line_id": row.line_id, "sold_at": row.sold_at}
            for row in chunk]).scalars())
        new = [row for row in chunk if row.line_id in stored]
        if new:
            db.session.execute(insert(SalesLine.__table__), [
                {"retailer_id": retailer.id, "line_id": row.line_id, "store_id": row.store_id,
                 "listing_id": row.listing_id, "sold_at": row.sold_at, "day": row.day,
                 "quantity": row.quantity, "amount_cents": row.amount_cents,
                 "currency": row.currency, "created_at": now} for row in new])
        inserted.extend(new)
    add_to_rollup(retailer.id, inserted)
    return len(inserted), len(rows) - len(inserted)


def add_to_rollup(retailer_id: int, rows: list[SaleRow]) -> None:
    """Add these (newly stored) lines of a retailer to sales_day_rollups (per store) and to
    sales_chain_rollups (its stores summed). Rows are written in key order, so two imports
    at once wait for each other instead of deadlocking."""
    by_store: dict[tuple, list[int]] = {}
    by_chain: dict[tuple, list[int]] = {}
    for row in rows:
        for deltas, key in ((by_store, (row.store_id, row.day, row.listing_id)),
                            (by_chain, (retailer_id, row.day, row.listing_id))):
            cell = deltas.get(key)
            if cell is None:
                cell = deltas[key] = [0, 0, 0]
            cell[0] += row.quantity
            cell[1] += row.amount_cents
            cell[2] += 1
    for table, names, deltas in (
            (SalesDayRollup.__table__, ("store_id", "day", "listing_id"), by_store),
            (SalesChainRollup.__table__, ("retailer_id", "day", "listing_id"), by_chain)):
        if not deltas:
            continue
        statement = _dialect().insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(names),
            set_={"units": table.c.units + statement.excluded.units,
                  "amount_cents": table.c.amount_cents + statement.excluded.amount_cents,
                  "lines": table.c.lines + statement.excluded.lines})
        values = [{**dict(zip(names, key, strict=True)), "units": units,
                   "amount_cents": amount, "lines": count}
                  for key, (units, amount, count) in sorted(deltas.items())]
        for start in range(0, len(values), _CHUNK):
            db.session.execute(statement, values[start:start + _CHUNK])
