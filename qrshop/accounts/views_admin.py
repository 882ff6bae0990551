"""Platform admin: retailers, stores, vendors and links (/admin), their edit pages, and
every user (/admin/users)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from qrshop.accounts import services
from qrshop.accounts.auth import roles_required
from qrshop.accounts.forms import (
    LinkForm,
    RetailerEditForm,
    RetailerForm,
    StoreEditForm,
    StoreForm,
    VendorEditForm,
    VendorForm,
    form_errors,
)
from qrshop.accounts.models import Retailer, RetailerVendor, Store, Vendor
from qrshop.accounts.roles import Role
from qrshop.accounts.staff_pages import Surface, add_staff_pages
from qrshop.accounts.views import bp
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.web import owned_or_404

ADMIN_USERS = Surface(name="admin_users", path="/admin/users", role=Role.ADMIN,
                      template="admin/users.html", base_template="admin/base.html",
                      title="Users")

add_staff_pages(bp, ADMIN_USERS)


def _admin_forms():
    retailers = db.session.scalars(select(Retailer).order_by(Retailer.slug)).all()
    from qrshop.accounts.queries import ordinary_vendors

    # Retailers' house vendors (their own products) are not vendors to list or link.
    vendors = db.session.scalars(ordinary_vendors().order_by(Vendor.slug)).all()
    retailer_choices = [(r.slug, r.name) for r in retailers]
    store_form, link_form = StoreForm(prefix="store"), LinkForm(prefix="link")
    store_form.retailer.choices = retailer_choices
    link_form.retailer.choices = retailer_choices
    link_form.vendor.choices = [(v.slug, v.name) for v in vendors]
    return {
        "retailers": retailers,
        "vendors": vendors,
        "links": db.session.execute(
            select(Retailer.name, Vendor.name)
            .join(RetailerVendor, RetailerVendor.retailer_id == Retailer.id)
            .join(Vendor, Vendor.id == RetailerVendor.vendor_id)
            .order_by(Retailer.name, Vendor.name)
        ).all(),
        "retailer_form": RetailerForm(prefix="retailer"),
        "store_form": store_form,
        "vendor_form": VendorForm(prefix="vendor"),
        "link_form": link_form,
    }


@bp.get("/admin")
@roles_required(Role.ADMIN)
def admin_home():
    """Platform admin: retailers, stores, vendors and who supplies whom."""
    return render_template("admin/home.html", **_admin_forms())


@bp.post("/admin/<kind>")
@roles_required(Role.ADMIN)
def admin_create(kind: str):
    """Create a retailer, store or vendor, or link a vendor to a retailer."""
    forms = _admin_forms()
    form = forms.get(f"{kind}_form")
    if form is None:
        return render_template("admin/home.html", **forms), 404
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return render_template("admin/home.html", **forms), 400
    try:
        if kind == "retailer":
            services.create_retailer(form.slug.data, form.name.data)
        elif kind == "store":
            services.create_store(services.retailer_by_slug(form.retailer.data), form.code.data,
                                  form.name.data, address=form.address.data or "",
                                  timezone=form.timezone.data,
                                  location=services.parse_location(form.location.data))
        elif kind == "vendor":
            services.create_vendor(form.slug.data, form.name.data)
        else:
            services.link_vendor(services.retailer_by_slug(form.retailer.data),
                                 services.vendor_by_slug(form.vendor.data))
    except InvalidInput as error:
        flash(error.message, "error")
        return render_template("admin/home.html", **forms), error.status_code
    flash("Saved.", "info")
    return redirect(url_for("accounts.admin_home"))


def _edit_page(form, heading: str, save, *, stores=None, back=None):
    """Show an edit form; on a valid POST call save() and go back to /admin."""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                save()
            except InvalidInput as error:
                flash(error.message, "error")
                status = error.status_code
            else:
                flash("Saved.", "info")
                return redirect(back or url_for("accounts.admin_home"), code=303)
        else:
            flash(form_errors(form), "error")
            status = 400
    return render_template("admin/edit.html", form=form, heading=heading, stores=stores), status


@bp.route("/admin/retailers/<slug>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_edit_retailer(slug: str):
    """Rename a retailer; its stores are listed with links to their edit pages."""
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug[:64]))
    if retailer is None:
        abort(404, description="No such retailer.")
    form = RetailerEditForm(obj=retailer if request.method == "GET" else None)
    return _edit_page(form, f"Retailer {retailer.slug}",
                      lambda: services.update_retailer(retailer, name=form.name.data),
                      stores=retailer.stores)


@bp.route("/admin/stores/<int:store_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_edit_store(store_id: int):
    """Edit a store's code, name, address and time zone."""
    store = owned_or_404(Store, store_id, "No such store.")
    form = StoreEditForm(obj=store if request.method == "GET" else None)
    if request.method == "GET" and store.latitude is not None:
        form.location.data = f"{store.latitude}, {store.longitude}"
    return _edit_page(
        form, f"Store {store.code} of {store.retailer.name}",
        lambda: services.update_store(store, code=form.code.data, name=form.name.data,
                                      address=form.address.data or "",
                                      timezone=form.timezone.data,
                                      location=services.parse_location(form.location.data)),
        back=url_for("accounts.admin_edit_retailer", slug=store.retailer.slug))


@bp.route("/admin/vendors/<slug>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_edit_vendor(slug: str):
    """Rename a vendor."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == slug[:64]))
    if vendor is None:
        abort(404, description="No such vendor.")
    form = VendorEditForm(obj=vendor if request.method == "GET" else None)
    return _edit_page(form, f"Vendor {vendor.slug}",
                      lambda: services.update_vendor(vendor, name=form.name.data))
