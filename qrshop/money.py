"""Money as people type it, read into integer cents."""

from __future__ import annotations

from typing import Optional

from qrshop.errors import InvalidInput


def parse_money(text: Optional[str], what: str = "Amount") -> int:
    """Cents from what a person types at a till or in a form: 49.99, $1,049, 12.5."""
    cleaned = (text or "").strip().lstrip("$€£").replace(",", "").strip()
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and fraction.isdigit()) \
            or (fraction and (not fraction.isdigit() or len(fraction) > 2)) \
            or not whole.isascii() or not fraction.isascii():
        raise InvalidInput(f"{what} must be a number like 49.99.", code="invalid_amount")
    return int(whole or 0) * 100 + int(fraction.ljust(2, "0") or 0)
