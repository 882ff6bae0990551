"""Which shopper is asking: the signed per-retailer cookies set by the landing page."""

from __future__ import annotations

import re
from typing import Optional

from flask import current_app, request
from sqlalchemy import select

from qrshop.extensions import csrf, db
from qrshop.shopper.models import Shopper
from qrshop.shopper.services import new_shopper

_COOKIE_NAME = re.compile(r"^qs(\d{1,10})$")


def _cookie():
    return current_app.extensions["qrshop.shopper_cookie"]


def cookie_shoppers() -> dict[int, str]:
    """{retailer_id: shopper_id} for every validly signed shopper cookie the browser sent.

    Only shoppers the database knows, of the retailer the cookie names, count.
    """
    claimed = {}
    for name, value in request.cookies.items():
        match = _COOKIE_NAME.match(name)
        shopper_id = _cookie().loads(value) if match else None
        if shopper_id:
            claimed[shopper_id] = int(match.group(1))
    if not claimed:
        return {}
    known = db.session.execute(
        select(Shopper.id, Shopper.retailer_id).where(Shopper.id.in_(list(claimed)))
    ).all()
    return {retailer_id: shopper_id for shopper_id, retailer_id in known
            if claimed[shopper_id] == retailer_id}


def current_shopper(retailer_id: int) -> Optional[str]:
    """The id of this retailer's shopper making the request, if the cookie names a known one."""
    shopper_id = _cookie().loads(request.cookies.get(_cookie().name(retailer_id)))
    if shopper_id is None:
        return None
    known = db.session.scalar(
        select(Shopper.id).where(Shopper.id == shopper_id, Shopper.retailer_id == retailer_id)
    )
    return known


def shopper_or_new(retailer_id: int) -> tuple[str, bool]:
    """The requesting shopper of this retailer, created if needed; and whether it is new."""
    shopper_id = current_shopper(retailer_id)
    if shopper_id is not None:
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
