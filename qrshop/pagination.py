"""One page of a long console list: a COUNT and a LIMIT/OFFSET in SQL, never in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import Select, func, select

from qrshop.extensions import db
from qrshop.web import bounded_int

PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_QUERY_LENGTH = 100


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
        return max(1, -(-self.total // self.per_page))

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
        """The 1-based position of the last row shown."""
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def page_number(raw: Optional[str]) -> int:
    """The ?page= of a request: 1 when missing or unreadable."""
    return bounded_int(raw, default=1, minimum=1, maximum=MAX_PAGE)


def search_text(raw: Optional[str]) -> str:
    """The ?q= of a request, trimmed and cut to a sane length."""
    return (raw or "").strip()[:MAX_QUERY_LENGTH]


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern matching text anywhere (its wildcards escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def paginate(statement: Select, number: int, *, per_page: int = PER_PAGE, query: str = "",
             scalars: bool = True) -> Page:
    """Run one page of an ordered statement; a page past the end shows the last page."""
    total = db.session.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery()))
    number = max(1, min(number, max(1, -(-total // per_page))))
    limited = statement.limit(per_page).offset((number - 1) * per_page)
    rows: list[Any] = list(db.session.scalars(limited) if scalars
                           else db.session.execute(limited))
    return Page(rows, number, per_page, total, query)
