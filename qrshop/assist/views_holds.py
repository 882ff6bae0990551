"""Hold it for me, the shopper's side: the form (/t/<code>/hold) and the hold's own page
(/t/<code>/hold/<token>)."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request
from flask_babel import gettext

from qrshop.assist import holds
from qrshop.assist.views import bp
from qrshop.errors import InvalidInput
from qrshop.i18n import request_locale
from qrshop.shopper import identity
from qrshop.shopper.actions import landing_page_or_404, limit_shopper_action, no_store

# Which field a refusal's message is shown next to, by its code (else above the form).
ERROR_FIELDS = {"no_name": "name", "too_long": "form", "invalid_phone": "phone",
                "invalid_email": "email", "no_contact": "phone", "no_consent": "consent",
                "invalid_variant": "variant"}
FORM_FIELDS = ("variant", "name", "size", "phone", "email", "consent")


def consent_text(page) -> str:
    """What the shopper agrees to by placing a hold."""
    return gettext("I agree that %(retailer)s may text or e-mail me about this hold of "
                   "%(product)s (when it is ready, or if it is cancelled or ends), at the "
                   "number or address I give (message and data rates may apply).",
                   retailer=page.retailer_name, product=page.product_name)


def _hold_form(page, *, status=200, error=None, form=None):
    body = render_template(
        "shopper/hold.html", page=page, settings=holds.takes_holds(page.store_id),
        form=form or {}, consent=consent_text(page),
        errors={ERROR_FIELDS.get(error.code, "form"): error.message} if error else {})
    return no_store(make_response(body, status))


@bp.get("/t/<code>/hold")
def hold_form(code: str):
    """The form: a size or colour, a name, a phone and/or e-mail, consent."""
    page = landing_page_or_404(code)
    shopper_id = identity.current_shopper(page.retailer_id)
    existing = holds.active_hold_of(shopper_id, page.listing_id) if shopper_id else None
    if existing is not None:
        return no_store(redirect(f"/t/{existing.tag_code}/hold/{existing.token}", code=303))
    return _hold_form(page)


def _variant_page(page, chosen: str):
    """The page of the variant the shopper picked (one of this page's variants with a tag
    in this store); the page itself when none is picked."""
    if not chosen or chosen == page.code:
        return page
    if chosen not in {v.code for v in page.shelf.variants if v.code}:
        raise InvalidInput(gettext("Choose one of the sizes or colours shown."),
                           code="invalid_variant", status_code=400)
    return landing_page_or_404(chosen)


@bp.post("/t/<code>/hold")
@limit_shopper_action("5 per hour", "60 per hour",
                      "You have asked for many holds; please ask at the till.")
def hold(code: str):
    """Place the shopper's hold (or show the one they have); then its own page."""
    page = landing_page_or_404(code)
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    try:
        held = _variant_page(page, form["variant"])
        placed, _ = holds.place_hold(held, shopper_id, form, consent_text=consent_text(held),
                                     locale=request_locale())
    except InvalidInput as error:
        return _hold_form(page, status=error.status_code, error=error, form=form)
    response = redirect(f"/t/{placed.tag_code}/hold/{placed.token}", code=303)
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return no_store(response)


@bp.get("/t/<code>/hold/<token>")
def hold_page(code: str, token: str):
    """The hold's state, as the store moves it."""
    page = landing_page_or_404(code)
    found = holds.hold_by_token(token)
    if found is None or found.tag_code != page.code:
        return no_store(make_response(render_template(
            "shopper/message.html", page=page, heading=gettext("Hold not found"),
            message=gettext("This hold does not exist.")), 404))
    body = render_template("shopper/hold_status.html", page=page, found=found,
                           state=holds.shopper_state(found))
    return no_store(make_response(body))
