"""The till (/pos): type or scan a coupon code, see what it gives, enter the sale, redeem."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog.services import format_price
from qrshop.errors import InvalidInput
from qrshop.money import parse_money
from qrshop.offers import redemption
from qrshop.offers.coupons import display_code
from qrshop.offers.forms import RedeemForm
from qrshop.offers.models import CouponClaim
from qrshop.offers.services import coupon_status, describe_offer
from qrshop.offers.views import bp


def _redeem_form() -> RedeemForm:
    form = RedeemForm()
    stores = accounts.stores_of_retailer(current_user.retailer_id)
    if current_user.role == Role.ASSOCIATE:
        stores = [store for store in stores if store.id == current_user.store_id]
    form.store.choices = [(store.code, f"{store.code} · {store.name}") for store in stores]
    return form


def _details(claim: CouponClaim) -> dict:
    """What the till shows about a coupon."""
    offer = claim.offer
    return {
        "code": display_code(claim.code), "title": offer.title,
        "value": describe_offer(offer), "status": coupon_status(claim),
        "item": claim.listing.product.name if claim.listing else None,
        "valid_at": offer.store.code if offer.store else "all stores",
        "scope": offer.listing.product.name if offer.listing else "any item",
        "expires_at": claim.expires_at, "redeemed_at": claim.redeemed_at,
        "redeemed_store": claim.redeemed_store.code if claim.redeemed_store else None,
        "discount": format_price(claim.discount_cents, offer.currency)
        if claim.discount_cents is not None else None,
        "terms": offer.terms,
    }


@bp.route("/pos", methods=["GET", "POST"])
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos():
    """The till: type or scan a coupon code, see what it is for, enter the sale, redeem."""
    form = _redeem_form()
    status, looked_up, redeemed = 200, None, None
    raw_code = request.form.get("code") if request.method == "POST" else request.args.get("code")
    try:
        if request.method == "POST":
            if not form.validate_on_submit():
                raise InvalidInput("Fill in the code, the store and the sale amount.",
                                   status_code=400)
            redeemed = redemption.redeem_coupon(
                form.code.data, store_code=form.store.data, user=current_user,
                sale_amount_cents=parse_money(form.sale_amount.data, "Sale amount"),
            )
            flash(f"Coupon {display_code(redeemed.code)} redeemed: take "
                  f"{format_price(redeemed.discount_cents, redeemed.offer.currency)} off.",
                  "info")
            looked_up = redeemed
        elif raw_code:
            looked_up = redemption.coupon_for_till(raw_code, current_user)
            form.code.data = display_code(looked_up.code)
    except InvalidInput as error:
        flash(error.message, "error")
        status = error.status_code
        if request.method == "POST" and error.code in ("already_redeemed", "expired",
                                                       "not_valid_at_store"):
            looked_up = redemption.coupon_for_till(raw_code, current_user)
    if redeemed is not None:
        form.code.data, form.sale_amount.data = "", ""
    return render_template("pos/pos.html", form=form,
                           details=_details(looked_up) if looked_up is not None else None,
                           redeemed=redeemed is not None), status
