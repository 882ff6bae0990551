"""Shopper pages of offers: "Get coupon" on a landing page, and the coupon page itself."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext

from qrshop.errors import InvalidInput
from qrshop.extensions import csrf
from qrshop.i18n import N_
from qrshop.offers import services
from qrshop.offers.coupons import barcode_svg, display_code
from qrshop.offers.views import bp
from qrshop.parsing import row_id
from qrshop.shopper import identity
from qrshop.shopper.actions import (
    brand_of,
    check_landing_form,
    landing_page_or_404,
    limit_shopper_action,
    no_store,
    refused_on_landing,
)
from qrshop.wishlist.services import linked_shoppers


@bp.post("/t/<code>/coupon")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
@limit_shopper_action("20 per hour", "200 per hour",
                      N_("Too many coupon requests from this phone; try again later."),
                      shown_by="coupon")
def claim(code: str):
    """Claim a coupon of the offer shown on the landing page, then show it."""
    page = landing_page_or_404(code)
    try:
        check_landing_form(page)
        if page.is_retired:
            raise InvalidInput(N_("This tag is no longer in use; ask an associate for help."),
                               code="retired_tag", status_code=410)
        offer_id = row_id(request.form.get("offer"))
        if offer_id is None:
            raise InvalidInput(N_("Choose an offer from the page."), code="no_offer",
                               status_code=400)
        shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
        coupon = services.claim_coupon(
            offer_id, shopper_id=shopper_id, retailer_id=page.retailer_id,
            listing_id=page.listing_id, store_id=page.store_id,
        )
    except InvalidInput as error:
        # The 4xx rolls back the shopper row too, so no cookie is set for it.
        return refused_on_landing(page, error, field="coupon")
    response = redirect(url_for(".coupon", code=display_code(coupon.code)), code=303)
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return no_store(response)


@bp.get("/coupon/<code>")
def coupon(code: str):
    """The coupon, big on the phone: code and barcode for the till. Only its shopper sees it."""
    shoppers = identity.cookie_shoppers()
    claim = services.shoppers_coupon(code, set(linked_shoppers(shoppers)))
    if claim is None:
        abort(404, description=gettext("This coupon is not on this phone. Open it from the "
                                       "phone that claimed it, or see your wish list."))
    offer = claim.offer
    body = render_template(
        "shopper/coupon.html", page=brand_of(offer.retailer), claim=claim, offer=offer,
        code=display_code(claim.code), value=services.describe_offer_for_shopper(offer),
        status=services.coupon_status(claim), barcode=barcode_svg(claim.code),
        item=claim.listing.product.name if claim.listing else None,
        # Dates in the store's local time: where it was claimed, else the offer's store.
        zone=(claim.store or offer.store).timezone if (claim.store or offer.store) else None,
    )
    return no_store(make_response(body))
