"""Idempotency-Key on every API POST: a retry with the same key gets the first answer.

A client that lost an answer (a timeout, a dropped connection) sends its POST again with the
same `Idempotency-Key` header and gets what the first request answered, instead of creating
a second tag or redeeming twice. Keys belong to the token that sent them and live 24 hours.

How it holds across workers and nodes, on SQLite and PostgreSQL:

1. Before the view runs, the key is reserved by one `INSERT ... ON CONFLICT DO NOTHING` into
   idempotency_keys (unique on token and key) in a short transaction of its own
   (qrshop.ratelimit.transaction_of_its_own): whichever request inserts the row runs; any
   other one finds the row and answers from it: the stored answer (replayed, with
   `Idempotent-Replayed: true`), 409 `idempotency_key_in_use` while the first still runs,
   or 422 `idempotency_key_reused` if its method, path or body differ.
2. An answer under 400 is written to the row in the request's own transaction, so it is
   committed together with what the request stored, or not at all. A 4xx (which stores
   nothing) is written in a transaction of its own.
3. When the request ends, a row still without an answer (a 5xx, an exception, a commit that
   failed) is deleted, so a retry runs again. A worker killed mid-request leaves its row
   unanswered: after PENDING_SECONDS the next retry takes it over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import Flask, Response, after_this_request, current_app, g, request
from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import Base, UTCDateTime, utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.ratelimit import transaction_of_its_own
from qrshop.web import writes_kept_on_error

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# How long a key is remembered.
KEY_LIFETIME = timedelta(hours=24)
# A reservation without an answer this old belongs to a request that died (its worker was
# killed): a retry may take it over. Longer than any request may run (gunicorn's timeout).
PENDING_SECONDS = 300
# Expired keys are deleted at most this often per process, when a key is reserved.
PRUNE_EVERY_SECONDS = 60.0
PRUNE_BATCH = 500
# The headers of an answer kept with it, besides its content type: where a created thing is,
# and the file name of a PDF.
KEPT_HEADERS = ("Location", "Content-Disposition")


class IdempotencyKey(Base):
    """One Idempotency-Key of one API token: the request it was first sent with and, once
    that request answered, its answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    # "POST /api/v1/tags" and the sha256 of the method, path, query and body.
    request_line: Mapped[str] = mapped_column(String(2048))
    request_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The answer; None while the first request runs.
    status_code: Mapped[Optional[int]] = mapped_column(Integer)
    content_type: Mapped[Optional[str]] = mapped_column(String(255))
    # KEPT_HEADERS the answer had, as a JSON object.
    response_headers: Mapped[Optional[str]] = mapped_column(Text)
    response_body: Mapped[Optional[bytes]] = mapped_column(LargeBinary)


@dataclass
class _Reservation:
    """This request's key row, held in g until the request ends."""

    row_id: int
    stored: bool = False


_KEYS = IdempotencyKey.__table__.c
_next_prune = 0.0


def header_parameter() -> dict:
    """The OpenAPI description of the header, as every POST documents it."""
    return {
        "name": HEADER, "in": "header", "required": False,
        "description": "Any unique string (1-255 printable ASCII characters, e.g. a UUID). A "
                       "retry with the same key and body within 24 hours gets the first "
                       "answer again, with `Idempotent-Replayed: true`; a different body or "
                       "path answers 422 `idempotency_key_reused`, a retry while the first "
                       "request runs 409 `idempotency_key_in_use`.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
                   "pattern": "^[ -~]+$"},
    }


def checked_key(raw: str) -> str:
    """The header's key; 422 unless it is 1-255 printable ASCII characters."""
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or any(not " " <= char <= "~" for char in raw):
        raise InvalidInput(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII "
                           "characters, e.g. a UUID.")
    return raw


def _request_fingerprint() -> str:
    """The sha256 of what makes this request this request: method, path with query, body.

    A JSON body counts by its value (key order and spaces do not matter); a multipart body by
    its fields and its files' names, types and contents (its boundary is random per send).
    """
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype == "multipart/form-data":
        parts = [json.dumps([name, value]) for name, value in request.form.items(multi=True)]
        for name, upload in request.files.items(multi=True):
            content = hashlib.file_digest(upload.stream, "sha256")
            upload.stream.seek(0)
            parts.append(json.dumps([name, upload.filename, upload.mimetype,
                                     content.hexdigest()]))
        digest.update("\n".join(sorted(parts)).encode())
        return digest.hexdigest()
    body = request.get_data(cache=True)
    if request.is_json:
        with contextlib.suppress(ValueError):  # not JSON after all: the raw bytes count
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def _insert_if_absent(dialect_name: str):
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return insert(IdempotencyKey).on_conflict_do_nothing(
        index_elements=["api_token_id", "key"]).returning(_KEYS.id)


def _reserve(api_token_id: int, key: str, fingerprint: str) -> tuple[Optional[int], object]:
    """Reserve the key for this request: (row id, None), or (None, the row found)."""
    global _next_prune
    now = utcnow()
    with transaction_of_its_own() as connection:
        connection.execute(delete(IdempotencyKey).where(
            _KEYS.api_token_id == api_token_id, _KEYS.key == key,
            or_(_KEYS.created_at <= now - KEY_LIFETIME,
                _KEYS.status_code.is_(None)
                & (_KEYS.created_at <= now - timedelta(seconds=PENDING_SECONDS)))))
        row_id = connection.scalar(_insert_if_absent(connection.dialect.name), {
            "api_token_id": api_token_id, "key": key, "created_at": now,
            "request_line": f"{request.method} {request.path}"[:2048],
            "request_sha256": fingerprint,
        })
        if time.monotonic() >= _next_prune:
            _next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
            expired = select(_KEYS.id).where(_KEYS.created_at <= now - KEY_LIFETIME) \
                .limit(PRUNE_BATCH).scalar_subquery()
            connection.execute(delete(IdempotencyKey).where(_KEYS.id.in_(expired)))
        if row_id is not None:
            return row_id, None
        found = connection.execute(select(
            _KEYS.request_sha256, _KEYS.request_line, _KEYS.status_code, _KEYS.content_type,
            _KEYS.response_headers, _KEYS.response_body).where(_KEYS.api_token_id == api_token_id,
                                       _KEYS.key == key)).one_or_none()
    if found is None:
        # The first request's reservation was deleted (it failed) between our insert and
        # our read: it did not happen, but this request raced it; the client retries.
        raise InvalidInput(f"A request with this {HEADER} is running; retry in a moment.",
                           code="idempotency_key_in_use", status_code=409)
    return None, found


def _answer_of(found, fingerprint: str) -> Response:
    """The answer to a retry of a known key: the stored answer, or why there is none."""
    if found.request_sha256 != fingerprint:
        raise InvalidInput(
            f"This {HEADER} was already used with another request ({found.request_line}, "
            "or another body); use a new key for a new request.",
            code="idempotency_key_reused")
    if found.status_code is None:
        raise InvalidInput(f"A request with this {HEADER} is still running; retry in a "
                           "moment.", code="idempotency_key_in_use", status_code=409)
    response = Response(found.response_body, status=found.status_code,
                        content_type=found.content_type)
    response.headers.update(json.loads(found.response_headers or "{}"))
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _store_answer(response: Response) -> Response:
    """Keep this request's answer (under 500) on its key."""
    reservation: _Reservation = g.idempotency
    if response.status_code >= 500 or reservation.stored:
        return response
    if not response.is_sequence:
        response.make_sequence()  # a file sent (a PDF): read it once to keep it
    kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    answer = {"status_code": response.status_code, "content_type": response.content_type,
              "response_headers": json.dumps(kept), "response_body": response.get_data()}
    statement = update(IdempotencyKey).where(_KEYS.id == reservation.row_id).values(**answer)
    if response.status_code < 400 or writes_kept_on_error():
        # Committed with what the request stored, or rolled back with it.
        db.session.execute(statement)
    else:
        # A 4xx is rolled back: first, so that this write does not wait behind the
        # request's own SQLite write transaction; then the answer in a transaction of its own.
        db.session.rollback()
        with transaction_of_its_own() as connection:
            connection.execute(statement)
    reservation.stored = True
    return response


def run_idempotently(view, *args, **kwargs):
    """Run an API POST view under its Idempotency-Key, if the request sends one."""
    raw = request.headers.get(HEADER)
    api_token = g.get("api_token")
    if raw is None or api_token is None:
        return view(*args, **kwargs)
    key = checked_key(raw)
    fingerprint = _request_fingerprint()
    row_id, found = _reserve(api_token.id, key, fingerprint)
    if row_id is None:
        return _answer_of(found, fingerprint)
    g.idempotency = _Reservation(row_id)
    after_this_request(_store_answer)
    return view(*args, **kwargs)


def _release_unanswered(error: Optional[BaseException] = None) -> None:
    """At the end of a request, delete its key if no answer was committed for it, so that
    a retry runs again (a 5xx, an exception, a failed commit)."""
    reservation: Optional[_Reservation] = g.pop("idempotency", None)
    if reservation is None:
        return
    try:
        with transaction_of_its_own() as connection:
            connection.execute(delete(IdempotencyKey).where(
                _KEYS.id == reservation.row_id, _KEYS.status_code.is_(None)))
    except Exception:  # noqa: BLE001 - the answer is sent; the row is taken over later
        current_app.logger.exception("Could not release an unanswered Idempotency-Key")


def init_app(app: Flask) -> None:
    """Release unanswered keys when each request ends."""
    app.teardown_request(_release_unanswered)
