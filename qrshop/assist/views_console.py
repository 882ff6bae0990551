"""Ask an associate, the merchandiser's settings: which stores take requests, when, and
how long a request waits before its shopper is offered a text reply."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.assist import holds
from qrshop.assist import services as assist
from qrshop.assist.views import bp
from qrshop.errors import InvalidInput
from qrshop.parsing import whole_number


def _page(status: int = 200, typed: dict | None = None):
    stores = accounts.stores_of_retailer(current_user.retailer_id)
    settings = {store.id: assist.settings_of(store.id) for store in stores}
    return make_response(render_template("console/assist.html", stores=stores,
                                         settings=settings, typed=typed or {}), status)


@bp.get("/console/assist")
@roles_required(Role.MERCHANDISER)
def console_assist():
    """Each store's "ask an associate" settings."""
    return _page()


@bp.post("/console/assist/<store_code>")
@roles_required(Role.MERCHANDISER)
def console_assist_save(store_code: str):
    """Save one store's settings."""
    store = accounts.store_of_retailer(current_user.retailer_id, store_code)
    if store is None:
        abort(404, description="No such store.")
    typed = {"store": store.id, "opening_hours": request.form.get("opening_hours", ""),
             "unclaimed_minutes": request.form.get("unclaimed_minutes", ""),
             "hold_hours": request.form.get("hold_hours", "")}
    try:
        minutes = whole_number(typed["unclaimed_minutes"], minimum=1, maximum=120,
                               what="Minutes before a text reply is offered") or 5
        hold_hours = whole_number(typed["hold_hours"], minimum=1, maximum=168,
                                  what="Hours a hold is kept") or 24
        assist.set_settings(store.id, enabled=request.form.get("enabled") == "on",
                            opening_hours=typed["opening_hours"], unclaimed_minutes=minutes)
        holds.set_hold_settings(store.id, holds_enabled=request.form.get("holds_enabled") == "on",
                                hold_hours=hold_hours)
    except InvalidInput as error:
        flash(f"{store.code}: {error.message}", "error")
        return _page(400, typed)
    flash(f"{store.code}: saved.", "info")
    return redirect(url_for("assist.console_assist"), code=303)
