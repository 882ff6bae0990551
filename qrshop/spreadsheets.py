"""CSV text safe to open in a spreadsheet: every CSV qrshop writes (console and vendor
downloads, `qrshop tags list --format csv`) goes through csv_text.

Cells typed by people (a vendor's product name, a placement note, a comment) may start
like a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM`, `-1+1`); Excel, LibreOffice and
Google Sheets would run it. Such a text cell gets a leading apostrophe, as OWASP's
CSV-injection advice says. Numbers qrshop computes (counts, cents, averages) are written
as Python numbers, not text, so a -1 stays a number a spreadsheet can sum.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Spreadsheets in many locales (German, French ...) split a CSV on ";" whatever its quoting,
# so in `Widget;=cmd|...` what follows the ";" is a cell of its own there.
_FORMULA_AFTER_SEMICOLON = re.compile(r";([ ]*)([=+\-@\t\r])")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe, and so does a formula start right after a ";" inside it. Anything that is
    not text (int, float, None) is left as it is."""
    if not isinstance(value, str):
        return value
    if ";" in value:
        value = _FORMULA_AFTER_SEMICOLON.sub(r";\1'\2", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (header line first, "\\n" line ends) whose text cells cannot run as formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return out.getvalue()
