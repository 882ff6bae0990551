"""The vendor's product pages: create, edit, and bulk import from CSV with a preview."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import imports, services
from qrshop.catalog.forms import ImportForm, ProductForm
from qrshop.catalog.models import Product
from qrshop.errors import InvalidInput
from qrshop.web import owned_or_404, refused

bp = Blueprint("catalog", __name__)



@bp.route("/vendor/products/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_product():
    """Add one product to the vendor's catalog."""
    form = ProductForm()
    status = 200
    if form.validate_on_submit():
        try:
            product = services.create_product(current_user.vendor, gtin=form.gtin.data or "",
                                              name=form.name.data, brand=form.brand.data or "")
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"Added {product.name}.", "info")
            return redirect(url_for("console.vendor_home"))
    elif request.method == "POST":
        flash("Fill in the GTIN and the name.", "error")
        status = 400
    return render_template("vendor/product_form.html", form=form, product=None), status


@bp.route("/vendor/products/<int:product_id>/edit", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def edit_product(product_id: int):
    """Rename a product or change its brand."""
    product = owned_or_404(Product, product_id, "No such product.",
                           vendor_id=current_user.vendor_id)
    form = ProductForm(obj=product)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_product(product, name=form.name.data, brand=form.brand.data or "")
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"Saved {product.name}.", "info")
            return redirect(url_for("console.vendor_home"))
    elif request.method == "POST":
        flash("The name is required.", "error")
        status = 400
    return render_template("vendor/product_form.html", form=form, product=product), status


@bp.route("/vendor/products/import", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def import_products():
    """Upload a CSV, see every row checked, then import (only when no row has an error)."""
    form = ImportForm()
    rows, text, status = None, "", 200
    if form.validate_on_submit():
        confirming = request.form.get("action") == "import"
        try:
            if confirming:
                text = form.csv_text.data or ""
                created = imports.import_rows(current_user.vendor, text)
                flash(f"Imported {len(created)} products.", "info")
                return redirect(url_for("console.vendor_home"))
            upload = form.file.data
            if upload is None or not upload.filename:
                raise InvalidInput("Choose a CSV file.", status_code=400)
            text = imports.read_csv(upload.read())
            rows = imports.check_rows(current_user.vendor, text)
        except InvalidInput as error:
            status = refused(error)
            if confirming and text:
                try:
                    rows = imports.check_rows(current_user.vendor, text)
                except InvalidInput:
                    rows = None
    elif request.method == "POST":
        flash("The form expired; reload the page and try again.", "error")
        status = 400
    form.csv_text.data = text
    errors = sum(1 for row in rows or [] if row.error)
    return render_template("vendor/import.html", form=form, rows=rows, errors=errors), status
