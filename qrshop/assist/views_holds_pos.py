"""Hold it for me, the store's side: the pick list at /pos/holds; ready (the shopper is
told), collected, cancelled (the shopper is told)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.assist import holds
from qrshop.assist.views import bp
from qrshop.content.queries import hero_thumbnails
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.i18n import format_local_datetime


def _page(status: int = 200):
    now = utcnow()
    rows = holds.pick_list_for(current_user, now)

    body = render_template(
        "pos/holds.html", holds=rows, thumbnails=hero_thumbnails(h.revision_id for h in rows),
        contact={h.id: holds.masked_contact(h) for h in rows},
        until={h.id: format_local_datetime(h.expires_at, h.store.timezone, "en") for h in rows},
        asked={h.id: format_local_datetime(h.created_at, h.store.timezone, "en") for h in rows},
        is_merchandiser=current_user.role == Role.MERCHANDISER.value)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pos/holds")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos_holds():
    """The pick list: holds to put aside (oldest first), ready ones, then recent others."""
    return _page()


def _act(action, hold_id: int, done: str):
    try:
        moved = action(hold_id, current_user)
    except InvalidInput as error:
        flash(error.message, "error")
        return _page(error.status_code)
    flash(done.format(product=moved.listing.product.name, name=moved.name), "info")
    return redirect(url_for("assist.pos_holds"), code=303)


@bp.post("/pos/holds/<int:hold_id>/ready")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def hold_ready(hold_id: int):
    """Put aside: the hold's time starts and the shopper gets a text or e-mail."""
    return _act(holds.mark_ready, hold_id, "{product} for {name} is ready; the shopper is told.")


@bp.post("/pos/holds/<int:hold_id>/collected")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def hold_collected(hold_id: int):
    """The shopper took it."""
    return _act(holds.mark_collected, hold_id, "{product} collected by {name}.")


@bp.post("/pos/holds/<int:hold_id>/cancel")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def hold_cancel(hold_id: int):
    """The store cannot hold it: the shopper is told."""
    return _act(holds.cancel, hold_id, "Hold of {product} for {name} cancelled; the shopper "
                "is told.")
