"""Request plumbing every feature's views share: the tenant check, the 4xx opt-in to keep
writes, the `<int:...>` URL converter bounded to row ids, guards against NUL characters and
hostile JSON bodies, and CSV downloads safe to open in a spreadsheet. Reading numbers, ids
and dates from text is qrshop.parsing's job."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from flask import Response, abort, flash, g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.parsing import MAX_ROW_ID
from qrshop.spreadsheets import csv_text

Row = TypeVar("Row")


def owned_or_404(model: type[Row], row_id: Any, description: str = "Not found.",
                 **owner: Any) -> Row:
    """The row of `model` with this id if every `owner` column matches, else a 404.

    The one tenant check: `owned_or_404(Offer, offer_id, retailer_id=user.retailer_id)`.
    A row of another tenant answers exactly like a missing one, so ids cannot be probed.
    """
    row = row_or_none(model, row_id)
    if row is None or any(getattr(row, column) != value for column, value in owner.items()):
        abort(404, description=description)
    return row


def row_or_none(model: type[Row], row_id: Any) -> Row | None:
    """The row of `model` with this id, or None, also for an id no row can have (0, -1,
    2**63): the database is never asked about an integer it cannot store."""
    return db.session.get(model, row_id) if _is_row_id(row_id) else None


def _is_row_id(row_id: Any) -> bool:
    """Whether row_id can name a row: an integer in 1..MAX_ROW_ID (or any other key type)."""
    if row_id is None:
        return False
    if isinstance(row_id, int) and not isinstance(row_id, bool):
        return 1 <= row_id <= MAX_ROW_ID
    return True


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits, read as a row id. Werkzeug's own converter
    also takes other scripts' digits, fails past 4,300 digits (a 500) and passes any value
    on (SQLite overflows past 2**63). An id no row can have (over MAX_ROW_ID) reaches the
    view as 0, so the page answers its own 404 ("No such store."), as for a missing row."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        """The id, or 0 for one beyond the database's integer range."""
        if len(value) > len(str(MAX_ROW_ID)) or int(value) > MAX_ROW_ID:
            return 0
        return int(value)


def keep_writes_on_error() -> None:
    """Opt this request in to committing although it answers 4xx.

    The request hook rolls back every 4xx by default, so a refused form never leaves
    something half-stored; an answer that must store something (the orphan scan of an
    unknown code) calls this first.
    """
    g.keep_writes_on_error = True


def writes_kept_on_error() -> bool:
    """Whether this request opted in to committing a 4xx answer."""
    return bool(g.get("keep_writes_on_error"))


def refused(error: InvalidInput) -> int:
    """Flash the message of refused input and return its 4xx status for the page to answer.

    The request hook rolls back every 4xx, so the view only re-renders its form.
    """
    flash(error.message, "error")
    return error.status_code


def form_errors_message(form) -> str:
    """Every field error of a form, as one line naming the fields."""
    return "; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                     for name, errors in form.errors.items())


def form_refused(form) -> int:
    """Flash a submitted form's field errors and return 400."""
    flash(form_errors_message(form), "error")
    return 400


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV attachment whose text cells cannot run as spreadsheet formulas."""
    return Response(csv_text(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}.csv"'})


def refuse_nul_characters() -> None:
    """Drop NUL characters from the query string, and answer 400 to a form value holding
    one (before any view runs).

    No text means one, and PostgreSQL cannot store or even compare it (the query fails):
    a NUL in ?store= was a 500. An odd query still shows its page, as the rest of it would;
    a form is refused, since dropping a character would store something else than typed.
    """
    if "\x00" in request.path:
        # No page's address holds one (a slug or code in a path reaches the database).
        abort(404, description="No page has this address.")
    if any("\x00" in value for values in request.args.listvalues() for value in values):
        request.args = ImmutableMultiDict(
            [(key.replace("\x00", ""), value.replace("\x00", ""))
             for key, value in request.args.items(multi=True)])
    if request.method in ("GET", "HEAD") or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return
    if any("\x00" in value for values in request.form.listvalues() for value in values):
        abort(400, description="A field holds a NUL character; remove it and try again.")


# An API call's JSON body: a redemption or a listing is a few hundred bytes; nothing the
# API accepts nests deeper than 2. The limits only keep the JSON parser out of trouble
# (json.loads recurses once per level and fails with RecursionError past ~1,000).
API_MAX_JSON_BYTES = 64 * 1024
API_MAX_JSON_DEPTH = 32
# Paths whose bulk bodies may be larger (allow_json_bytes), e.g. 1,000 POS sales lines.
_API_JSON_LIMITS: dict[str, int] = {}
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
# A NUL written as \u0000 (PostgreSQL cannot store or compare text holding one).
_JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def allow_json_bytes(path: str, limit: int) -> None:
    """Let JSON bodies POSTed to this exact /api path be up to limit bytes (called at import by
    the feature owning the route)."""
    _API_JSON_LIMITS[path] = limit


def refuse_hostile_json() -> None:
    """Answer 413 to an /api JSON body over API_MAX_JSON_BYTES and 400 to one nested deeper
    than API_MAX_JSON_DEPTH, in the API's error shape, before any view parses it."""
    if not request.path.startswith("/api/") or not request.is_json \
            or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = _API_JSON_LIMITS.get(request.path, API_MAX_JSON_BYTES)
    too_large = InvalidInput(f"The JSON body is larger than {limit // 1024} KB.",
                             code="too_large", status_code=413)
    if (request.content_length or 0) > limit:
        raise too_large
    request.max_content_length = limit  # a body sent without a length, too
    body = request.get_data(cache=True)
    if _JSON_NUL.search(body):
        raise InvalidInput("A field contains control characters (a NUL, \\u0000); remove it "
                           "and try again.")
    depth = 0
    for byte in _JSON_STRING.sub(b"", body):
        if byte in b"[{":
            depth += 1
            if depth > API_MAX_JSON_DEPTH:
                raise InvalidInput(f"The JSON body nests deeper than {API_MAX_JSON_DEPTH} "
                                   "levels.", code="bad_request", status_code=400)
        elif byte in b"]}":
            depth -= 1
