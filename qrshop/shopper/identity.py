"""Which shopper is asking: the signed per-retailer cookies set by the landing page."""

from __future__ import annotations

import re
from typing import Optional

from flask import current_app, request
from sqlalchemy import select

from qrshop.extensions import csrf, db
from qrshop.shopper.models import Shopper
from qrshop.shopper.services import adopt_shopper, new_shopper

_COOKIE_NAME = re.compile(r"^qs([0-9]{1,10})$")


def _cookie():
    return current_app.extensions["qrshop.shopper_cookie"]


def cookie_shoppers() -> dict[int, str]:
    """{retailer_id: shopper_id} for every validly signed shopper cookie the browser sent.

    A cookie counts unless its id is another retailer's shopper (a cookie copied from one
    retailer's name to another's). Its shoppers row may not exist yet (see adopt_shopper).
    """
    claimed = {}
    for name, value in request.cookies.items():
        match = _COOKIE_NAME.match(name)
        shopper_id = _cookie().loads(value) if match else None
        if shopper_id:
            claimed[shopper_id] = int(match.group(1))
    if not claimed:
        return {}
    owners = dict(db.session.execute(
        select(Shopper.id, Shopper.retailer_id).where(Shopper.id.in_(list(claimed)))
    ).all())
    return {retailer_id: shopper_id for shopper_id, retailer_id in claimed.items()
            if owners.get(shopper_id, retailer_id) == retailer_id}


def signed_shopper_id(retailer_id: Optional[int] = None) -> Optional[str]:
    """The shopper id in this retailer's validly signed cookie (None: the first, in sorted
    order, of any retailer's), without reading the database; None if there is none.

    The rate limits' key: the server signed the id when a scan minted it, so a forged or
    junk cookie names no shopper. (Whose shopper it is matters to what the shopper may see,
    not to how often it may ask.)
    """
    cookie = _cookie()
    if retailer_id is not None:
        return cookie.loads(request.cookies.get(cookie.name(retailer_id)))
    signed = (cookie.loads(value) for name, value in request.cookies.items()
              if _COOKIE_NAME.match(name))
    return min(filter(None, signed), default=None)


def current_shopper(retailer_id: int) -> Optional[str]:
    """The id of this retailer's shopper making the request, if the cookie names one.

    Its shoppers row may not exist yet: a scan mints the id and writes no row.
    """
    shopper_id = _cookie().loads(request.cookies.get(_cookie().name(retailer_id)))
    if shopper_id is None:
        return None
    owner = db.session.scalar(select(Shopper.retailer_id).where(Shopper.id == shopper_id))
    return shopper_id if owner in (None, retailer_id) else None


def shopper_or_new(retailer_id: int) -> tuple[str, bool]:
    """The requesting shopper of this retailer, with its row written; and whether it is new
    (so its cookie must be set)."""
    # adopt_shopper refuses another retailer's shopper, as current_shopper does.
    shopper_id = _cookie().loads(request.cookies.get(_cookie().name(retailer_id)))
    if shopper_id is not None and adopt_shopper(shopper_id, retailer_id):
        return shopper_id, False
    return new_shopper(retailer_id), True


def protect_shopper_form(retailer_id: int) -> None:
    """CSRF check of a landing-page form (its view is exempt from the global check).

    Accepts the token bound to this retailer's shopper cookie, as the landing page writes
    it; otherwise Flask-WTF's session token. Raises CSRFError (400) when neither matches.
    """
    cookie = _cookie()
    shopper_id = cookie.loads(request.cookies.get(cookie.name(retailer_id)))
    if cookie.form_token_matches(shopper_id, request.form.get("csrf_token", "")):
        return
    csrf.protect()


def set_shopper_cookie(response, retailer_id: int, shopper_id: str) -> None:
    """Give the browser the shopper cookie, as the landing page does."""
    response.headers.add("Set-Cookie", _cookie().set_cookie_header(
        retailer_id, shopper_id, max_age=current_app.config["SHOPPER_COOKIE_MAX_AGE"],
        secure=request.is_secure))
