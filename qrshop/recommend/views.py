"""The merchandiser's "complete the look" picker."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.parsing import row_ids
from qrshop.recommend import services
from qrshop.web import refused

bp = Blueprint("recommend", __name__)


@bp.route("/console/items/<int:listing_id>/look", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def curate(listing_id: int):
    """Pick, in order, the items shown under "Complete the look" on an item's page."""
    listing = catalog.owned_listing(listing_id, current_user.retailer_id, "No such item.")
    status = 200
    if request.method == "POST":
        raw = [value for value in request.form.getlist("recommended") if value]
        try:
            ids = row_ids(raw)
            if ids is None:
                raise InvalidInput("Choose items from the list.")
            services.set_curated(listing, ids)
            flash(f"“Complete the look” for {listing.product.name} saved.", "info")
            return redirect(url_for(".curate", listing_id=listing.id), code=303)
        except InvalidInput as error:
            status = refused(error)  # set_curated checks everything before it writes
    others = catalog.listing_choices(current_user.retailer_id, without=listing.id)
    chosen = services.curated_ids(listing.id)
    slots = chosen + [None] * max(services.LIMIT - len(chosen), 0)
    return render_template("console/look.html", listing=listing, others=others,
                           slots=slots), status
