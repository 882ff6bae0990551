"""Money as people type it, read into integer cents."""

from __future__ import annotations

import re
from typing import Optional

from qrshop.errors import InvalidInput

# 1,000,000.00: no price, sale or discount at a store is more (more is a typo), and every
# amount column (PostgreSQL `integer` cents) holds it.
MAX_AMOUNT_CENTS = 100_000_000

# Whole units and up to `places` decimals, ASCII digits only: Decimal() and float() also
# read "1e999999999" (whose cents take minutes to compute), "NaN" and "٣".
_AMOUNT = re.compile(r"(?P<whole>[0-9]{0,12})(?:\.(?P<fraction>[0-9]*))?")


def parse_amount(text: Optional[str], *, places: int = 2, what: str = "Amount") -> int:
    """Minor units (cents; whole units when places is 0) from decimal text like 49.99,
    at most MAX_AMOUNT_CENTS; InvalidInput naming `what` otherwise."""
    cleaned = (text or "").strip()
    match = _AMOUNT.fullmatch(cleaned)
    if not match or not (match["whole"] or match["fraction"]):
        raise InvalidInput(f"{what} {cleaned[:40]!r} is not a number; write it like 49.99.",
                           code="invalid_amount")
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        raise InvalidInput(f"{what} {cleaned!r} has more than {places} decimal places." if places
                           else f"{what} {cleaned!r} must be a whole number.",
                           code="invalid_amount")
    minor = int(match["whole"] or 0) * 10**places + int(fraction.ljust(places, "0") or 0)
    if minor > MAX_AMOUNT_CENTS:
        raise InvalidInput(f"{what} must be at most {MAX_AMOUNT_CENTS // 10**places:,}.",
                           code="invalid_amount")
    return minor


def parse_money(text: Optional[str], what: str = "Amount") -> int:
    """Cents from what a person types at a till or in a form: 49.99, $1,049, 12.5."""
    cleaned = (text or "").strip().lstrip("$€£").replace(",", "").strip()
    try:
        return parse_amount(cleaned, what=what)
    except InvalidInput as error:
        if "at most" in error.message:
            raise
        raise InvalidInput(f"{what} must be a number like 49.99.",
                           code="invalid_amount") from None
