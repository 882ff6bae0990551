"""The one way to read whole numbers, row ids, dates and times from text a request carries
(form fields, query strings, path segments, CSV cells).

Every reader matches plain ASCII digits with a length bound *before* converting, so text
that Python's own parsers accept by surprise never reaches a query or date arithmetic:
`"²".isdigit()` is true but `int("²")` fails, `int("٣")` is 3, `int` of 5,000 digits
raises, an integer past 2**63 overflows SQLite, and `date(9999, 12, 31) + 1 day` or
year 1 in a zone east of UTC overflows. Refusals are InvalidInput (a 4xx naming the field).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Optional

from wtforms import DateTimeLocalField, FloatField, IntegerField

from qrshop.errors import InvalidInput

# PostgreSQL's `integer`: every id column. A larger id would fail the query, not miss.
MAX_ROW_ID = 2**31 - 1
_ROW_ID = re.compile(r"[0-9]{1,10}")

# Dates a person may type for a report or an offer: wide enough for any real use, narrow
# enough that date arithmetic and time-zone shifts never leave Python's range.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


def _digits_pattern(minimum: int, maximum: int) -> re.Pattern[str]:
    sign = "-?" if minimum < 0 else ""
    width = len(str(max(abs(minimum), abs(maximum))))
    return re.compile(sign + f"[0-9]{{1,{width}}}")


def whole_number(raw: Optional[str], *, minimum: int, maximum: int,
                 what: str = "The number") -> Optional[int]:
    """A whole number from minimum to maximum from text ("12", " 12 "); None when blank.

    Anything else (a superscript digit, "1e3", "12.0", too many digits, out of range) is
    InvalidInput: "<what> must be a whole number from <minimum> to <maximum>."
    """
    text = (raw or "").strip()
    if not text:
        return None
    if _digits_pattern(minimum, maximum).fullmatch(text):
        value = int(text)
        if minimum <= value <= maximum:
            return value
    raise InvalidInput(f"{what} must be a whole number from {minimum} to {maximum}.")


def bounded_int(raw: Optional[str], *, default: int, minimum: int, maximum: int) -> int:
    """An integer from a query value, clamped to [minimum, maximum]; the default when blank
    or unreadable. For page numbers and sizes: a page typed by hand shows a page."""
    text = (raw or "").strip()
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        return default
    return max(minimum, min(maximum, int(text)))


def row_id(raw: object) -> Optional[int]:
    """The id a form or query value names (1 to MAX_ROW_ID), else None (no row has it)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 1 <= raw <= MAX_ROW_ID else None
    text = raw.strip() if isinstance(raw, str) else ""
    if not _ROW_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None


def row_ids(raw: list[str]) -> Optional[list[int]]:
    """Every id of a multi-valued field (blank values skipped), or None if any is no id."""
    ids = [row_id(value) for value in raw if (value or "").strip()]
    return None if None in ids else ids  # type: ignore[return-value]


def _check_day(day: date, what: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"{what} must be between {EARLIEST_DAY} and {LATEST_DAY}.")
    return day


def parse_day(raw: Optional[str], what: str = "Dates") -> date:
    """A date typed as YYYY-MM-DD between EARLIEST_DAY and LATEST_DAY, else InvalidInput."""
    text = (raw or "").strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must look like 2026-11-22 (year-month-day).") from None
    return _check_day(day, what)


def parse_minute(raw: Optional[str], what: str = "The time") -> datetime:
    """A local (naive) date and time typed as YYYY-MM-DDTHH:MM (an HTML datetime-local
    field), its date between EARLIEST_DAY and LATEST_DAY; else InvalidInput."""
    text = (raw or "").strip()
    try:
        if not _MINUTE.fullmatch(text):
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must look like 2026-11-22T09:30.") from None
    _check_day(moment.date(), what)
    return moment


def decimal_number(raw: Optional[str], *, minimum: float, maximum: float, places: int,
                   what: str = "The number") -> Optional[float]:
    """A number like -2.5 with at most `places` decimals, from minimum to maximum; None when
    blank. "nan", "inf", "1e3" and other float() spellings are InvalidInput."""
    text = (raw or "").strip()
    if not text:
        return None
    width = len(str(int(max(abs(minimum), abs(maximum)))))
    if re.fullmatch(rf"-?[0-9]{{1,{width}}}(\.[0-9]{{0,{places}}})?", text):
        value = float(text)
        if minimum <= value <= maximum:
            return value
    raise InvalidInput(f"{what} must be a number from {minimum:g} to {maximum:g} "
                       f"with at most {places} decimals.")


def coerce_row_id(raw: object) -> int:
    """row_id for WTForms' `coerce=`: a ValueError (a field error) when raw is no id."""
    value = row_id(raw)
    if value is None:
        raise ValueError("Not an id.")
    return value


class WholeNumberField(IntegerField):
    """An integer form field read by whole_number (ASCII digits, bounded): WTForms' own
    IntegerField takes any int() spelling ("٣", "1_000", 5,000 digits)."""

    def __init__(self, label=None, validators=None, *, minimum: int, maximum: int, **kwargs):
        kwargs.setdefault("render_kw", {"min": minimum, "max": maximum})
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        """Read the posted text; a field error (not an exception) when it is no number."""
        if not valuelist:
            return
        try:
            self.data = whole_number(valuelist[0], minimum=self.minimum, maximum=self.maximum)
        except InvalidInput:
            self.data = None
            raise ValueError(f"Enter a whole number from {self.minimum} to "
                             f"{self.maximum}.") from None


class DecimalNumberField(FloatField):
    """A float form field read by decimal_number (no nan, inf or exponents, bounded)."""

    def __init__(self, label=None, validators=None, *, minimum: float, maximum: float,
                 places: int = 2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.places = minimum, maximum, places

    def process_formdata(self, valuelist):
        """Read the posted text; a field error (not an exception) when it is no number."""
        if not valuelist:
            return
        try:
            self.data = decimal_number(valuelist[0], minimum=self.minimum,
                                       maximum=self.maximum, places=self.places)
        except InvalidInput:
            self.data = None
            raise ValueError(f"Enter a number from {self.minimum:g} to {self.maximum:g} with "
                             f"at most {self.places} decimals.") from None


class LocalMinuteField(DateTimeLocalField):
    """A datetime-local form field read by parse_minute (ASCII, years 2000 to 2099)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        """Read the posted text; a field error (not an exception) when it is no time."""
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            self.data = parse_minute(" ".join(valuelist))
        except InvalidInput:
            self.data = None
            raise ValueError(f"Enter a date and time like 2026-11-22T09:30, from "
                             f"{EARLIEST_DAY.year} to {LATEST_DAY.year}.") from None
