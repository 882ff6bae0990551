"""Engagement rules: offers, claiming and redeeming coupons, wish lists, feedback.

The invariants that must hold under any concurrency (DESIGN.md section 3) are each decided by
one conditional statement whose row count says what happened, never by read-then-write:
an offer's claimed_count is raised by `UPDATE ... WHERE claimed_count < total_limit`, a coupon
is redeemed by `UPDATE ... WHERE redeemed_at IS NULL AND expires_at > now`, and a shopper's
n-th claim of an offer is unique. The write comes first in its transaction, so on SQLite no
reader ever has to upgrade its lock (which busy_timeout cannot wait out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, bindparam, case, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from qrshop.accounts.models import Retailer, Role, Store, User
from qrshop.catalog.models import Listing, Product
from qrshop.catalog.services import CURRENCIES, format_price
from qrshop.db import DriverConnection, DriverStatement, UTCDateTime, utcnow
from qrshop.engagement.coupons import display_code, new_coupon_code, normalise_coupon_code
from qrshop.engagement.models import CouponClaim, Feedback, Offer, OfferKind, WishlistItem
from qrshop.errors import InvalidInput
from qrshop.extensions import db, insert_ignoring_duplicates, session_driver
from qrshop.shopper.models import Shopper
from qrshop.tags.models import Tag

MAX_SALE_CENTS = 100_000_000  # $1,000,000: more is a typo at a till
MAX_COMMENT_LENGTH = 1000


# --- offers ---------------------------------------------------------------------------------


def describe_offer(offer: Offer) -> str:
    """What a coupon of this offer gives, as a shopper reads it."""
    if offer.kind == OfferKind.PERCENT:
        return f"{offer.percent_off}% off"
    if offer.kind == OfferKind.AMOUNT:
        return f"{format_price(offer.amount_off_cents, offer.currency)} off"
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
    offer = Offer(
        retailer=retailer, listing=listing, store=store, title=title, kind=kind.value,
        currency=currency, terms=(terms or "").strip()[:2000], starts_at=starts_at,
        ends_at=ends_at, total_limit=total_limit, claimed_count=0,
        per_shopper_limit=per_shopper_limit, coupon_valid_days=coupon_valid_days,
        created_by_id=created_by.id if created_by is not None else None, **values,
    )
    db.session.add(offer)
    db.session.flush()
    return offer


def end_offer(retailer_id: int, offer_id: int) -> Offer:
    """Stop an offer now: no more claims (coupons already issued stay valid until they expire)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.retailer_id != retailer_id:
        raise InvalidInput("No such offer.", code="not_found", status_code=404)
    now = utcnow()
    if offer.starts_at >= now:
        # Never started: it must not become claimable for a moment at its start time.
        offer.starts_at = now - timedelta(seconds=1)
    if offer.ends_at > now:
        offer.ends_at = now
    db.session.flush()
    return offer


def offers_of(retailer_id: int) -> list[Offer]:
    """A retailer's offers, newest first."""
    return list(db.session.scalars(
        select(Offer).where(Offer.retailer_id == retailer_id).order_by(Offer.id.desc())
    ))


def _eligible(offer, *, retailer_id: int, listing_id: int, store_id: int, now: datetime):
    """SQL condition: this offer can be claimed right now on this listing's page in this store."""
    return and_(
        offer.retailer_id == retailer_id,
        or_(offer.listing_id.is_(None), offer.listing_id == listing_id),
        or_(offer.store_id.is_(None), offer.store_id == store_id),
        offer.starts_at <= now,
        offer.ends_at > now,
        or_(offer.total_limit.is_(None), offer.claimed_count < offer.total_limit),
    )


@dataclass(frozen=True)
class OfferTeaser:
    """The few fields of an offer a landing page shows."""

    id: int
    title: str
    per_shopper_limit: int


@dataclass(frozen=True)
class LandingEngagement:
    """What the engagement block of a landing page shows, read in one query."""

    is_saved: bool
    offer: Optional[OfferTeaser]
    # The shopper's live coupon of that offer, and how many they have claimed of it.
    my_coupon_code: Optional[str]
    my_claims: int

    @property
    def can_claim(self) -> bool:
        """True when the shopper may claim (another) coupon of the offer."""
        return self.offer is not None and self.my_claims < self.offer.per_shopper_limit


def _landing_engagement_statement(with_shopper: bool):
    """Built once: the scan path only binds values (statement building costs more than SQL).

    The best offer is the most specific one (this item before every item, this store before
    every store), then the one ending soonest.
    """
    offers, claims, saved = Offer.__table__, CouponClaim.__table__, WishlistItem.__table__
    candidate = offers.alias("candidate")
    now = bindparam("now", type_=UTCDateTime())
    best_offer_id = (
        select(candidate.c.id)
        .where(
            candidate.c.retailer_id == bindparam("retailer_id"),
            or_(candidate.c.listing_id.is_(None),
                candidate.c.listing_id == bindparam("listing_id")),
            or_(candidate.c.store_id.is_(None), candidate.c.store_id == bindparam("store_id")),
            candidate.c.starts_at <= now,
            candidate.c.ends_at > now,
            or_(candidate.c.total_limit.is_(None),
                candidate.c.claimed_count < candidate.c.total_limit),
        )
        .order_by(case((candidate.c.listing_id.is_(None), 1), else_=0),
                  case((candidate.c.store_id.is_(None), 1), else_=0),
                  candidate.c.ends_at, candidate.c.id)
        .limit(1)
        .scalar_subquery()
    )
    if with_shopper:
        shopper = bindparam("shopper_id")
        is_saved = exists().where(saved.c.shopper_id == shopper,
                                  saved.c.listing_id == bindparam("listing_id"),
                                  saved.c.removed_at.is_(None))
        mine = and_(claims.c.offer_id == offers.c.id, claims.c.shopper_id == shopper)
        my_code = (
            select(claims.c.code)
            .where(mine, claims.c.redeemed_at.is_(None), claims.c.expires_at > now)
            .order_by(claims.c.claimed_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        my_claims = select(func.count()).where(mine).scalar_subquery()
    else:
        is_saved, my_code, my_claims = literal(False), literal(None), literal(0)
    one_row = select(literal(1).label("one")).subquery()
    return (
        select(is_saved.label("is_saved"), offers.c.id, offers.c.title,
               offers.c.per_shopper_limit, my_code.label("my_code"),
               my_claims.label("my_claims"))
        .select_from(one_row)
        .outerjoin(offers, offers.c.id == best_offer_id)
    )


_ENGAGEMENT_FOR_SHOPPER = DriverStatement(_landing_engagement_statement(with_shopper=True))
_ENGAGEMENT_ANONYMOUS = DriverStatement(_landing_engagement_statement(with_shopper=False))


def landing_engagement(page, shopper_id: Optional[str],
                       driver: Optional[DriverConnection] = None, *,
                       now: Optional[datetime] = None) -> LandingEngagement:
    """The best offer for a landing page and the shopper's wish-list and coupon state.

    ONE query on the scan path.
    """
    params = {"retailer_id": page.retailer_id, "listing_id": page.listing_id,
              "store_id": page.store_id, "now": now or utcnow()}
    if shopper_id is None:
        statement = _ENGAGEMENT_ANONYMOUS
    else:
        statement, params["shopper_id"] = _ENGAGEMENT_FOR_SHOPPER, shopper_id
    is_saved, offer_id, title, per_shopper, my_code, my_claims = (
        statement.execute(driver or session_driver(), params).fetchone())
    offer = OfferTeaser(offer_id, title, per_shopper) if offer_id is not None else None
    return LandingEngagement(bool(is_saved), offer, my_code, int(my_claims or 0))


def _next_offer_change_statement():
    """Built once: when the next offer that could show on a page starts or ends."""
    offers = Offer.__table__
    now = bindparam("now", type_=UTCDateTime())
    change = case((offers.c.starts_at > now, offers.c.starts_at), else_=offers.c.ends_at)
    return select(func.min(change).label("next_change")).where(
        offers.c.retailer_id == bindparam("retailer_id"),
        or_(offers.c.listing_id.is_(None), offers.c.listing_id == bindparam("listing_id")),
        or_(offers.c.store_id.is_(None), offers.c.store_id == bindparam("store_id")),
        offers.c.ends_at > now,
    )


_NEXT_OFFER_CHANGE = DriverStatement(_next_offer_change_statement())


def anonymous_engagement(page, driver: DriverConnection
                         ) -> tuple[LandingEngagement, Optional[datetime]]:
    """The engagement block a shopper without a cookie sees, and until when it holds.

    Besides the offers' rows (which raise the landing data version when they change), it
    depends on the time: it holds until the next of those offers starts or ends (None: for
    ever). Read the change time first, so it is never later than the block's own snapshot.
    """
    values = {"retailer_id": page.retailer_id, "listing_id": page.listing_id,
              "store_id": page.store_id, "now": utcnow()}
    (next_change,) = _NEXT_OFFER_CHANGE.one(driver, values)
    return landing_engagement(page, None, driver, now=values["now"]), next_change


# --- claiming -------------------------------------------------------------------------------


def claim_coupon(
    offer_id: int, *, shopper_id: str, retailer_id: int, listing_id: int, store_id: int
) -> CouponClaim:
    """Issue the shopper a coupon of an offer shown on this listing's page in this store.

    Raises InvalidInput: 404 offer_unavailable, 409 already_claimed, 410 offer_ended or
    offer_exhausted. The offer's count is raised by one conditional UPDATE (never past the
    limit); the per-shopper limit is the unique (offer, shopper, claim_number).
    """
    now = utcnow()
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.retailer_id != retailer_id \
            or offer.listing_id not in (None, listing_id) \
            or offer.store_id not in (None, store_id):
        raise InvalidInput("This offer is not available for this item.",
                           code="offer_unavailable", status_code=404)
    if offer.starts_at > now:
        raise InvalidInput("This offer has not started yet.", code="offer_not_started",
                           status_code=409)
    if offer.ends_at <= now:
        raise InvalidInput("Sorry, this offer has ended.", code="offer_ended", status_code=410)
    taken = db.session.scalar(
        select(func.count()).where(CouponClaim.offer_id == offer.id,
                                   CouponClaim.shopper_id == shopper_id)
    )
    if taken >= offer.per_shopper_limit:
        raise InvalidInput("You already have this coupon.", code="already_claimed",
                           status_code=409)
    counted = db.session.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.starts_at <= now, Offer.ends_at > now,
               or_(Offer.total_limit.is_(None), Offer.claimed_count < Offer.total_limit))
        .values(claimed_count=Offer.claimed_count + 1)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount != 1:
        raise InvalidInput("Sorry, every coupon of this offer has been claimed.",
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
        raise InvalidInput("You already have this coupon.", code="already_claimed",
                           status_code=409) from None
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


# --- redemption -----------------------------------------------------------------------------


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
        store = db.session.scalar(
            select(Store).where(Store.retailer_id == user.retailer_id,
                                Store.code == store_code.strip().upper())
        )
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


# --- wish list ------------------------------------------------------------------------------


def save_to_wishlist(*, shopper_id: str, listing_id: int, store_id: int, tag_id: int) -> None:
    """Save a listing to the shopper's wish list (saving twice keeps one entry)."""
    insert_ignoring_duplicates(
        WishlistItem,
        {"shopper_id": shopper_id, "listing_id": listing_id, "store_id": store_id,
         "tag_id": tag_id, "created_at": utcnow()},
        ["shopper_id", "listing_id"],
    )
    db.session.execute(
        update(WishlistItem)
        .where(WishlistItem.shopper_id == shopper_id, WishlistItem.listing_id == listing_id,
               WishlistItem.removed_at.is_not(None))
        .values(removed_at=None)
    )


def remove_from_wishlist(*, shopper_id: str, listing_id: int) -> None:
    """Remove a listing from the shopper's wish list (only theirs)."""
    item = db.session.scalar(
        select(WishlistItem).where(WishlistItem.shopper_id == shopper_id,
                                   WishlistItem.listing_id == listing_id)
    )
    if item is not None and item.removed_at is None:
        item.removed_at = utcnow()
        db.session.flush()


@dataclass
class RetailerWishlist:
    """One retailer's part of a shopper's /wishlist page."""

    retailer_name: str
    items: list = None
    coupons: list = None
    retailer_id: Optional[int] = None


def linked_shoppers(shopper_ids: dict[int, str]) -> list[str]:
    """These shoppers and every shopper of the same retailer with the same verified email."""
    if not shopper_ids:
        return []
    verified = (
        select(Shopper.retailer_id, Shopper.email)
        .where(Shopper.id.in_(list(shopper_ids.values())), Shopper.email.is_not(None),
               Shopper.email_verified_at.is_not(None))
        .subquery()
    )
    same_email = db.session.scalars(
        select(Shopper.id)
        .join(verified, and_(Shopper.retailer_id == verified.c.retailer_id,
                             Shopper.email == verified.c.email))
        .where(Shopper.email_verified_at.is_not(None))
    ).all()
    return sorted(set(shopper_ids.values()) | set(same_email))


def wishlists(shopper_ids: dict[int, str]) -> list[RetailerWishlist]:
    """The saved items and coupons of the caller's shoppers ({retailer_id: shopper_id}),
    including those saved on the caller's other devices (same verified email)."""
    if not shopper_ids:
        return []
    ids = linked_shoppers(shopper_ids)
    names = dict(db.session.execute(
        select(Retailer.id, Retailer.name).where(Retailer.id.in_(list(shopper_ids)))
    ).all())
    pages = {rid: RetailerWishlist(names[rid], [], [], rid) for rid in sorted(names)}
    seen = set()
    rows = db.session.execute(
        select(WishlistItem.listing_id, WishlistItem.created_at, Listing.retailer_id,
               Listing.price_cents,
               Listing.currency, Product.name, Product.brand, Store.name, Tag.code)
        .join(Listing, Listing.id == WishlistItem.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .outerjoin(Store, Store.id == WishlistItem.store_id)
        .outerjoin(Tag, Tag.id == WishlistItem.tag_id)
        .where(WishlistItem.shopper_id.in_(ids), WishlistItem.removed_at.is_(None))
        .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
    ).all()
    for listing_id, saved_at, retailer_id, cents, currency, name, brand, store_name, tag_code \
            in rows:
        if retailer_id in pages and listing_id not in seen:
            seen.add(listing_id)  # saved on two devices: listed once, the latest save
            pages[retailer_id].items.append({
                "name": name, "brand": brand, "price": format_price(cents, currency),
                "store": store_name, "tag_code": tag_code, "saved_at": saved_at,
            })
    now = utcnow()
    claims = db.session.scalars(
        select(CouponClaim).where(CouponClaim.shopper_id.in_(ids))
        .order_by(CouponClaim.claimed_at.desc(), CouponClaim.id.desc())
    ).all()
    for claim in claims:
        if claim.offer.retailer_id in pages:
            pages[claim.offer.retailer_id].coupons.append({
                "code": display_code(claim.code), "title": claim.offer.title,
                "value": describe_offer(claim.offer), "expires_at": claim.expires_at,
                "status": coupon_status(claim, now),
            })
    return [page for page in pages.values() if page.items or page.coupons]


# --- feedback -------------------------------------------------------------------------------


def leave_feedback(
    *, shopper_id: str, listing_id: int, store_id: int, rating=None, is_helpful=None,
    comment: str = "",
) -> Feedback:
    """Record (or replace) a shopper's feedback on a listing."""
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise InvalidInput("Choose from 1 to 5 stars.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"Keep the comment under {MAX_COMMENT_LENGTH} characters.")
    if rating is None and is_helpful is None and not comment:
        raise InvalidInput("Choose stars, answer the question or write a comment.")
    insert_ignoring_duplicates(
        Feedback,
        {"shopper_id": shopper_id, "listing_id": listing_id, "store_id": store_id,
         "comment": "", "created_at": utcnow(), "updated_at": utcnow()},
        ["shopper_id", "listing_id"],
    )
    feedback = db.session.scalar(
        select(Feedback).where(Feedback.shopper_id == shopper_id,
                               Feedback.listing_id == listing_id)
    )
    if rating is not None:
        feedback.rating = rating
    if is_helpful is not None:
        feedback.is_helpful = is_helpful
    if comment:
        feedback.comment = comment
    feedback.store_id = store_id
    db.session.flush()
    return feedback


@dataclass(frozen=True)
class ListingFeedback:
    """Feedback on one listing, summed up for the console."""

    listing_id: int
    product: str
    sku: str
    ratings: int
    average_rating: Optional[float]
    helpful: int
    not_helpful: int
    comments: list


def feedback_by_listing(retailer_id: int, *, comments_per_listing: int = 5) -> list:
    """Per listing of a retailer that has feedback: stars, helpfulness and latest comments."""
    rows = db.session.execute(
        select(Listing.id, Product.name, Listing.sku, func.count(Feedback.rating),
               func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(Listing, Listing.id == Feedback.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == retailer_id)
        .group_by(Listing.id, Product.name, Listing.sku)
        .order_by(Product.name)
    ).all()
    result = []
    for listing_id, product, sku, ratings, average, helpful, not_helpful in rows:
        comments = db.session.execute(
            select(Feedback.comment, Feedback.rating, Feedback.updated_at)
            .where(Feedback.listing_id == listing_id, Feedback.comment != "")
            .order_by(Feedback.updated_at.desc())
            .limit(comments_per_listing)
        ).all()
        result.append(ListingFeedback(
            listing_id, product, sku, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful), [tuple(c) for c in comments],
        ))
    return result


@dataclass(frozen=True)
class ProductFeedback:
    """Feedback on one product at one retailer, summed up for its vendor."""

    product: str
    gtin: str
    retailer: str
    ratings: int
    average_rating: Optional[float]
    helpful: int
    not_helpful: int
    comments: list


def feedback_for_vendor(vendor_id: int, *, comments_per_row: int = 5) -> list:
    """Per product of a vendor and retailer carrying it: stars, helpfulness, latest comments.

    Only aggregates and comment text: never which shopper or store said it.
    """
    rows = db.session.execute(
        select(Listing.id, Product.name, Product.gtin, Retailer.name, func.count(Feedback.rating),
               func.avg(Feedback.rating),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Feedback.is_helpful.is_(False), 1), else_=0)), 0))
        .join(Listing, Listing.id == Feedback.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .join(Retailer, Retailer.id == Listing.retailer_id)
        .where(Product.vendor_id == vendor_id)
        .group_by(Listing.id, Product.name, Product.gtin, Retailer.name)
        .order_by(Product.name, Retailer.name)
    ).all()
    result = []
    for listing_id, product, gtin, retailer, ratings, average, helpful, not_helpful in rows:
        comments = db.session.execute(
            select(Feedback.comment, Feedback.rating)
            .where(Feedback.listing_id == listing_id, Feedback.comment != "")
            .order_by(Feedback.updated_at.desc())
            .limit(comments_per_row)
        ).all()
        result.append(ProductFeedback(
            product, gtin, retailer, ratings,
            round(float(average), 1) if average is not None else None,
            int(helpful), int(not_helpful), [tuple(c) for c in comments],
        ))
    return result


def parse_money(text: Optional[str], what: str = "Amount") -> int:
    """Cents from what a person types at a till or in a form: 49.99, $1,049, 12.5."""
    cleaned = (text or "").strip().lstrip("$€£").replace(",", "").strip()
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and fraction.isdigit()) \
            or (fraction and (not fraction.isdigit() or len(fraction) > 2)) \
            or not whole.isascii() or not fraction.isascii():
        raise InvalidInput(f"{what} must be a number like 49.99.", code="invalid_amount")
    return int(whole or 0) * 100 + int(fraction.ljust(2, "0") or 0)
