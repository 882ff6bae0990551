"""Cursor pagination for every API list: ?limit= (at most 100) and ?cursor= (the previous
page's next_cursor). Rows come in id order, so a page never repeats or skips a row added
while a client walks the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select

from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_LIMIT = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class CursorQuery(BaseModel):
    """?limit= and ?cursor= of a list; a resource's query model adds its filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
    cursor: Optional[str] = Field(None, max_length=12, pattern=r"^[0-9]+$",
                                  description="next_cursor of the previous page.")


def after_id(query: CursorQuery) -> int:
    """The id the page starts after (0: the first page); 422 for a cursor never given out."""
    after = int(query.cursor) if query.cursor else 0
    if after > MAX_ID:
        raise InvalidInput("That cursor is not one this API gave out; start without one.")
    return after


def cursor_page(statement: Select, id_column, query: CursorQuery,
                to_json: Callable[[Any], dict], *, scalars: bool = True) -> dict:
    """{"items", "next_cursor"}: one page of statement (not yet ordered or limited) in
    id_column order after the query's cursor, each row turned into JSON by to_json."""

    def fetch(after: int, limit: int) -> list:
        page = statement.where(id_column > after).order_by(id_column).limit(limit)
        return list(db.session.scalars(page) if scalars else db.session.execute(page))

    def row_id(row) -> int:
        return getattr(row, id_column.key) if scalars else row._mapping[id_column.key]

    return fetched_page(fetch, query, to_json, row_id)


def fetched_page(fetch: Callable[[int, int], list], query: CursorQuery,
                 to_json: Callable[[Any], dict],
                 row_id: Callable[[Any], int] = lambda row: row.id) -> dict:
    """{"items", "next_cursor"} of the rows fetch(after_id, limit) answers in id order: for
    a feature's query function, where the API may not name the feature's model."""
    rows = fetch(after_id(query), query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    next_cursor = str(row_id(rows[-1])) if more and rows else None
    return {"items": [to_json(row) for row in rows], "next_cursor": next_cursor}


def page_model(item: type[BaseModel], name: str) -> type[BaseModel]:
    """The response model of one page of item (for the OpenAPI document)."""
    from pydantic import create_model

    return create_model(name, __config__=ConfigDict(title=name),
                        __doc__=f"One page of {item.__name__}; pass next_cursor as ?cursor=.",
                        items=(list[item], ...), next_cursor=(Optional[str], None))
