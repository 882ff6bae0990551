"""Serving stored media with immutable cache headers."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from qrshop import storage

bp = Blueprint("content", __name__)

MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4",
             "pdf": "application/pdf"}


@bp.get("/media/<name>")
def media(name: str):
    """A stored file by its content-addressed name; never changes, so cached for a year."""
    path = storage.path_for(name)
    if path is None:
        abort(404, description="No such media file.")
    response = send_file(path, mimetype=MIMETYPES[name.rsplit(".", 1)[1]], conditional=True,
                         max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
