"""/api/v1/coupons/{code}: a till or service desk looks a coupon up by its code (associate or
merchandiser token), as the /pos page does: any coupon of the token's retailer; another
retailer's coupon is 404, as if it did not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import iso_utc
from qrshop.api.spec import ErrorBody, operation
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.offers import redemption, services
from qrshop.offers.api import bp
from qrshop.offers.coupons import display_code
from qrshop.offers.models import CouponClaim


class CouponOut(BaseModel):
    """A coupon as the till sees it; never the shopper who holds it."""

    model_config = ConfigDict(title="Coupon")

    code: str = Field(description="XXXX-XXXX.")
    status: Literal["claimed", "redeemed", "expired"] = Field(
        description="claimed (can be redeemed until expires_at), redeemed or expired.")
    offer_id: int
    offer: str = Field(description="The offer's title.")
    kind: str
    value: str = Field(description="What the coupon gives, as shoppers read it.")
    currency: str
    valid_at: Optional[str] = Field(description="The only store where it can be redeemed; "
                                    "null: every store of the retailer.")
    redeemable_here: Optional[bool] = Field(
        description="Associate tokens: whether it can be redeemed at the associate's store "
                    "now. null for merchandisers.")
    item: Optional[str] = Field(description="SKU the offer is limited to; null: any item.")
    terms: str
    claimed_at: datetime
    claimed_store: Optional[str]
    expires_at: datetime
    redeemed_at: Optional[datetime]
    redeemed_store: Optional[str]
    sale_amount_cents: Optional[int]
    discount_cents: Optional[int]


def coupon_json(claim: CouponClaim, user) -> dict:
    """The API shape of a coupon, for this user."""
    offer = claim.offer
    status = services.coupon_status(claim)
    here = None
    if user.role == Role.ASSOCIATE:
        here = status == "valid" and offer.store_id in (None, user.store_id)
    return {
        "code": display_code(claim.code),
        "status": "claimed" if status == "valid" else status,
        "offer_id": offer.id, "offer": offer.title, "kind": offer.kind,
        "value": services.describe_offer(offer), "currency": offer.currency,
        "valid_at": offer.store.code if offer.store else None, "redeemable_here": here,
        "item": offer.listing.sku if offer.listing else None, "terms": offer.terms,
        "claimed_at": iso_utc(claim.claimed_at),
        "claimed_store": claim.store.code if claim.store else None,
        "expires_at": iso_utc(claim.expires_at), "redeemed_at": iso_utc(claim.redeemed_at),
        "redeemed_store": claim.redeemed_store.code if claim.redeemed_store else None,
        "sale_amount_cents": claim.sale_amount_cents, "discount_cents": claim.discount_cents,
    }


@bp.get("/coupons/<code>")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="coupons:read")
@operation(summary="Look a coupon up by its code", tags=("coupons",),
           responses={200: (CouponOut, "The coupon."),
                      404: (ErrorBody, "unknown_code: none of your coupons has this code."),
                      422: (ErrorBody, "malformed_code: not what a coupon code looks like.")})
def get_coupon(code: str):
    """A coupon of the token's retailer by code (any case, dash optional)."""
    canonical = redemption.parse_coupon_code(code)
    claim = db.session.scalar(select(CouponClaim).where(CouponClaim.code == canonical))
    if claim is None or claim.offer.retailer_id != g.api_user.retailer_id:
        raise InvalidInput(f"None of your coupons has the code {display_code(canonical)}.",
                           code="unknown_code", status_code=404)
    return jsonify(coupon_json(claim, g.api_user))
