"""Errors: JSON {"error", "message"} under /api, branded HTML pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from qrshop.access_log import redact_path
from qrshop.extensions import db


class InvalidInput(ValueError):
    """Input a person can correct; becomes a 4xx with this message.

    A message shoppers may read is marked for translation (`N_("... %(limit)s ...")`) and its
    values given apart (`values={"limit": 1000}`): `message` is the English text (the API's
    and the console's), `template` and `values` let a shopper page show it in the shopper's
    language (qrshop.shopper.actions.shopper_message).
    """

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None,
                 values: dict | None = None):
        self.template, self.values = message, values or {}
        message = message % self.values if values else message
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, code: str, message: str, headers=None):
    if _wants_json():
        return jsonify(error=code, message=message), status, headers or {}
    body = render_template("errors/error.html", status=status, message=message)
    return body, status, headers or {}


def register_error_handlers(app: Flask) -> None:
    """Answer every error as JSON under /api and as a branded page elsewhere."""

    @app.errorhandler(InvalidInput)
    def invalid_input(error: InvalidInput):
        db.session.rollback()
        if _wants_json():
            return _error_response(error.status_code, error.code, error.message)
        # A page: the message in the reader's language where a catalogue has it (the shopper
        # pages' languages, docs/i18n.md); the API keeps English.
        return _error_response(error.status_code, error.code,
                               gettext(error.template, **error.values))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        # Keep the headers the error carries (Allow on 405, Retry-After on 429...).
        headers = {name: value for name, value in error.get_headers()
                   if name.lower() not in ("content-type", "content-length")}
        if error.response is not None:
            headers.update((name, value) for name, value in error.response.headers.items()
                           if name.lower() not in ("content-type", "content-length"))
        message = error.description or error.name
        if not _wants_json():  # a page: in the reader's language where a catalogue has it
            message = gettext(message)
        return _error_response(error.code or 500, code, message, headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        # The path without its token segments (a magic link's, a reset's), as the access log.
        app.logger.exception("unhandled error on %s %s", request.method,
                             redact_path(request.path))
        return _error_response(
            500, "internal_error", "Something went wrong on our side. Please try again."
        )
