"""What every shopper action from a landing page shares (saving, claiming, feedback, alerts):
the page by its tag code, the way back to it, the retailer's brand and the message page."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from flask import (
    Response,
    abort,
    after_this_request,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError, generate_csrf

from qrshop import ratelimit, storage
from qrshop.errors import InvalidInput
from qrshop.extensions import db, limiter
from qrshop.i18n import N_
from qrshop.security import client_address_key
from qrshop.shopper import identity, landing_parts
from qrshop.shopper.scan import landing_html
from qrshop.shopper.services import find_landing_page
from qrshop.tags.codes import normalise_code
from qrshop.web import writes_kept_on_error

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer
    from qrshop.content.models import Media


@dataclass(frozen=True)
class Brand:
    """The retailer theme the shopper templates need (the names LandingPage uses)."""

    retailer_name: str
    primary_colour: str
    accent_colour: str
    font: str
    footer_text: str
    logo_filename: Optional[str] = None
    logo_width: Optional[int] = None
    logo_height: Optional[int] = None


def shown_logo(logo: Optional[Media]) -> Optional[Media]:
    """The retailer's logo if a page can show it: None for a PDF or MP4 stored as the logo
    before the theme refused them, or for a logo whose file is gone."""
    if logo is not None and logo.is_raster_image and storage.path_for(logo.filename):
        return logo
    return None


def brand_of(retailer: Retailer) -> Brand:
    """The theme of a retailer, for pages outside a landing page."""
    logo = shown_logo(retailer.logo)
    return Brand(
        retailer.name, retailer.primary_colour, retailer.accent_colour, retailer.font,
        retailer.footer_text,
        f"{logo.sha256}.{logo.extension}" if logo else None,
        logo.width if logo else None, logo.height if logo else None,
    )


def landing_page_or_404(code: str):
    """The landing page of a tag code (any case), or a 404."""
    canonical = normalise_code(code)
    page = find_landing_page(canonical) if canonical else None
    if page is None:
        abort(404, description=gettext("No tag has this code."))
    if page.logo_filename is not None and storage.path_for(page.logo_filename) is None:
        page = page.without_logo()  # its file is gone: the wordmark, not a broken image
    return page


def check_landing_form(page) -> None:
    """The CSRF check of a landing-page form (identity.protect_shopper_form), refusing as
    InvalidInput (400) so that the refusal is shown on the page like any other."""
    try:
        identity.protect_shopper_form(page.retailer_id)
    except CSRFError:
        raise InvalidInput(N_("This page was open too long to send that; try again now."),
                           code="form_expired", status_code=400) from None


def refused_on_landing(page, error: InvalidInput, *, field: str, typed=None) -> Response:
    """A landing-page action refused, with nothing stored (the 4xx rolls back).

    The page's script gets JSON {"error", "message", "field"}; a plain form post gets the
    landing page again, in the retailer's brand, with the message next to `field` and what
    the shopper typed (`typed`, by field name) still in the form, with the refusal's status.
    """
    message = shopper_message(error)
    if wants_json():
        response = jsonify(error=error.code, message=message, field=field)
        response.status_code = error.status_code
        return no_store(response)
    shopper_id = identity.current_shopper(page.retailer_id)
    token = (current_app.extensions["qrshop.shopper_cookie"].form_token(shopper_id)
             if shopper_id else generate_csrf())
    body = landing_html(
        render_template, page, landing_parts.part("engagement")(page, shopper_id),
        recommendations=tuple(landing_parts.part("recommendations")(page.listing_id,
                                                                     page.store_id)),
        csrf_token=lambda: token, errors={field: message}, typed=typed or {})
    return no_store(make_response(body, error.status_code))


def wants_json() -> bool:
    """Whether the caller (the page's script) asked for JSON rather than a redirect."""
    return request.accept_mimetypes.best == "application/json"


def back_to(page, anchor: str = "engage"):
    """Back to the landing page; ?via= keeps the visit from counting as a shelf scan."""
    return redirect(f"/t/{page.code}?via=engage#{anchor}", code=303)


def no_store(response):
    """Mark a shopper's own answer as never to be cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


# Whoever sends a shopper action without a validly signed shopper cookie shares one bucket
# per client address (a forged or junk cookie, or none, never opens a fresh one).
_NO_SHOPPER = "no-shopper:"
ADDRESS_LIMIT_MESSAGE = N_("Many people on your network did this lately; try again later.")


def shopper_rate_key() -> str:
    """Rate-limit key: the verified shopper (the signed cookie of the page's retailer; on
    routes without a tag code, of any retailer), else the client address."""
    code = (request.view_args or {}).get("code")
    if code is None:
        shopper_id = identity.signed_shopper_id()
    else:
        canonical = normalise_code(code)
        page = find_landing_page(canonical) if canonical else None
        shopper_id = identity.signed_shopper_id(page.retailer_id) if page else None
    return f"shopper:{shopper_id}" if shopper_id else _NO_SHOPPER + client_address_key()


def limit_shopper_action(per_shopper: str, per_address: str, error_message: str, *,
                         shown_by: Optional[str] = None):
    """Limit a shopper action per verified shopper, and per client address as a backstop.

    With shown_by (a landing-page control: "feedback", "coupon"), the 429 is the landing
    page again with the message next to that control (refused_on_landing), not an error
    page.

    The backstop, set well above the per-shopper limit so that the shoppers behind one store
    Wi-Fi are not held back, stops a script that mints a new shopper for every request.
    Both count in the rate-limit storage every worker shares (qrshop/ratelimit.py), when the
    request comes in (so simultaneous requests cannot pass a limit together), and both are
    given back when the answer is a 4xx that stored nothing: a form refused for its token or
    its input must not use up the limits of the shopper or of everyone on its network.
    """
    def decorate(view):
        @functools.wraps(view)
        def counted_unless_refused(*args, **kwargs):
            # The limits passed and counted before the view runs; refused requests never
            # get here (a 429 of the limiter stays counted, as it stored nothing anyway).
            after_this_request(_refund_if_refused)
            return view(*args, **kwargs)

        # Limits of one period are checked in the order they were added, and checking stops
        # at the first one exceeded: the shopper's first, so that a shopper over its own
        # limit does not use up its network's.
        limited = limiter.limit(per_shopper, key_func=shopper_rate_key,
                                error_message=error_message)(counted_unless_refused)
        limited = limiter.limit(per_address, key_func=client_address_key,
                                error_message=ADDRESS_LIMIT_MESSAGE)(limited)
        if shown_by is None:
            return limited

        @functools.wraps(view)
        def refused_on_the_page(*args, **kwargs):
            try:
                return limited(*args, **kwargs)
            except RateLimitExceeded as error:
                response = refused_on_landing(
                    landing_page_or_404(kwargs["code"]),
                    InvalidInput(error.description, code="rate_limited", status_code=429),
                    field=shown_by)
                response.headers.update((name, value) for name, value in error.get_headers()
                                        if name.lower() == "retry-after")
                return response
        return refused_on_the_page
    return decorate


def _refund_if_refused(response: Response) -> Response:
    """Give back this request's hits of its limits if it was refused and stored nothing."""
    if 400 <= response.status_code < 500 and not writes_kept_on_error():
        # The request hook rolls this answer back anyway; first, so that the refund's own
        # write does not wait behind this request's SQLite write transaction (the shopper
        # row a refused sign-up wrote).
        db.session.rollback()
        storage = limiter.limiter.storage  # the in-memory fallback while Redis is down
        for request_limit in limiter.current_limits:
            try:
                ratelimit.refund(storage, request_limit.key)
            except Exception:  # noqa: BLE001 - as RATELIMIT_SWALLOW_ERRORS: never a 500
                current_app.logger.exception("Could not give back a rate-limit hit")
    return response


def message_page(heading: str, message: str, status: int = 200, **context):
    """A branded page saying one thing (a confirmed link, an expired one)."""
    body = render_template("shopper/message.html", heading=heading, message=message, **context)
    return no_store(make_response(body, status))


def link_failed(error: InvalidInput):
    """The page of a link that does not work (the 4xx rolls the request back)."""
    return message_page(gettext("This link does not work"), shopper_message(error),
                        error.status_code)


def shopper_message(error: InvalidInput) -> str:
    """A refusal's message in the shopper's language: the services mark the messages
    shoppers read with N_() and give their values apart (InvalidInput's template, values);
    a message no catalogue has stays as it is."""
    return gettext(error.template, **error.values)
