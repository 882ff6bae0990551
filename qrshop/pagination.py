"""One page of a long console list, and the search box above it: a COUNT and a LIMIT/OFFSET
in SQL (never in Python), one way to read ?page= / ?per_page= / ?sort= / ?dir= / ?q=, and one
escaped LIKE pattern so that % and _ typed by a person match themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import ColumnElement, Select, func, or_, select

from qrshop.extensions import db
from qrshop.parsing import bounded_int

PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_QUERY_LENGTH = 100
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class Page:
    """The rows of one page, and what the page links need."""

    rows: list
    number: int
    per_page: int
    total: int
    query: str = ""

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return page_count(self.total, self.per_page)

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The 1-based position of the first row shown (0 when none)."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        """The 1-based position of the last row shown (0 when none)."""
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def page_count(total: int, per_page: int) -> int:
    """How many pages total rows fill (at least one)."""
    return max(1, -(-total // per_page))


def page_number(raw: Optional[str]) -> int:
    """The ?page= of a request: 1 when missing or unreadable."""
    return bounded_int(raw, default=1, minimum=1, maximum=MAX_PAGE)


def per_page_choice(raw: Optional[str], sizes: tuple[int, ...], default: int) -> int:
    """The ?per_page= of a request, kept between the smallest and largest of sizes."""
    return bounded_int(raw, default=default, minimum=min(sizes), maximum=max(sizes))


def sort_choice(raw: Optional[str], sorts: Iterable[str], default: str) -> str:
    """The ?sort= of a request when it names one of sorts, else default."""
    return raw if raw in set(sorts) else default


def descending(raw: Optional[str]) -> bool:
    """Whether the ?dir= of a request asks for descending order (anything else: ascending)."""
    return raw == "desc"


def search_text(raw: Optional[str]) -> str:
    """The ?q= of a request: no control characters, runs of spaces as one, at most 100
    characters."""
    text = "".join(char for char in (raw or "") if ord(char) >= 32 and ord(char) != 127)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def like_pattern(text: str) -> str:
    """A lower-case LIKE pattern matching text anywhere, its wildcards escaped (use it with
    escape=LIKE_ESCAPE, as search_condition does)."""
    escaped = (text.lower().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def contains(column, text: str) -> ColumnElement[bool]:
    """Whether column holds text anywhere, ignoring case; % and _ match only themselves."""
    return func.lower(column).like(like_pattern(text), escape=LIKE_ESCAPE)


def search_condition(text: str, *columns) -> Optional[ColumnElement[bool]]:
    """Rows where any of the columns holds text (ignoring case), or None for an empty search."""
    if not text:
        return None
    return or_(*(contains(column, text) for column in columns))


def paginate(statement: Select, number: int, *, per_page: int = PER_PAGE, query: str = "",
             scalars: bool = True, count: Optional[Select] = None,
             load: Optional[Callable[[list], list]] = None) -> Page:
    """Run one page of an ordered statement; a page past the end shows the last page.

    count: a cheaper statement of the total (default: COUNT over the statement). load: turns
    the page's fetched rows into the rows shown (a deferred join: page narrow ids, then load
    just those objects).
    """
    if count is None:
        count = select(func.count()).select_from(statement.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    number = max(1, min(number, page_count(total, per_page)))
    limited = statement.limit(per_page).offset((number - 1) * per_page)
    rows: list[Any] = list(db.session.scalars(limited) if scalars
                           else db.session.execute(limited))
    return Page(load(rows) if load else rows, number, per_page, total, query)


def without_defaults(params: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict:
    """The query parameters of a list link, leaving out empty ones and those at their
    default (so the links stay short: ?q=x&page=2)."""
    return {key: value for key, value in params.items()
            if value not in ("", None) and defaults.get(key, object()) != value}
