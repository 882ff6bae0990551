"""The vendor studio's live preview: the form's unsaved slots as one retailer's landing page.

The studio's script posts the whole form (CSRF token included) after a short pause in typing
and shows the answer in a sandboxed iframe; nothing is stored.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from markupsafe import escape

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.content import services
from qrshop.content.blueprint import bp
from qrshop.content.forms import revision_form
from qrshop.content.preview import render_unsaved
from qrshop.content.studio import slot_values
from qrshop.content.views_media import library
from qrshop.errors import InvalidInput
from qrshop.extensions import limiter
from qrshop.web import form_errors_message


def _refusal(message: str, status: int):
    """A refused preview: a short page the studio shows in place of the preview."""
    body = f'<!doctype html><meta charset="utf-8"><p role="alert">{escape(message)}</p>'
    return body, status, {"Cache-Control": "no-store"}


@bp.post("/vendor/products/<int:product_id>/preview/<int:retailer_id>")
@roles_required(Role.VENDOR)
@limiter.limit("120 per minute")
def studio_preview(product_id: int, retailer_id: int):
    """The posted (unsaved) slots as shoppers at one carrying retailer would see them."""
    product = catalog.owned_product(product_id, current_user.vendor_id, "No such product.")
    listing = catalog.listing_for_product(retailer_id, product.id)
    if listing is None:
        abort(404, description="That retailer does not carry this product.")
    form = revision_form(None, library(current_user.vendor_id))
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            return _refusal("The form expired; reload the page to see the preview.", 400)
        return _refusal(form_errors_message(form), 422)
    try:
        slots = services.normalise_slots(product.vendor_id, slot_values(form.data, request.form))
    except InvalidInput as error:
        return _refusal(str(error), 422)
    return render_unsaved(listing, product.id, slots)
