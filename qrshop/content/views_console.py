"""The console's content pages: the reviews queue, a review, landing templates, and the
content a retailer writes itself for a product no vendor supplies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.content import retailer_content, services
from qrshop.content.blueprint import bp
from qrshop.content.forms import (
    DecisionForm,
    SubmitForm,
    TemplatesForm,
    revision_form,
)
from qrshop.content.models import AuditEntry, Review
from qrshop.content.preview import render_preview
from qrshop.content.studio import LIMITS, rows_for, slot_values
from qrshop.content.templates import SLOTS, TEMPLATES
from qrshop.content.views_media import UploadForm, library, upload_to_library
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.pagination import page_number, search_text
from qrshop.web import form_refused, refused

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer
    from qrshop.catalog.models import Listing

PER_PAGE = 50




def _retailer() -> Retailer:
    return accounts.retailer(current_user.retailer_id)


def _own_listing(listing_id: int) -> Listing:
    return catalog.owned_listing(listing_id, current_user.retailer_id, "No such listing.")


# --- reviews --------------------------------------------------------------------------------


def _merchandiser_review(review_id: int) -> Review:
    try:
        return services.review_for_merchandiser(review_id, current_user)
    except InvalidInput:
        abort(404, description="No such review.")


@bp.get("/console/reviews")
@roles_required(Role.MERCHANDISER)
def review_queue():
    """Submitted revisions waiting for this retailer's decision, and decisions; searchable
    by product name, brand, GTIN or vendor, 50 a page (?show=decided pages the decisions)."""
    q = search_text(request.args.get("q"))
    decided_view = request.args.get("show") == "decided"
    page = services.review_queue_page(current_user, q, decided=decided_view,
                                      page=page_number(request.args.get("page")),
                                      per_page=PER_PAGE)
    if decided_view:
        pending, decided = None, page
    else:
        pending, decided = page, services.review_queue_page(current_user, q, decided=True,
                                                            page=1, per_page=20)
    return render_template("console/reviews.html", pending=pending, decided=decided, page=page,
                           q=q, show="decided" if decided_view else "")


@bp.route("/console/reviews/<int:review_id>", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def review(review_id: int):
    """One review: the revision's content, a preview, and the decision form."""
    item = _merchandiser_review(review_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.decide_review(item, current_user, approve=form.decision.data == "approve",
                                   comment=form.comment.data or "")
        except InvalidInput as error:
            status = refused(error)
        else:
            flash("Approved: it is live on your pages now." if item.status == "approved"
                  else "Sent back to the vendor with your comment.", "info")
            return redirect(url_for("content.review_queue"))
    elif request.method == "POST":
        status = form_refused(form)
    listing = catalog.listing_for_product(item.retailer_id, item.revision.product_id)
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.revision_id == item.revision_id,
                                 or_(AuditEntry.retailer_id == item.retailer_id,
                                     AuditEntry.retailer_id.is_(None)))
        .order_by(AuditEntry.id)).all()
    return render_template("console/review.html", review=item, form=form, listing=listing,
                           templates=TEMPLATES, history=history), status


@bp.get("/console/reviews/<int:review_id>/preview")
@roles_required(Role.MERCHANDISER)
def console_preview(review_id: int):
    """The reviewed revision exactly as this retailer's shoppers would see it."""
    item = _merchandiser_review(review_id)
    return render_preview(item.revision, item.retailer_id)


# --- templates ------------------------------------------------------------------------------


@bp.route("/console/templates", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def templates_page():
    """Enable landing templates, pick the default, and choose one per listing."""
    retailer = _retailer()
    form = TemplatesForm(data={"enabled": retailer.enabled_templates,
                               "default": retailer.default_template})
    form.enabled.choices = form.default.choices = [(t.name, t.label) for t in TEMPLATES.values()]
    status = 200
    if form.validate_on_submit():
        try:
            services.set_templates(retailer, current_user, form.enabled.data, form.default.data)
        except InvalidInput as error:
            status = refused(error)
        else:
            flash("Templates saved.", "info")
            return redirect(url_for("content.templates_page"))
    elif request.method == "POST":
        status = form_refused(form)
    listings = catalog.listings_by_product_name(retailer.id)
    return render_template("console/templates.html", form=form, retailer=retailer,
                           listings=listings, templates=TEMPLATES), status


@bp.post("/console/listings/<int:listing_id>/template")
@roles_required(Role.MERCHANDISER)
def listing_template(listing_id: int):
    """Choose the template of one listing (empty: the retailer's default)."""
    listing = _own_listing(listing_id)
    if not SubmitForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        services.set_listing_template(listing, current_user, request.form.get("template") or None)
    except InvalidInput as error:
        # Refused before anything changed: back to the page with the message.
        flash(error.message, "error")
        return redirect(url_for("content.templates_page"))
    flash(f"{listing.product.name} now uses "
          f"{TEMPLATES[services.template_name_for(listing)].label}.", "info")
    return redirect(url_for("content.templates_page"))


# --- retailer-owned content -----------------------------------------------------------------


def _content_listing(listing_id: int) -> Listing:
    listing = _own_listing(listing_id)
    if not retailer_content.retailer_writes_content(listing):
        abort(404, description=f"{listing.product.vendor.name} supplies this product's "
                               "content; review it in the reviews queue.")
    return listing


def _content_page(listing: Listing, form, status: int = 200):
    return render_template(
        "console/listings_content.html", listing=listing, form=form,
        upload_form=UploadForm(), revisions=retailer_content.retailer_revisions(listing),
        items=library(retailer_content.library_vendor_id(listing)),
        template=TEMPLATES.get(services.template_name_for(listing)), slot_names=SLOTS,
        rows=rows_for(form, request.form if request.method == "POST" else None),
        limits=LIMITS), status


@bp.route("/console/listings/<int:listing_id>/content", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def listing_content(listing_id: int):
    """Fill the page of a product no vendor supplies; publishing makes it live at once."""
    listing = _content_listing(listing_id)
    live = retailer_content.live_revision(listing)
    mine = {revision.id for revision in retailer_content.retailer_revisions(listing)}
    prefill = services.revision_form_values(live) if live is not None and live.id in mine \
        else None
    media_items = library(retailer_content.library_vendor_id(listing))
    form = revision_form(None if request.method == "POST" else prefill, media_items)
    if form.validate_on_submit():
        try:
            revision = retailer_content.publish_retailer_content(
                listing, current_user, slot_values(form.data, request.form))
        except InvalidInput as error:
            return _content_page(listing, form, refused(error))
        flash(f"Published revision {revision.number}: it is live on your pages now.", "info")
        return redirect(url_for("content.listing_content", listing_id=listing.id))
    if request.method == "POST":
        return _content_page(listing, form, form_refused(form))
    return _content_page(listing, form)


@bp.post("/console/listings/<int:listing_id>/media")
@roles_required(Role.MERCHANDISER)
def listing_media(listing_id: int):
    """Upload an image, MP4 or PDF for a retailer-owned product's page (same checks)."""
    listing = _content_listing(listing_id)
    item, status = upload_to_library(UploadForm(),
                                     retailer_content.library_vendor_id(listing))
    if item is None:
        form = revision_form(None, library(retailer_content.library_vendor_id(listing)))
        return _content_page(listing, form, status)
    return redirect(url_for("content.listing_content", listing_id=listing.id))
