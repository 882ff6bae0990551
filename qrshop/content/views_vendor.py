"""The vendor portal's content pages: a product's revisions, drafts, submission, preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.content import services
from qrshop.content.blueprint import bp
from qrshop.content.forms import SubmitForm, revision_form
from qrshop.content.models import ContentRevision
from qrshop.content.preview import render_preview
from qrshop.content.studio import LIMITS, rows_for, slot_uses, slot_values
from qrshop.content.templates import TEMPLATES
from qrshop.content.views_media import library
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.web import form_refused, refused, row_or_none

if TYPE_CHECKING:  # type hints only
    from qrshop.catalog.models import Product


def _own_product(product_id: int) -> Product:
    """The current vendor's product; another vendor's is 404, as if it did not exist."""
    return catalog.owned_product(product_id, current_user.vendor_id, "No such product.")


def _own_revision(revision_id: int) -> ContentRevision:
    """A revision of one of the current vendor's products."""
    revision = row_or_none(ContentRevision, revision_id)
    if revision is None or revision.product.vendor_id != current_user.vendor_id:
        abort(404, description="No such revision.")
    return revision


def _revision_form(data=None):
    return revision_form(data, library(current_user.vendor_id))


def _studio_context(form, context: dict) -> dict:
    """The studio's extras: rows of the list slots, how the templates in use treat each
    slot, and the character limits its counters show."""
    posted = request.form if request.method == "POST" else None
    return {"rows": rows_for(form, posted), "slot_uses": slot_uses(context["listings"]),
            "limits": LIMITS, "studio": True}


def _product_context(product: Product) -> dict:
    listings = services.carrying_listings(product.id)
    # A product the vendor took over from a retailer keeps that retailer's revisions (still
    # live there); the vendor sees and builds on its own only.
    by_staff = accounts.all_retailer_staff_ids()
    revisions = list(db.session.scalars(
        select(ContentRevision).where(
            ContentRevision.product_id == product.id,
            or_(ContentRevision.created_by_id.is_(None),
                ContentRevision.created_by_id.not_in(by_staff)))
        .order_by(ContentRevision.number.desc())))
    return {"product": product, "listings": listings, "revisions": revisions,
            "templates": TEMPLATES, "template_name_for": services.template_name_for}


@bp.get("/vendor/products/<int:product_id>/revisions")
@roles_required(Role.VENDOR)
def revisions(product_id: int):
    """A product's content revisions and each retailer's decision on them."""
    product = _own_product(product_id)
    return render_template("vendor/revisions.html", submit_form=SubmitForm(),
                           **_product_context(product))


@bp.route("/vendor/products/<int:product_id>/revisions/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_revision(product_id: int):
    """Start a draft, prefilled from the newest revision."""
    product = _own_product(product_id)
    context = _product_context(product)
    latest = context["revisions"][0] if context["revisions"] else None
    form = _revision_form(None if request.method == "POST" or latest is None
                          else services.revision_form_values(latest))
    status = 200
    if form.validate_on_submit():
        try:
            revision = services.create_draft(product, current_user,
                                             slot_values(form.data, request.form),
                                             locale=form.locale.data)
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"Draft revision {revision.number} saved.", "info")
            return redirect(url_for("content.edit_revision", revision_id=revision.id))
    elif request.method == "POST":
        status = form_refused(form)
    return render_template("vendor/revision_edit.html", form=form, revision=None,
                           **_studio_context(form, context), **context), status


@bp.route("/vendor/revisions/<int:revision_id>", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def edit_revision(revision_id: int):
    """Edit a draft; a submitted revision is shown read-only."""
    revision = _own_revision(revision_id)
    form = _revision_form(None if request.method == "POST"
                          else services.revision_form_values(revision))
    status = 200
    if request.method == "POST" and not revision.is_draft:
        flash(f"Revision {revision.number} was submitted and can no longer change; start a new "
              "draft instead.", "error")
        status = 409
    elif form.validate_on_submit():
        try:
            services.update_draft(revision, current_user, slot_values(form.data, request.form))
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"Draft revision {revision.number} saved.", "info")
            return redirect(url_for("content.edit_revision", revision_id=revision.id))
    elif request.method == "POST":
        status = form_refused(form)
    context = _product_context(revision.product)
    return render_template("vendor/revision_edit.html", form=form, revision=revision,
                           submit_form=SubmitForm(), **_studio_context(form, context),
                           **context), status


@bp.post("/vendor/revisions/<int:revision_id>/submit")
@roles_required(Role.VENDOR)
def submit_revision(revision_id: int):
    """Send a draft to every retailer carrying the product for review."""
    revision = _own_revision(revision_id)
    if not SubmitForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        reviews = services.submit_revision(revision, current_user)
    except InvalidInput as error:
        status = refused(error)
        return render_template("vendor/revisions.html", submit_form=SubmitForm(),
                               **_product_context(revision.product)), status
    flash(f"Revision {revision.number} submitted to {len(reviews)} retailer(s) for review.",
          "info")
    return redirect(url_for("content.revisions", product_id=revision.product_id))


@bp.get("/vendor/revisions/<int:revision_id>/preview/<int:retailer_id>")
@roles_required(Role.VENDOR)
def vendor_preview(revision_id: int, retailer_id: int):
    """A revision exactly as shoppers at one carrying retailer would see it."""
    revision = _own_revision(revision_id)
    return render_preview(revision, retailer_id)

