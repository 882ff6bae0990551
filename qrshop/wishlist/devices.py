"""One wish list on every device (an emailed magic link), and showing it at the counter.

The magic link carries the email and the requesting device's shoppers; opening it marks the
email verified on those shoppers and on the opening device's, giving that device a shopper for
every retailer where the email is verified. /wishlist then shows every shopper of a retailer
with the same verified email. The counter QR carries one retailer and one shopper, signed and
expiring, and only opens read-only for that retailer's staff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from qrshop import tokens
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.mail import normalise_email, send_email
from qrshop.shopper import queries as shoppers
from qrshop.shopper.services import adopt_shopper, new_shopper, verify_email
from qrshop.wishlist.services import RetailerWishlist, wishlists

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import User


def request_magic_link(shopper_ids: dict[int, str], raw_email: str) -> str:
    """Email a link that opens this device's wish lists on another device; return the address."""
    email = normalise_email(raw_email)
    _adopt(shopper_ids)
    token = tokens.make(tokens.MAGIC_LINK, {"e": email, "s": sorted(shopper_ids.values())})
    link = f"{current_app.config['BASE_URL']}/wishlist/link/{token}"
    send_email(
        email, "Your wish list on every device",
        ("Hello,\n\nopen this link on any phone or computer to see your wish list and "
         f"coupons there:\n\n{link}\n\nThe link works for one hour. If you did not ask "
         "for it, ignore this email."),
    )
    return email


def _adopt(shopper_ids: dict[int, str]) -> None:
    """Write the rows of a device's shoppers known so far only by their cookies, so the
    email can be recorded on them."""
    for retailer_id, shopper_id in shopper_ids.items():
        adopt_shopper(shopper_id, retailer_id)


def _read(purpose: str, token: str, what: str):
    try:
        payload = tokens.read(purpose, token)
    except tokens.TokenExpired:
        raise InvalidInput(f"This {what} has expired. Ask for a new one.",
                           code="link_expired", status_code=410) from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"This {what} is not valid. Copy the whole link.",
                           code="bad_link", status_code=404)
    return payload


def magic_link_email(token: str) -> str:
    """The email address a magic link is for (checks it, changes nothing)."""
    return _read(tokens.MAGIC_LINK, token, "link")["e"]


def link_device(token: str, device_shoppers: dict[int, str]) -> tuple[str, dict[int, str]]:
    """Join this device to the wish lists of the link's email; return it and new shoppers."""
    payload = _read(tokens.MAGIC_LINK, token, "link")
    email, now = payload["e"], utcnow()
    requested = [sid for sid in payload.get("s", []) if isinstance(sid, str)]
    _adopt(device_shoppers)
    verify_email(requested + list(device_shoppers.values()), email, now)
    retailers = shoppers.retailers_with_verified_email(email)
    created = {}
    for retailer_id in sorted(retailers - set(device_shoppers)):
        created[retailer_id] = new_shopper(retailer_id)
    verify_email(list(created.values()), email, now)
    return email, created


def counter_url(retailer_id: int, shopper_id: str) -> str:
    """The address in the "show at the counter" QR: read-only, expiring, one retailer."""
    token = tokens.make(tokens.COUNTER, {"r": retailer_id, "s": shopper_id})
    return f"{current_app.config['BASE_URL']}/pos/wishlist/{token}"


def token_from(scanned: str) -> str:
    """The token from what a till scanner or an associate typed: the URL or the token."""
    text = (scanned or "").strip()
    return text.rsplit("/pos/wishlist/", 1)[-1].strip("/")


def wishlist_for_counter(token: str, user: User) -> RetailerWishlist:
    """The shopper's wish list for the user's retailer only; 403 other retailer, 410 expired."""
    payload = _read(tokens.COUNTER, token_from(token), "wish-list code")
    retailer_id, shopper_id = payload.get("r"), payload.get("s")
    if retailer_id != user.retailer_id:
        raise InvalidInput("This wish list belongs to a shopper of another retailer.",
                           code="wrong_retailer", status_code=403)
    owner = shoppers.retailer_of_shopper(shopper_id) if isinstance(shopper_id, str) else None
    if owner is None or owner != retailer_id:
        raise InvalidInput("This wish-list code is not valid.", code="bad_link",
                           status_code=404)
    found = wishlists({retailer_id: shopper_id})
    return found[0] if found else RetailerWishlist("", [], [], retailer_id)
