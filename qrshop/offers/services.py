"""Offers and claiming their coupons.

The invariants that must hold under any concurrency (DESIGN.md section 3) are each decided by
one conditional statement whose row count says what happened, never by read-then-write:
an offer's claimed_count is raised by `UPDATE ... WHERE <offer rule>` (which includes
`claimed_count < total_limit`), and a shopper's n-th claim of an offer is unique. Redemption
is in redemption.py; the landing page's offer in landing.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

from flask_babel import get_locale, gettext
from sqlalchemy import func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from qrshop.catalog import queries as catalog
from qrshop.catalog.services import CURRENCIES, format_price
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import DEFAULT_LOCALE, N_, format_money
from qrshop.offers.coupons import display_code, new_coupon_code, normalise_coupon_code
from qrshop.offers.eligibility import offer_rule
from qrshop.offers.models import CouponClaim, Offer, OfferKind
from qrshop.pagination import Page, paginate, search_condition
from qrshop.web import owned_or_404
from qrshop.webhooks.emit import emit_for_listing

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store, User
    from qrshop.catalog.models import Listing


def describe_offer(offer: Offer) -> str:
    """What a coupon of this offer gives, as a shopper reads it."""
    if offer.kind == OfferKind.PERCENT:
        return f"{offer.percent_off}% off"
    if offer.kind == OfferKind.AMOUNT:
        return f"{format_price(offer.amount_off_cents, offer.currency)} off"
    return offer.perk_text or ""


def describe_offer_for_shopper(offer: Offer) -> str:
    """describe_offer in the shopper's language, the amount in their locale's format."""
    if offer.kind == OfferKind.PERCENT:
        return gettext("%(percent)s%% off", percent=offer.percent_off)
    if offer.kind == OfferKind.AMOUNT:
        return gettext("%(amount)s off", amount=format_money(
            offer.amount_off_cents, offer.currency, str(get_locale() or DEFAULT_LOCALE)))
    return offer.perk_text or ""


def create_offer(
    retailer: Retailer,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    percent_off: Optional[int] = None,
    amount_off_cents: Optional[int] = None,
    perk_text: Optional[str] = None,
    currency: str = "USD",
    listing: Optional[Listing] = None,
    store: Optional[Store] = None,
    total_limit: Optional[int] = None,
    per_shopper_limit: int = 1,
    coupon_valid_days: int = 7,
    terms: str = "",
    created_by: Optional[User] = None,
) -> Offer:
    """Create an offer after checking every value; raise InvalidInput saying what to fix."""
    values = checked_offer_values(
        retailer, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at,
        percent_off=percent_off, amount_off_cents=amount_off_cents, perk_text=perk_text,
        currency=currency, listing=listing, store=store, total_limit=total_limit,
        per_shopper_limit=per_shopper_limit, coupon_valid_days=coupon_valid_days, terms=terms)
    offer = Offer(retailer=retailer, claimed_count=0,
                  created_by_id=created_by.id if created_by is not None else None, **values)
    db.session.add(offer)
    db.session.flush()
    return offer


def checked_offer_values(retailer: Retailer, *, title, kind, starts_at: datetime,
                         ends_at: datetime, percent_off, amount_off_cents, perk_text, currency,
                         listing: Optional[Listing], store: Optional[Store], total_limit,
                         per_shopper_limit, coupon_valid_days, terms) -> dict:
    """An offer's column values after every check (create and change share them); raise
    InvalidInput saying what to fix."""
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise InvalidInput("Give the offer a title of 1 to 120 characters.")
    try:
        kind = OfferKind(kind)
    except ValueError:
        raise InvalidInput("Offer type must be percent, amount or perk.") from None
    values: dict = {"percent_off": None, "amount_off_cents": None, "perk_text": None}
    if kind is OfferKind.PERCENT:
        if not isinstance(percent_off, int) or not 1 <= percent_off <= 100:
            raise InvalidInput("Percent off must be a whole number from 1 to 100.")
        values["percent_off"] = percent_off
    elif kind is OfferKind.AMOUNT:
        if not isinstance(amount_off_cents, int) or amount_off_cents <= 0:
            raise InvalidInput("Amount off must be more than zero.")
        values["amount_off_cents"] = amount_off_cents
    else:
        perk_text = (perk_text or "").strip()
        if not perk_text or len(perk_text) > 200:
            raise InvalidInput("Describe the perk in 1 to 200 characters.")
        values["perk_text"] = perk_text
    if listing is not None and listing.retailer_id != retailer.id:
        raise InvalidInput("That item is not carried by this retailer.")
    if store is not None and store.retailer_id != retailer.id:
        raise InvalidInput("That store belongs to another retailer.")
    currency = listing.currency if listing is not None else (currency or "").upper()
    if currency not in CURRENCIES:
        raise InvalidInput(f"Unsupported currency {currency!r}.")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("Start and end need a time zone.")
    if ends_at <= starts_at:
        raise InvalidInput("The offer must end after it starts.")
    if total_limit is not None and (not isinstance(total_limit, int) or total_limit < 1):
        raise InvalidInput("Total claim limit must be at least 1 (or empty for no limit).")
    if not isinstance(per_shopper_limit, int) or not 1 <= per_shopper_limit <= 100:
        raise InvalidInput("Claims per shopper must be from 1 to 100.")
    if not isinstance(coupon_valid_days, int) or not 1 <= coupon_valid_days <= 365:
        raise InvalidInput("Coupons must stay valid from 1 to 365 days.")
    return dict(values, listing=listing, store=store, title=title, kind=kind.value,
                currency=currency, terms=(terms or "").strip()[:2000], starts_at=starts_at,
                ends_at=ends_at, total_limit=total_limit, per_shopper_limit=per_shopper_limit,
                coupon_valid_days=coupon_valid_days)


def end_offer(retailer_id: int, offer_id: int) -> Offer:
    """Stop an offer now: no more claims (coupons already issued stay valid until they expire)."""
    offer = owned_or_404(Offer, offer_id, "No such offer.", retailer_id=retailer_id)
    now = utcnow()
    if offer.starts_at >= now:
        # Never started: it must not become claimable for a moment at its start time.
        offer.starts_at = now - timedelta(seconds=1)
    if offer.ends_at > now:
        offer.ends_at = now
    db.session.flush()
    return offer


# What may change once coupons were issued: nothing that changes what a coupon gives or where.
CHANGEABLE_AFTER_CLAIMS = frozenset({"title", "terms", "ends_at", "total_limit",
                                     "per_shopper_limit", "coupon_valid_days"})


def change_offer(retailer: Retailer, offer_id: int, changes: dict) -> Offer:
    """Change some of an offer's values (the keys of checked_offer_values) under the same
    checks as a new offer. An ended offer is final (409 offer_ended); once coupons were
    issued only CHANGEABLE_AFTER_CLAIMS may change (409 offer_claimed); the total limit never
    goes below the coupons issued, decided by one conditional UPDATE."""
    offer = owned_or_404(Offer, offer_id, "No such offer.", retailer_id=retailer.id)
    if offer.ends_at <= utcnow():
        raise InvalidInput("This offer has ended and can no longer change; create a new one.",
                           code="offer_ended", status_code=409)
    locked = sorted(set(changes) - CHANGEABLE_AFTER_CLAIMS)
    if offer.claimed_count and locked:
        raise InvalidInput(f"{locked[0]}: coupons of this offer were issued, so what they give "
                           "and where cannot change; end it and create a new offer.",
                           code="offer_claimed", status_code=409)
    current = {name: getattr(offer, name) for name in (
        "title", "kind", "starts_at", "ends_at", "percent_off", "amount_off_cents", "perk_text",
        "currency", "listing", "store", "total_limit", "per_shopper_limit",
        "coupon_valid_days", "terms")}
    values = checked_offer_values(retailer, **{**current, **changes})
    limit = values.pop("total_limit")
    for name, value in values.items():
        setattr(offer, name, value)
    db.session.flush()
    if limit != offer.total_limit:
        within = Offer.claimed_count <= limit if limit is not None else true()
        changed = db.session.execute(
            update(Offer).where(Offer.id == offer.id, within).values(total_limit=limit)
            .execution_options(synchronize_session=False)).rowcount
        db.session.refresh(offer)
        if changed != 1:
            raise InvalidInput(f"total_limit: {offer.claimed_count} coupons were already "
                               "issued; the limit cannot be lower.")
    return offer


def offers_page(retailer_id: int, *, page: int = 1, query: str = "") -> Page:
    """One page of a retailer's offers, newest first; query matches the offer's title, its
    item's name or SKU."""
    statement = (
        select(Offer)
        .where(Offer.retailer_id == retailer_id)
        .order_by(Offer.id.desc())
        .options(catalog.load_listings_with_products(Offer.listing),
                 selectinload(Offer.store))
    )
    if query:
        statement = statement.where(or_(
            search_condition(query, Offer.title),
            Offer.listing_id.in_(catalog.listing_ids_matching(retailer_id, query)),
        ))
    return paginate(statement, page, query=query)


def claim_coupon(
    offer_id: int, *, shopper_id: str, retailer_id: int, listing_id: int, store_id: int
) -> CouponClaim:
    """Issue the shopper a coupon of an offer shown on this listing's page in this store.

    Raises InvalidInput: 404 offer_unavailable, 409 already_claimed, 410 offer_ended or
    offer_exhausted. The offer's count is raised by one conditional UPDATE on the offer rule
    (never past the limit); the per-shopper limit is the unique (offer, shopper, claim_number).
    """
    now = utcnow()
    rule = offer_rule(Offer, retailer_id=retailer_id, listing_id=listing_id,
                      store_id=store_id, now=now)
    found = db.session.execute(
        select(Offer, rule.started.label("started"), rule.not_ended.label("not_ended"))
        .where(Offer.id == offer_id, rule.in_scope)
    ).first()
    if found is None:
        raise InvalidInput(N_("This offer is not available for this item."),
                           code="offer_unavailable", status_code=404)
    offer, started, not_ended = found
    if not started:
        raise InvalidInput(N_("This offer has not started yet."), code="offer_not_started",
                           status_code=409)
    if not not_ended:
        raise InvalidInput(N_("Sorry, this offer has ended."), code="offer_ended", status_code=410)
    taken = db.session.scalar(
        select(func.count()).where(CouponClaim.offer_id == offer.id,
                                   CouponClaim.shopper_id == shopper_id)
    )
    if taken >= offer.per_shopper_limit:
        raise InvalidInput(N_("You already have this coupon."), code="already_claimed",
                           status_code=409)
    counted = db.session.execute(
        update(Offer)
        .where(Offer.id == offer.id, rule.claimable)
        .values(claimed_count=Offer.claimed_count + 1)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount != 1:
        raise InvalidInput(N_("Sorry, every coupon of this offer has been claimed."),
                           code="offer_exhausted", status_code=410)
    claim = CouponClaim(
        code=new_coupon_code(), offer_id=offer.id, shopper_id=shopper_id,
        claim_number=taken + 1, listing_id=listing_id, store_id=store_id, claimed_at=now,
        expires_at=min(now + timedelta(days=offer.coupon_valid_days), offer.ends_at),
    )
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        # The same shopper claimed at the same moment in another request (or, once in a
        # trillion, the random code was taken): undo the count with everything else.
        db.session.rollback()
        raise InvalidInput(N_("You already have this coupon."), code="already_claimed",
                           status_code=409) from None
    emit_for_listing("coupon.claimed", listing_id=listing_id, store_id=store_id,
                     shopper_id=shopper_id, offer_id=offer.id, offer=offer.title,
                     coupon=display_code(claim.code), expires_at=claim.expires_at)
    return claim


def shoppers_coupon(code: str, shopper_ids: set[str]) -> Optional[CouponClaim]:
    """A coupon by code, only if it belongs to one of these shoppers (the caller's cookies)."""
    canonical = normalise_coupon_code(code)
    if canonical is None or not shopper_ids:
        return None
    return db.session.scalar(
        select(CouponClaim).where(CouponClaim.code == canonical,
                                  CouponClaim.shopper_id.in_(shopper_ids))
    )


def coupon_status(claim: CouponClaim, now: Optional[datetime] = None) -> str:
    """'redeemed', 'expired' or 'valid'."""
    if claim.redeemed_at is not None:
        return "redeemed"
    if claim.expires_at <= (now or utcnow()):
        return "expired"
    return "valid"


def coupons_of(shopper_ids: list[str], retailer_ids: set[int]) -> dict[int, list[dict]]:
    """{retailer_id: the coupons of these shoppers at that retailer, newest first}, as the
    wish list shows them."""
    now, result = utcnow(), {}
    claims = db.session.scalars(
        select(CouponClaim).where(CouponClaim.shopper_id.in_(shopper_ids))
        .order_by(CouponClaim.claimed_at.desc(), CouponClaim.id.desc())
    ).all()
    for claim in claims:
        if claim.offer.retailer_id in retailer_ids:
            result.setdefault(claim.offer.retailer_id, []).append({
                "code": display_code(claim.code), "title": claim.offer.title,
                "value": describe_offer_for_shopper(claim.offer),
                "expires_at": claim.expires_at, "status": coupon_status(claim, now),
                "timezone": (claim.store or claim.offer.store).timezone
                if (claim.store or claim.offer.store) else None,
            })
    return result


def listings_with_live_offer(retailer_id: int, store_id: int, listing_ids: list[int],
                             now: Optional[datetime] = None) -> set[int]:
    """Which of these listings have an offer claimable right now in this store (a printed
    tag says "offers" only then). One query; a retailer-wide offer counts for every one."""
    if not listing_ids:
        return set()
    rows = db.session.execute(select(Offer.listing_id).where(offer_rule(
        Offer, retailer_id=retailer_id, listing_id=Offer.listing_id, store_id=store_id,
        now=now or utcnow()).claimable, or_(Offer.listing_id.is_(None),
                                            Offer.listing_id.in_(listing_ids)))).all()
    found = {listing_id for (listing_id,) in rows}
    return set(listing_ids) if None in found else found & set(listing_ids)
