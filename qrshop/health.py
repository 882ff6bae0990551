"""GET /healthz: the process is up and the database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from qrshop.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 {"status": "ok"} when the database answers a query, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="error", database=type(error).__name__), 503
    return jsonify(status="ok", database="ok")
