"""Feedback from a landing page: stars, "was this helpful?" and a comment."""

from __future__ import annotations

from flask import jsonify, request

from qrshop.errors import InvalidInput
from qrshop.extensions import csrf
from qrshop.feedback import services
from qrshop.feedback.views import bp
from qrshop.i18n import N_
from qrshop.parsing import whole_number
from qrshop.shopper import identity
from qrshop.shopper.actions import (
    back_to,
    check_landing_form,
    landing_page_or_404,
    limit_shopper_action,
    no_store,
    refused_on_landing,
    wants_json,
)

# What a refused form shows again of the comment: all a shopper could have typed to trim it.
MAX_KEPT = 10 * services.MAX_COMMENT_LENGTH


@bp.post("/t/<code>/feedback")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
@limit_shopper_action("10 per hour", "100 per hour",
                      N_("Thanks! You have sent a lot of feedback; try again later."),
                      shown_by="feedback")
def feedback(code: str):
    """Record the shopper's stars, "was this helpful?" answer and comment."""
    page = landing_page_or_404(code)
    typed = {name: request.form.get(name, "")[:MAX_KEPT] for name in ("rating", "helpful",
                                                                       "comment")}
    try:
        check_landing_form(page)
        rating = whole_number(typed["rating"], minimum=1, maximum=5, what="A rating")
        shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
        services.leave_feedback(
            shopper_id=shopper_id, listing_id=page.listing_id, store_id=page.store_id,
            rating=rating, is_helpful={"yes": True, "no": False}.get(typed["helpful"]),
            comment=typed["comment"],
        )
    except InvalidInput as error:
        field = "comment" if error.code == services.COMMENT_TOO_LONG else "feedback"
        return refused_on_landing(page, error, field=field, typed=typed)
    response = jsonify(thanks=True) if wants_json() else back_to(page, "feedback")
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return no_store(response)
