"""A store's opening hours as merchandisers type them: "mon-fri 09:00-20:00, sat 10:00-18:00".

Days are mon..sun (a range or one day), each with one or more open-close spans in 24-hour
time ("mon-sat 09:00-13:00 14:00-19:00"); a day not named is closed; an empty text means
any time. Read in the store's own time zone.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qrshop.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+"
                   r"(?P<spans>(?:\d{1,2}:\d{2}-\d{1,2}:\d{2}\s*)+)$")
_SPAN = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
Hours = dict[int, list[tuple[time, time]]]


def parse_hours(text: str) -> Hours:
    """{weekday (0 = Monday): [(opens, closes), ...]}; InvalidInput naming the bad part."""
    hours: Hours = {}
    text = (text or "").strip().lower()
    if not text:
        return hours
    for part in (p.strip() for p in text.split(",")):
        match = _PART.match(part)
        if not match:
            raise InvalidInput(f'Opening hours: cannot read "{part}". Write days and times '
                               'like "mon-fri 09:00-20:00, sat 10:00-18:00".',
                               code="invalid_hours")
        first, _, last = match["days"].partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidInput(f'Opening hours: "{match["days"]}" is not a day or a range of '
                               "days (mon, tue, wed, thu, fri, sat, sun).", code="invalid_hours")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        for span in _SPAN.finditer(match["spans"]):
            h1, m1, h2, m2 = (int(group) for group in span.groups())
            if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
                raise InvalidInput(f'Opening hours: "{span.group(0)}" is not a time span.',
                                   code="invalid_hours")
            opens = time(h1, m1)
            closes = time(23, 59, 59) if h2 == 24 else time(h2, m2)
            if closes <= opens:
                raise InvalidInput(f'Opening hours: "{span.group(0)}" closes before it opens.',
                                   code="invalid_hours")
            for day in days:
                hours.setdefault(day, []).append((opens, closes))
    return hours


def is_open(text: str, timezone: str, now: datetime) -> bool:
    """Whether the hours (as stored, so readable) include `now` in the store's time zone."""
    hours = parse_hours(text)
    if not hours:
        return True
    local = now.astimezone(_zone(timezone))
    return any(opens <= local.time() < closes for opens, closes in hours.get(local.weekday(), ()))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(now: datetime, timezone: str) -> datetime:
    """`now` in the store's time zone."""
    return now.astimezone(_zone(timezone))


def describe(text: str) -> Optional[str]:
    """The hours as shown to shoppers (the merchandiser's text, tidied), or None."""
    text = (text or "").strip()
    return ", ".join(part.strip() for part in text.split(",")) if text else None
