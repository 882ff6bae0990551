"""Ask an associate, the store's side: the queue at /pos/requests (kept current by
assist.js polling its list), claim, answer by text, close."""

from __future__ import annotations

from datetime import datetime

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.assist import services as assist
from qrshop.assist.views import bp
from qrshop.content.queries import hero_thumbnails
from qrshop.db import utcnow
from qrshop.errors import InvalidInput


def _minutes_since(when: datetime, now: datetime) -> int:
    return max(0, int((now - when).total_seconds() // 60))


def _queue_context() -> dict:
    now = utcnow()
    requests = assist.queue_for(current_user, now)
    thumbnails = hero_thumbnails(r.revision_id for r in requests)
    return {"requests": requests, "thumbnails": thumbnails, "now": now,
            "waited": {r.id: _minutes_since(r.created_at, now) for r in requests},
            "is_merchandiser": current_user.role == Role.MERCHANDISER.value}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pos/requests")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos_requests():
    """The queue: open requests first (oldest first), then those being handled."""
    if request.args.get("fragment"):
        return _no_store(make_response(render_template("pos/_requests_list.html",
                                                       **_queue_context())))
    return _no_store(make_response(render_template("pos/requests.html", **_queue_context())))


def _refused(error: InvalidInput):
    """A refused action: the queue again with the message (409 for a lost claim)."""
    flash(error.message, "error")
    return _no_store(make_response(render_template("pos/requests.html", **_queue_context()),
                                   error.status_code))


@bp.post("/pos/requests/<int:request_id>/claim")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def claim_request(request_id: int):
    """Claim a request; if another associate was first, 409 saying who has it."""
    try:
        claimed = assist.claim(request_id, current_user)
    except InvalidInput as error:
        return _refused(error)
    flash(f"You have the request about {claimed.listing.product.name}"
          + (f" — go to {claimed.spot}." if claimed.reply == "come" and claimed.spot else "."),
          "info")
    return redirect(url_for("assist.pos_requests"), code=303)


@bp.post("/pos/requests/<int:request_id>/answer")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def answer_request(request_id: int):
    """Text the shopper an answer (through the outbox)."""
    try:
        assist.answer_by_text(request_id, current_user, request.form.get("answer", ""))
    except InvalidInput as error:
        return _refused(error)
    flash("Answer sent by text.", "info")
    return redirect(url_for("assist.pos_requests"), code=303)


@bp.post("/pos/requests/<int:request_id>/close")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def close_request(request_id: int):
    """Close a request."""
    try:
        assist.close(request_id, current_user)
    except InvalidInput as error:
        return _refused(error)
    flash("Request closed.", "info")
    return redirect(url_for("assist.pos_requests"), code=303)
