"""The associate's client book at the till: /pos/clientbook/<token> (opened from the
shopper's counter QR when the shopper agreed), its notes and hand-picked suggestions."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.assist import clientbook
from qrshop.assist.views import bp
from qrshop.errors import InvalidInput
from qrshop.extensions import limiter
from qrshop.parsing import row_id

STAFF = (Role.ASSOCIATE, Role.MERCHANDISER)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(token: str, *, status: int = 200, query: str = "", note: str = ""):
    """The client book, or the plain counter view when the shopper has not agreed."""
    try:
        book = clientbook.book_for(token, current_user)
    except clientbook.NoConsent:
        return _no_store(redirect(url_for("wishlist.pos_wishlist", token=token), code=303))
    except InvalidInput as error:
        abort(error.status_code, description=error.message)
    results = clientbook.search_listings(book.retailer_id, query) if query else []
    body = render_template("pos/clientbook.html", book=book, query=query, results=results,
                           note=note, note_max=clientbook.NOTE_MAX)
    return _no_store(make_response(body, status))


@bp.get("/pos/clientbook/<token>")
@roles_required(*STAFF)
def client_book(token: str):
    """The shopper's wish list, open requests, coupons and notes; `q` searches items to
    suggest (SKU or name)."""
    return _page(token, query=request.args.get("q", "")[:100])


def _refused(token: str, error: InvalidInput, **kept):
    """The book again with the message, and what was typed; nothing stored (4xx rolls
    back). A shopper who withdrew meanwhile: the plain view."""
    if isinstance(error, clientbook.NoConsent):
        return _page(token)
    flash(error.message, "error")
    return _page(token, status=error.status_code, **kept)


@bp.post("/pos/clientbook/<token>/notes")
@roles_required(*STAFF)
@limiter.limit("60 per hour", key_func=lambda: f"clientbook-note:{current_user.id}")
def client_book_note(token: str):
    """Keep a note about the shopper (plain text, shown with its author and time)."""
    text = request.form.get("note", "")
    try:
        clientbook.add_note(token, current_user, text)
    except InvalidInput as error:
        return _refused(token, error, note=text[:clientbook.NOTE_MAX * 2])
    flash("Note kept.", "info")
    return redirect(url_for("assist.client_book", token=token), code=303)


@bp.post("/pos/clientbook/<token>/suggest")
@roles_required(*STAFF)
@limiter.limit("60 per hour", key_func=lambda: f"clientbook-suggest:{current_user.id}")
def client_book_suggest(token: str):
    """Send a hand-picked item (`listing`, an id from the search) to the wish list."""
    try:
        listing_id = row_id(request.form.get("listing"))
        if listing_id is None:
            raise InvalidInput("Pick an item from the search first.", code="no_listing",
                               status_code=400)
        name = clientbook.suggest(token, current_user, listing_id)
    except InvalidInput as error:
        return _refused(token, error, query=request.form.get("q", "")[:100])
    flash(f"{name} is on the shopper's wish list, with your name.", "info")
    return redirect(url_for("assist.client_book", token=token), code=303)
