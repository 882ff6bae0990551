"""The wish list at the till: an associate opens the list a shopper shows at the counter."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.errors import InvalidInput
from qrshop.shopper.actions import no_store
from qrshop.wishlist import client_book, devices
from qrshop.wishlist.views import bp


@bp.get("/pos/wishlist")
@bp.get("/pos/wishlist/<token>")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos_wishlist(token: str = ""):
    """A shopper's wish list shown at the counter: read-only, this retailer's only."""
    token = token or request.args.get("code", "")
    try:
        retailer_id, shopper_id = devices.counter_shopper(token, current_user)
    except InvalidInput as error:
        flash(error.message, "error")
        return render_template("pos/wishlist.html", wishlist=None), error.status_code
    # A shopper who let the store's associates keep a client book: open it instead.
    if client_book.consent_of(retailer_id, shopper_id):
        return no_store(redirect(client_book.book_url(devices.token_from(token)), code=303))
    shown = devices.shopper_wishlist(retailer_id, shopper_id)
    return no_store(make_response(render_template("pos/wishlist.html", wishlist=shown)))
