"""One wish list on every device (an emailed magic link), and showing it at the counter.

Who joins: a device proves it can read the inbox before its shoppers get the email
verified. The magic link carries only the email (and the id of its request row); opening
it (and saying yes) joins the device that opens it. The device that asked for the email
joins only by typing the one-time code from the same email, so a device that asked for
someone else's address joins nothing. A joined device gets a shopper for every retailer
where the email is verified; a shopper of the device already verified for another address
is never re-pointed (the device gets a new one for that retailer, and its cookie).
/wishlist then shows every shopper of a retailer with the same verified email. The counter
QR carries one retailer and one shopper, signed and expiring, and only opens read-only for
that retailer's staff.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, func, select, update

from qrshop import tokens
from qrshop.accounts import queries as accounts
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import N_
from qrshop.mail import normalise_email, send_email
from qrshop.shopper import queries as shoppers
from qrshop.shopper.services import adopt_shopper, new_shopper, verify_email
from qrshop.web import row_or_none
from qrshop.wishlist.models import WishlistLinkRequest
from qrshop.wishlist.services import RetailerWishlist, wishlists

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import User

CODE_DIGITS = 6
CODE_TRIES = 5  # typed codes per email (the right one included); then it is locked
# Wrong codes per address per day, over all its emails: asking again and again for a
# fresh code (and five more tries) stops here: at most one chance in 50,000 a day.
CODE_TRIES_PER_DAY = 20
_TYPED_CODE = re.compile(rf"\d{{{CODE_DIGITS}}}")


def request_magic_link(shopper_ids: dict[int, str], raw_email: str) -> int:
    """Email a link (for another device) and a code (for this one) that join them to the
    address's wish list; return the request's id, which this device keeps to type the code."""
    email = normalise_email(raw_email)
    now = utcnow()
    db.session.execute(delete(WishlistLinkRequest)
                       .where(WishlistLinkRequest.expires_at < now - timedelta(days=1)))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    retailer_ids = sorted(accounts.retailer_names_of(list(shopper_ids)))
    link_request = WishlistLinkRequest(
        email=email, code_hmac="", retailer_ids=",".join(map(str, retailer_ids)),
        expires_at=now + timedelta(seconds=tokens.MAX_AGE[tokens.MAGIC_LINK]),
        attempts=0, created_at=now, updated_at=now)
    db.session.add(link_request)
    db.session.flush()
    link_request.code_hmac = _code_hmac(link_request.id, code)
    token = tokens.make(tokens.MAGIC_LINK, {"e": email, "q": link_request.id})
    link = f"{current_app.config['BASE_URL']}/wishlist/link/{token}"
    minutes = tokens.MAX_AGE[tokens.MAGIC_LINK] // 60
    send_email(
        email, gettext("Your wish list on every device"),
        gettext("Hello,\n\nopen this link on the phone or computer where you want to see your "
                "wish list and coupons:\n\n%(link)s\n\nOn the phone or computer where you "
                "asked for this email, type this code: %(code)s\n\nBoth work for %(minutes)s "
                "minutes, and only on the device that opens the link or types the code. If you "
                "did not ask for this email, ignore it and give the code to no one.",
                link=link, code=code, minutes=minutes),
    )
    return link_request.id


def _code_hmac(request_id: int, code: str) -> str:
    """The stored form of a code: keyed, so a copy of the table does not give codes away."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _join(email: str, device_shoppers: dict[int, str],
          also_retailers: Iterable[int] = ()) -> dict[int, str]:
    """Verify the email on this device's shoppers that have no other verified email, and give
    the device a new (verified) shopper for every other retailer where the email is verified
    or also_retailers names, or whose shopper here verified another email; return the new
    ones (the device's cookies for them). Only call it for a device that proved it reads the
    inbox."""
    now = utcnow()
    known = set(accounts.retailer_names_of(
        list(set(device_shoppers) | set(also_retailers))))
    device_shoppers = {rid: sid for rid, sid in device_shoppers.items() if rid in known}
    for retailer_id, shopper_id in device_shoppers.items():
        adopt_shopper(shopper_id, retailer_id)
    # A shopper verified for another address keeps it: re-pointing it would show that
    # address's items and coupons to whoever reads this one (a link forwarded by its sender
    # and opened on the victim's phone). The device gets a new shopper there instead.
    taken = shoppers.verified_for_another_email(list(device_shoppers.values()), email)
    joining = {rid: sid for rid, sid in device_shoppers.items() if sid not in taken}
    verify_email(list(joining.values()), email, now)
    retailers = shoppers.retailers_with_verified_email(email) | (known & set(also_retailers)) \
        | set(device_shoppers)
    created = {}
    for retailer_id in sorted(retailers - set(joining)):
        created[retailer_id] = new_shopper(retailer_id)
    verify_email(list(created.values()), email, now)
    return created


# What a shopper reads when a magic link or a counter card's code fails (expired, invalid).
_READ_FAILED = {
    "link": (N_("This link has expired. Ask for a new one."),
             N_("This link is not valid. Copy the whole link.")),
    "wish-list code": (N_("This wish-list code has expired. Ask for a new one."),
                       N_("This wish-list code is not valid. Copy the whole link.")),
}


def _read(purpose: str, token: str, what: str):
    expired, invalid = _READ_FAILED[what]
    try:
        payload = tokens.read(purpose, token)
    except tokens.TokenExpired:
        raise InvalidInput(expired, code="link_expired", status_code=410) from None
    if not isinstance(payload, dict):
        raise InvalidInput(invalid, code="bad_link", status_code=404)
    return payload


def magic_link_email(token: str) -> str:
    """The email address a magic link is for (checks it, changes nothing)."""
    return _read(tokens.MAGIC_LINK, token, "link")["e"]


def link_device(token: str, device_shoppers: dict[int, str]) -> tuple[str, dict[int, str]]:
    """Join the device that opened the link (only it) to the wish lists of the link's email;
    return the email and the device's new shoppers.

    Links made before codes existed also carry the asking device's shoppers ("s"): they
    are ignored, since whoever asked has not shown that they read the inbox.
    """
    payload = _read(tokens.MAGIC_LINK, token, "link")
    email = payload["e"]
    asked_from: list[int] = []
    request_id = payload.get("q")
    link_request = row_or_none(WishlistLinkRequest, request_id) \
        if isinstance(request_id, int) and not isinstance(request_id, bool) else None
    if link_request is not None and link_request.email == email:
        asked_from = [int(rid) for rid in link_request.retailer_ids.split(",") if rid]
    return email, _join(email, device_shoppers, asked_from)


def pending_code(request_id: Optional[int]) -> Optional[WishlistLinkRequest]:
    """The link request this device may still type a code for (not used, locked, expired)."""
    link_request = row_or_none(WishlistLinkRequest, request_id) \
        if isinstance(request_id, int) else None
    if link_request is None or link_request.used_at is not None \
            or link_request.attempts >= CODE_TRIES or link_request.expires_at <= utcnow():
        return None
    return link_request


def join_with_code(request_id: Optional[int], typed: str,
                   device_shoppers: dict[int, str]) -> dict[int, str]:
    """Join the device that asked for the email (request_id, kept by that device) if typed
    is the code in it; return the device's new shoppers.

    Every try counts before the code is compared (one UPDATE, so parallel tries cannot
    exceed CODE_TRIES). A wrong code raises InvalidInput and its try must be committed.
    """
    code = re.sub(r"\s+", "", typed or "")
    if not _TYPED_CODE.fullmatch(code):
        raise InvalidInput(N_("The code is the %(digits)s digits in the email."),
                           values={"digits": CODE_DIGITS}, code="bad_code")
    link_request = row_or_none(WishlistLinkRequest, request_id) \
        if isinstance(request_id, int) else None
    if link_request is None:
        raise InvalidInput(N_("This device did not ask for that email. Ask for a link here, "
                              "then type the code from the new email."),
                           code="no_link_asked", status_code=409)
    now = utcnow()
    _refuse_if_spent(link_request, now)
    if _wrong_codes_today(link_request.email, now) >= CODE_TRIES_PER_DAY:
        raise InvalidInput(N_("Too many wrong codes for this address today. Open the link "
                              "from the email on this device instead."),
                           code="code_locked", status_code=429)
    counted = db.session.execute(
        update(WishlistLinkRequest)
        .where(WishlistLinkRequest.id == link_request.id,
               WishlistLinkRequest.used_at.is_(None),
               WishlistLinkRequest.attempts < CODE_TRIES)
        .values(attempts=WishlistLinkRequest.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(link_request)
    if not counted:
        _refuse_if_spent(link_request, now)
    if not hmac.compare_digest(_code_hmac(link_request.id, code), link_request.code_hmac):
        left = CODE_TRIES - link_request.attempts
        if left <= 0:
            raise _locked()
        raise InvalidInput(N_("That is not the code in the email. %(left)s try left.")
                           if left == 1 else
                           N_("That is not the code in the email. %(left)s tries left."),
                           values={"left": left}, code="wrong_code")
    used = db.session.execute(
        update(WishlistLinkRequest)
        .where(WishlistLinkRequest.id == link_request.id,
               WishlistLinkRequest.used_at.is_(None))
        .values(used_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not used:
        raise _already_used()
    return _join(link_request.email, device_shoppers)


def _refuse_if_spent(link_request: WishlistLinkRequest, now: datetime) -> None:
    """Refuse a code already used, locked by wrong tries, or too old."""
    if link_request.used_at is not None:
        raise _already_used()
    if link_request.attempts >= CODE_TRIES:
        raise _locked()
    if link_request.expires_at <= now:
        raise InvalidInput(N_("This code has expired. Ask for a new link and type the code "
                              "from the new email."), code="code_expired", status_code=410)


def _already_used() -> InvalidInput:
    return InvalidInput(N_("This code was already used: this device is joined."),
                        code="code_used", status_code=410)


def _locked() -> InvalidInput:
    return InvalidInput(N_("Too many wrong codes: this one no longer works. Ask for a new link."),
                        code="code_locked", status_code=429)


def _wrong_codes_today(email: str, now: datetime) -> int:
    """How many codes were typed for this address in the last day, the right ones aside."""
    return db.session.scalar(
        select(func.coalesce(func.sum(WishlistLinkRequest.attempts), 0))
        .where(WishlistLinkRequest.email == email,
               WishlistLinkRequest.created_at > now - timedelta(days=1),
               WishlistLinkRequest.used_at.is_(None)))


def counter_url(retailer_id: int, shopper_id: str) -> str:
    """The address in the "show at the counter" QR: read-only, expiring, one retailer."""
    token = tokens.make(tokens.COUNTER, {"r": retailer_id, "s": shopper_id})
    return f"{current_app.config['BASE_URL']}/pos/wishlist/{token}"


def counter_card_url(base_url: str, retailer_slug: str) -> str:
    """The address on the counter card at a retailer's tills: the shopper's own wish list
    (saved items and coupons), in the retailer's colours."""
    return f"{base_url.rstrip('/')}/wishlist?{urlencode({'at': retailer_slug})}"


def token_from(scanned: str) -> str:
    """The token from what a till scanner or an associate typed: the URL or the token."""
    text = (scanned or "").strip()
    return text.rsplit("/pos/wishlist/", 1)[-1].strip("/")


def counter_shopper(token: str, user: User, *, other_retailer: int = 403) -> tuple[int, str]:
    """The retailer and shopper a counter code names, for the user's retailer only:
    other_retailer (403, or 404 where even that is not said), 404 forged, 410 expired."""
    payload = _read(tokens.COUNTER, token_from(token), "wish-list code")
    retailer_id, shopper_id = payload.get("r"), payload.get("s")
    if retailer_id != user.retailer_id:
        if other_retailer == 404:
            raise InvalidInput(N_("This wish-list code is not valid."), code="bad_link",
                               status_code=404)
        raise InvalidInput(N_("This wish list belongs to a shopper of another retailer."),
                           code="wrong_retailer", status_code=other_retailer)
    owner = shoppers.retailer_of_shopper(shopper_id) if isinstance(shopper_id, str) else None
    if owner is None or owner != retailer_id:
        raise InvalidInput(N_("This wish-list code is not valid."), code="bad_link",
                           status_code=404)
    return retailer_id, shopper_id


def shopper_wishlist(retailer_id: int, shopper_id: str) -> RetailerWishlist:
    """One shopper's wish list and coupons at one retailer (with their other devices')."""
    found = wishlists({retailer_id: shopper_id})
    return found[0] if found else RetailerWishlist("", [], [], retailer_id)


def wishlist_for_counter(token: str, user: User) -> RetailerWishlist:
    """The shopper's wish list for the user's retailer only; 403 other retailer, 410 expired."""
    return shopper_wishlist(*counter_shopper(token, user))
