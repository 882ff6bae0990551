"""Sales lines from CSV (the console upload and `qrshop sales import`): a header row naming
store,sku,sold_at,quantity,amount_cents,currency,line_id; every row checked (catalog.imports'
machinery: line numbers, blank lines skipped), then stored all or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qrshop.analytics.sales import COLUMNS, Lookups, SaleRow, check_line, record_lines
from qrshop.catalog.imports import csv_records, refuse_bad_rows

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer

COLUMNS_HINT = ",".join(COLUMNS)
# The command line takes files of up to a million lines; the console, 50,000 lines (5 MB).
CLI_MAX_ROWS, CLI_MAX_BYTES = 1_000_000, 200 * 1024 * 1024
CONSOLE_MAX_ROWS, CONSOLE_MAX_BYTES = 50_000, 5 * 1024 * 1024
# How many refused lines a refusal names.
SHOWN_ERRORS = 20


def check_sales_rows(retailer: Retailer, text: str, *, max_rows: int = CONSOLE_MAX_ROWS,
                     max_bytes: int = CONSOLE_MAX_BYTES) -> list[SaleRow]:
    """Check every row of a sales CSV without storing anything."""
    lookups = Lookups(retailer)
    return [check_line(lookups, line, record)
            for line, record in csv_records(text, required=COLUMNS, columns_hint=COLUMNS_HINT,
                                            what="sales lines", max_rows=max_rows,
                                            max_bytes=max_bytes)]


def import_sales_rows(retailer: Retailer, text: str, *, max_rows: int = CONSOLE_MAX_ROWS,
                      max_bytes: int = CONSOLE_MAX_BYTES) -> tuple[int, int]:
    """Store every line of a sales CSV, all or nothing (RowErrors names the bad lines);
    return (stored, already known)."""
    rows = check_sales_rows(retailer, text, max_rows=max_rows, max_bytes=max_bytes)
    refuse_bad_rows(rows)
    return record_lines(retailer, rows)
