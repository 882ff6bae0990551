"""Field types the API's pydantic models share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from qrshop.parsing import EARLIEST_DAY, LATEST_DAY


def _utc(moment: datetime) -> datetime:
    # The year is checked before converting: near year 1 or 9999 the conversion overflows.
    if not EARLIEST_DAY.year <= moment.year <= LATEST_DAY.year:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return moment.astimezone(UTC)


# An ISO 8601 instant with its offset (2026-11-22T09:30:00Z), years 2000 to 2099, as UTC.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_utc)]


def iso_utc(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with a Z, as every API answer gives times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
