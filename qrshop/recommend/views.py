"""The merchandiser's "complete the look" picks."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from qrshop.accounts.auth import roles_required
from qrshop.accounts.models import Role
from qrshop.catalog.models import Listing, Product
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.recommend import services
from qrshop.tags.forms import ActionForm

bp = Blueprint("recommend", __name__)


@bp.route("/console/looks", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def curate():
    """Pick up to four items to show under "Complete the look" on an item's page."""
    listings = db.session.execute(
        select(Listing.id, Product.name, Listing.sku).join(Product)
        .where(Listing.retailer_id == current_user.retailer_id).order_by(Product.name)).all()
    raw = request.values.get("listing", "")
    listing = db.session.get(Listing, int(raw)) if raw.isdigit() else None
    if listing is not None and listing.retailer_id != current_user.retailer_id:
        listing = None
    form = ActionForm()
    if request.method == "POST":
        if listing is None or not form.validate_on_submit():
            raise InvalidInput("Choose an item, then its picks.", status_code=400)
        chosen = [int(value) for value in request.form.getlist("related") if value.isdigit()]
        related = [db.session.get(Listing, listing_id) for listing_id in chosen]
        if any(item is None for item in related):
            raise InvalidInput("Pick items from the list.")
        services.set_curated(listing, related)
        flash(f"Saved {len(related)} picks for {listing.product.name}.", "info")
        return redirect(url_for(".curate", listing=listing.id))
    return render_template("console/looks.html", listings=listings, listing=listing,
                           picked=services.curated_ids(listing.id) if listing else [],
                           form=form)
