"""Shopper pages of the wish list: save from a landing page, /wishlist, magic links."""

from __future__ import annotations

from flask import jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext

from qrshop import tokens
from qrshop.accounts import queries as accounts
from qrshop.accounts.services import retailer_by_slug
from qrshop.errors import InvalidInput
from qrshop.extensions import csrf
from qrshop.i18n import N_
from qrshop.parsing import row_id
from qrshop.shopper import identity
from qrshop.shopper.actions import (
    back_to,
    brand_of,
    check_landing_form,
    landing_page_or_404,
    limit_shopper_action,
    link_failed,
    message_page,
    no_store,
    refused_on_landing,
    shopper_message,
    wants_json,
)
from qrshop.tags.qr import QUIET_ZONE, encode, svg_path_data
from qrshop.web import keep_writes_on_error
from qrshop.wishlist import client_book, devices, services
from qrshop.wishlist.views import bp


@bp.post("/t/<code>/save")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
def save(code: str):
    """Save the item to the shopper's wish list, or remove it (action=remove)."""
    page = landing_page_or_404(code)
    try:
        check_landing_form(page)
    except InvalidInput as error:
        return refused_on_landing(page, error, field="save")
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    remove = request.form.get("action") == "remove"
    if remove:
        services.remove_from_wishlist(shopper_id=shopper_id, listing_id=page.listing_id)
    else:
        services.save_to_wishlist(shopper_id=shopper_id, listing_id=page.listing_id,
                                  store_id=page.store_id, tag_id=page.tag_id)
    response = jsonify(saved=not remove) if wants_json() else back_to(page)
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return no_store(response)


def _qr(url: str) -> dict:
    """What the template needs to draw a QR as inline SVG."""
    matrix = encode(url)
    return {"url": url, "side": matrix.size + 2 * QUIET_ZONE, "path": svg_path_data(matrix)}


# The session remembers which emailed code this device may type (the latest it asked for).
_ASKED = "wishlist_link_request"

_MESSAGES = {
    "sent": N_("Check your inbox: we emailed you a link and a code. Open the link on the "
               "other phone or computer, and type the code here so this one joins too."),
    "joined": N_("This device is joined: its wish list shows wherever the link was opened."),
    "removed": N_("Removed from your wish list."),
}


@bp.get("/wishlist")
def wishlist():
    """The shopper's saved items and coupons per retailer, with a QR to show at the counter."""
    shown = next((gettext(_MESSAGES[name]) for name in _MESSAGES if request.args.get(name)),
                 None)
    return _wishlist_page(message=shown)


@bp.post("/wishlist/remove")
def wishlist_remove():
    """Remove one item (`listing`, its id) from the caller's wish list, on every device."""
    listing_id = row_id(request.form.get("listing"))
    if listing_id is None or not services.remove_from_wishlists(identity.cookie_shoppers(),
                                                                listing_id):
        return _wishlist_page(message=gettext("That item is not on your wish list."),
                              status=404)
    return no_store(redirect(url_for(".wishlist", removed=1), code=303))


def _retailer_at(slug: str | None):
    """The retailer a counter card names (`?at=SLUG`), or None for none or an unknown one."""
    if not slug or len(slug) > 64:
        return None
    try:
        return retailer_by_slug(slug)
    except InvalidInput:
        return None


def _wishlist_page(*, message=None, code_error=None, status=200):
    """The /wishlist page, with the code form while this device has a code to type."""
    shoppers = identity.cookie_shoppers()
    lists = services.wishlists(shoppers)
    page = None
    at = _retailer_at(request.args.get("at"))
    if at is not None:  # the counter card at this retailer's till: its list, its colours
        lists = [wishlist for wishlist in lists if wishlist.retailer_id == at.id]
        page = brand_of(at)
    elif len(shoppers) == 1:
        page = brand_of(accounts.retailer(next(iter(shoppers))))
    counter = {wishlist.retailer_id: _qr(devices.counter_url(
        wishlist.retailer_id, shoppers[wishlist.retailer_id])) for wishlist in lists}
    context = {"lists": lists, "counter": counter,
               "counter_minutes": tokens.MAX_AGE[tokens.COUNTER] // 60,
               # The client book's consent toggle (assist's): {retailer_id: shared?}
               "sharing": {wishlist.retailer_id: client_book.consent_of(
                   wishlist.retailer_id, shoppers[wishlist.retailer_id]) for wishlist in lists
                   if wishlist.retailer_id in shoppers} if client_book.is_available() else {},
               "message": message, "code_error": code_error,
               "code_digits": devices.CODE_DIGITS,
               "code_pending": code_error is not None
               or devices.pending_code(session.get(_ASKED)) is not None}
    if page is not None:
        context["page"] = page
    body = render_template("shopper/wishlist.html", **context)
    return no_store(make_response(body, status))


@bp.post("/wishlist/link")
@limit_shopper_action("5 per hour", "20 per hour",
                      N_("We have sent you several links; try again later."))
def wishlist_link_request():
    """Email a magic link (for another device) and a code (for this one)."""
    session[_ASKED] = devices.request_magic_link(identity.cookie_shoppers(),
                                                 request.form.get("email", ""))
    return redirect(url_for(".wishlist", sent=1), code=303)


@bp.post("/wishlist/code")
def wishlist_code():
    """Join this device, which asked for the email, with the code the email carries."""
    try:
        created = devices.join_with_code(session.get(_ASKED), request.form.get("code", ""),
                                         identity.cookie_shoppers())
    except InvalidInput as error:
        if error.code in ("wrong_code", "code_locked"):
            keep_writes_on_error()  # the try counts, or the code could be guessed
        return _wishlist_page(code_error=shopper_message(error), status=error.status_code)
    response = redirect(url_for(".wishlist", joined=1), code=303)
    for retailer_id, shopper_id in created.items():
        identity.set_shopper_cookie(response, retailer_id, shopper_id)
    return no_store(response)


@bp.get("/wishlist/link/<token>")
def wishlist_link(token: str):
    """Ask before joining this device to the wish list (mail scanners only GET links)."""
    try:
        email = devices.magic_link_email(token)
    except InvalidInput as error:
        return link_failed(error)
    # Said before the button: a link forwarded by its sender is the way to phish a list.
    return message_page(gettext("Use your wish list here"),
                        gettext("Show the wish list and coupons of %(email)s on this device? "
                                "If you say yes, the items and coupons saved on this device, "
                                "and all you save here from now on, will be shared with "
                                "whoever reads the e-mail of %(email)s. Say yes only if this "
                                "is your own address. (A list this device already joined "
                                "with another address stays with it.)", email=email),
                        form_action=url_for(".wishlist_link_open", token=token),
                        form_button=gettext("Yes, show my wish list"))


@bp.post("/wishlist/link/<token>")
def wishlist_link_open(token: str):
    """Join this device (only the one that opened the link) to the link's email's lists."""
    try:
        _, created = devices.link_device(token, identity.cookie_shoppers())
    except InvalidInput as error:
        return link_failed(error)
    response = redirect(url_for(".wishlist"), code=303)
    for retailer_id, shopper_id in created.items():
        identity.set_shopper_cookie(response, retailer_id, shopper_id)
    return no_store(response)
