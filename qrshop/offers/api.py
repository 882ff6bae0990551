"""/api/v1/redemptions: till integrations redeem coupons with a retailer or associate token."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.spec import ErrorBody, operation
from qrshop.offers import redemption, services
from qrshop.offers.coupons import display_code
from qrshop.offers.redemption import MAX_SALE_CENTS

bp = Blueprint("offers_api", __name__, url_prefix="/api/v1")


class RedemptionRequest(BaseModel):
    """A coupon presented at a till."""

    model_config = ConfigDict(title="RedemptionRequest", extra="forbid")

    # Codes are checked by the service, which says what a code looks like (malformed_code).
    code: str = Field(max_length=64, description="Coupon code, e.g. ABCD-EFGH: 8 of "
                      "23456789ABCDEFGHJKLMNPQRSTUVWXYZ, any case, dash optional.")
    store: str = Field(max_length=32, description="Store code, e.g. ATL01.")
    sale_amount_cents: StrictInt = Field(ge=0, le=MAX_SALE_CENTS,
                                         description="The sale before the discount, in cents.")


class Redemption(BaseModel):
    """A redeemed coupon and the discount to give."""

    model_config = ConfigDict(title="Redemption")

    code: str
    store: str
    offer: str
    value: str
    sale_amount_cents: int
    discount_cents: int
    currency: str
    redeemed_at: datetime


@bp.post("/redemptions")
@api_roles_required(Role.MERCHANDISER, Role.ASSOCIATE, scope="redemptions:write")
@operation(
    summary="Redeem a coupon at a store", tags=("coupons",), body=RedemptionRequest,
    responses={
        201: (Redemption, "Redeemed: give the discount."),
        403: (ErrorBody, "wrong_retailer (not your coupon), wrong_store (an associate's "
                         "other store), or a token that may not redeem."),
        404: (ErrorBody, "unknown_code: no coupon has this code."),
        409: (ErrorBody, "already_redeemed: the coupon was used before."),
        410: (ErrorBody, "expired: the coupon has expired."),
        422: (ErrorBody, "malformed_code, invalid_amount, unknown_store or "
                         "not_valid_at_store."),
    },
)
def redeem(body: RedemptionRequest):
    """Redeem a coupon; a code is redeemed at most once, however many tills try at once."""
    claim = redemption.redeem_coupon(body.code, store_code=body.store,
                                   sale_amount_cents=body.sale_amount_cents, user=g.api_user)
    return jsonify(
        code=display_code(claim.code), store=claim.redeemed_store.code,
        offer=claim.offer.title, value=services.describe_offer(claim.offer),
        sale_amount_cents=claim.sale_amount_cents, discount_cents=claim.discount_cents,
        currency=claim.offer.currency, redeemed_at=claim.redeemed_at.isoformat(),
    ), 201


# The offers and coupons resources add their routes to bp when imported.
from qrshop.offers import api_coupons, api_offers  # noqa: E402, F401
