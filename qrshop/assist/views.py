"""Ask an associate, the shopper's side: the form (/t/<code>/ask), the request's own page
(/t/<code>/ask/<token>, kept current by assist.js polling its .json) and "text me instead"."""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext

from qrshop.accounts import queries as accounts
from qrshop.assist import services as assist
from qrshop.errors import InvalidInput
from qrshop.i18n import N_
from qrshop.shopper import identity
from qrshop.shopper.actions import landing_page_or_404, limit_shopper_action, no_store

bp = Blueprint("assist", __name__)

# Which field a refusal's message is shown next to, by its code (else above the form).
ERROR_FIELDS = {"no_message": "message", "too_long": "message", "invalid_phone": "phone",
                "no_consent": "consent", "invalid_reply": "reply"}
FORM_FIELDS = ("message", "size", "reply", "spot", "phone", "consent")


def consent_text(page) -> str:
    """What the shopper agrees to by asking for a text reply."""
    return gettext("I agree that %(retailer)s may text me an answer about %(product)s at "
                   "this number, this once (message and data rates may apply).",
                   retailer=page.retailer_name, product=page.product_name)


def _store_availability(page):
    store = accounts.store(page.store_id)
    return assist.availability(page.store_id, store.timezone if store else "UTC")


def _ask_page(page, *, status=200, error=None, form=None):
    body = render_template(
        "shopper/ask.html", page=page, availability=_store_availability(page),
        form=form or {"reply": "come"}, consent=consent_text(page),
        errors={ERROR_FIELDS.get(error.code, "form"): error.message} if error else {})
    return no_store(make_response(body, status))


@bp.get("/t/<code>/ask")
def ask_form(code: str):
    """The form: a message, a size or colour, and come to me or text me."""
    page = landing_page_or_404(code)
    shopper_id = identity.current_shopper(page.retailer_id)
    existing = assist.open_request_of(shopper_id, page.listing_id) if shopper_id else None
    if existing is not None:
        return redirect(f"/t/{page.code}/ask/{existing.token}", code=303)
    return _ask_page(page)


@bp.post("/t/<code>/ask")
@limit_shopper_action("5 per hour", "60 per hour",
                      N_("You have asked for help many times; please find an associate."))
def ask(code: str):
    """Put the shopper's request in the store's queue; then its own page."""
    page = landing_page_or_404(code)
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    try:
        created = assist.create_request(page, shopper_id, form, consent_text=consent_text(page))
    except InvalidInput as error:
        return _ask_page(page, status=error.status_code, error=error, form=form)
    response = redirect(f"/t/{page.code}/ask/{created.token}", code=303)
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return no_store(response)


def _request_or_404(page, token: str):
    found = assist.request_by_token(token)
    if found is None or found.tag_code != page.code:
        return None
    return found


def _state(page, found) -> dict:
    return assist.shopper_state(found, _store_availability(page).unclaimed_minutes)


@bp.get("/t/<code>/ask/<token>")
def request_page(code: str, token: str):
    """The request's state, as the associates move it."""
    page = landing_page_or_404(code)
    found = _request_or_404(page, token)
    if found is None:
        return no_store(make_response(render_template(
            "shopper/message.html", page=page, heading=gettext("Request not found"),
            message=gettext("This request does not exist.")), 404))
    body = render_template("shopper/ask_status.html", page=page, found=found,
                           state=_state(page, found), consent=consent_text(page),
                           errors={}, form={})
    return no_store(make_response(body))


@bp.get("/t/<code>/ask/<token>.json")
def request_state(code: str, token: str):
    """The request's state for the page's script: {"state", "text", "offer_text"}."""
    page = landing_page_or_404(code)
    found = _request_or_404(page, token)
    if found is None:
        return no_store(make_response(jsonify(error="not_found",
                                              message="No such request."), 404))
    return no_store(jsonify(_state(page, found)))


@bp.post("/t/<code>/ask/<token>/text")
@limit_shopper_action("5 per hour", "60 per hour",
                      N_("You have asked for help many times; please find an associate."))
def text_instead(code: str, token: str):
    """Nobody came: the shopper asks for a text reply instead."""
    page = landing_page_or_404(code)
    found = _request_or_404(page, token)
    if found is None or found.shopper_id != identity.current_shopper(page.retailer_id):
        return no_store(make_response(render_template(
            "shopper/message.html", page=page, heading=gettext("Request not found"),
            message=gettext("This request does not exist.")), 404))
    form = {name: request.form.get(name, "") for name in ("phone", "consent")}
    try:
        assist.offer_text_reply(found, form, consent_text=consent_text(page))
    except InvalidInput as error:
        body = render_template(
            "shopper/ask_status.html", page=page, found=found, state=_state(page, found),
            consent=consent_text(page), form=form,
            errors={ERROR_FIELDS.get(error.code, "form"): error.message})
        return no_store(make_response(body, error.status_code))
    return no_store(redirect(f"/t/{page.code}/ask/{found.token}", code=303))
