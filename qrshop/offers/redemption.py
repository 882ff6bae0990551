"""Redeeming a coupon at a till (the /pos page and POST /api/v1/redemptions).

A coupon is redeemed at most once however many tills try at once: one conditional
`UPDATE ... WHERE redeemed_at IS NULL AND expires_at > now` decides, and its row count says
whether this till won.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update

from qrshop.accounts import queries as accounts
from qrshop.accounts.roles import Role
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.offers.coupons import display_code, normalise_coupon_code
from qrshop.offers.models import CouponClaim, Offer, OfferKind
from qrshop.webhooks.emit import emit_for_listing

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Store, User

MAX_SALE_CENTS = 100_000_000  # $1,000,000: more is a typo at a till


def discount_for(offer: Offer, sale_amount_cents: int) -> int:
    """The discount a coupon of this offer gives on a sale, in cents (half-cents round up)."""
    if offer.kind == OfferKind.PERCENT:
        return (sale_amount_cents * offer.percent_off + 50) // 100
    if offer.kind == OfferKind.AMOUNT:
        return min(offer.amount_off_cents, sale_amount_cents)
    return 0


def parse_coupon_code(raw) -> str:
    """The canonical code, or InvalidInput 422 malformed_code saying what a code looks like."""
    code = normalise_coupon_code(raw) if isinstance(raw, str) else None
    if code is None:
        raise InvalidInput(
            "That is not a coupon code: a code is 8 letters and digits, like ABCD-EFGH.",
            code="malformed_code",
        )
    return code


def redemption_store(user: User, store_code) -> Store:
    """The store of the user's retailer where a coupon is redeemed; associates only their own."""
    store = None
    if isinstance(store_code, str) and store_code.strip():
        store = accounts.store_of_retailer(user.retailer_id, store_code)
    if store is None:
        raise InvalidInput(f"Unknown store {store_code!r}: use one of your store codes, "
                           "like ATL01.", code="unknown_store")
    if user.role == Role.ASSOCIATE and store.id != user.store_id:
        raise InvalidInput("You can redeem coupons only at your own store.",
                           code="wrong_store", status_code=403)
    return store


def redeem_coupon(raw_code, *, store_code, sale_amount_cents, user: User) -> CouponClaim:
    """Redeem a coupon at a store of the user's retailer; decided by one conditional UPDATE.

    Raises InvalidInput: 422 malformed_code / invalid_amount / unknown_store /
    not_valid_at_store, 403 wrong_store / wrong_retailer, 404 unknown_code,
    409 already_redeemed, 410 expired.
    """
    code = parse_coupon_code(raw_code)
    if not isinstance(sale_amount_cents, int) or isinstance(sale_amount_cents, bool) \
            or not 0 <= sale_amount_cents <= MAX_SALE_CENTS:
        raise InvalidInput("The sale amount must be a whole number of cents from 0 to "
                           f"{MAX_SALE_CENTS}.", code="invalid_amount")
    store = redemption_store(user, store_code)
    now = utcnow()
    valid_here = select(Offer.id).where(
        Offer.retailer_id == store.retailer_id,
        or_(Offer.store_id.is_(None), Offer.store_id == store.id),
    )
    redeemed = db.session.execute(
        update(CouponClaim)
        .where(CouponClaim.code == code, CouponClaim.redeemed_at.is_(None),
               CouponClaim.expires_at > now, CouponClaim.offer_id.in_(valid_here))
        .values(redeemed_at=now, redeemed_store_id=store.id, redeemed_by_id=user.id,
                sale_amount_cents=sale_amount_cents)
        .execution_options(synchronize_session=False)
    )
    claim = db.session.scalar(
        select(CouponClaim).where(CouponClaim.code == code)
        .execution_options(populate_existing=True)
    )
    if redeemed.rowcount == 1:
        claim.discount_cents = discount_for(claim.offer, sale_amount_cents)
        db.session.flush()
        emit_for_listing("coupon.redeemed", listing_id=claim.listing_id,
                         retailer_id=store.retailer_id, store_id=store.id,
                         shopper_id=claim.shopper_id, offer_id=claim.offer_id,
                         offer=claim.offer.title, coupon=display_code(code),
                         sale_amount_cents=sale_amount_cents,
                         discount_cents=claim.discount_cents, currency=claim.offer.currency)
        return claim
    shown = display_code(code)
    if claim is None:
        raise InvalidInput(f"No coupon has the code {shown}. Check it and type it again.",
                           code="unknown_code", status_code=404)
    if claim.offer.retailer_id != store.retailer_id:
        raise InvalidInput(f"Coupon {shown} is not one of your coupons.",
                           code="wrong_retailer", status_code=403)
    if claim.redeemed_at is not None:
        where = claim.redeemed_store.code if claim.redeemed_store else "another store"
        raise InvalidInput(
            f"Coupon {shown} was already redeemed at {where} on "
            f"{claim.redeemed_at:%Y-%m-%d %H:%M} UTC.",
            code="already_redeemed", status_code=409,
        )
    if claim.expires_at <= now:
        raise InvalidInput(f"Coupon {shown} expired on {claim.expires_at:%Y-%m-%d %H:%M} UTC.",
                           code="expired", status_code=410)
    only = claim.offer.store.code if claim.offer.store else "another store"
    raise InvalidInput(f"Coupon {shown} is valid only at {only}.", code="not_valid_at_store")


def coupon_for_till(raw_code, user: User) -> CouponClaim:
    """Look a coupon up for the till (read only): it must belong to the user's retailer."""
    code = parse_coupon_code(raw_code)
    claim = db.session.scalar(select(CouponClaim).where(CouponClaim.code == code))
    if claim is None:
        raise InvalidInput(f"No coupon has the code {display_code(code)}.",
                           code="unknown_code", status_code=404)
    if claim.offer.retailer_id != user.retailer_id:
        raise InvalidInput(f"Coupon {display_code(code)} is not one of your coupons.",
                           code="wrong_retailer", status_code=403)
    return claim
