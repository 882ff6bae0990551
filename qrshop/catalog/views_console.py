"""The console's listings: carry products of linked vendors, edit, discontinue, import CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import listing_imports, listings, queries
from qrshop.catalog.forms import ConfirmForm, ListingForm, ListingImportForm
from qrshop.catalog.imports import read_csv
from qrshop.catalog.models import Listing
from qrshop.catalog.services import format_price
from qrshop.errors import InvalidInput
from qrshop.pagination import page_number, search_text
from qrshop.web import form_refused, owned_or_404, refused

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer

bp = Blueprint("listings", __name__, url_prefix="/console/listings")

PER_PAGE = 50


def _retailer() -> Retailer:
    return accounts.retailer(current_user.retailer_id)


def _own_listing(listing_id: int) -> Listing:
    return owned_or_404(Listing, listing_id, "No such listing.",
                        retailer_id=current_user.retailer_id)




def _price_cents(form: ListingForm) -> int:
    return listings.parse_price(form.price.data or "", listings.check_currency(
        form.currency.data or ""))


@bp.get("")
@roles_required(Role.MERCHANDISER)
def index():
    """The retailer's listings, searchable by name, brand, GTIN or SKU, 50 a page."""
    page = queries.search_listings(current_user.retailer_id,
                                   search_text(request.args.get("q")),
                                   page=page_number(request.args.get("page")), per_page=PER_PAGE)
    carried_any = page.total > 0 or (bool(page.query) and queries.search_listings(
        current_user.retailer_id, "", page=1, per_page=1).total > 0)
    return render_template(
        "console/listings.html", page=page, carried_any=carried_any,
        linked_vendors=listings.linked_vendor_count(current_user.retailer_id),
        format_price=format_price)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def new():
    """Find a product of a linked vendor (or give a GTIN no vendor supplies) and carry it."""
    form = ListingForm()
    if request.method == "GET" and request.args.get("gtin"):
        form.gtin.data = search_text(request.args["gtin"])[:20]
    q = search_text(request.args.get("q"))
    status = 200
    if form.validate_on_submit():
        retailer = _retailer()
        try:
            sku = listings.check_sku(form.sku.data)
            if queries.listing_by_sku(retailer.id, sku) is not None:
                raise InvalidInput(f"SKU {sku} is already one of your listings; edit it "
                                   "instead.", code="conflict", status_code=409)
            listing, _ = listings.put_listing(
                retailer, sku=sku, gtin=form.gtin.data or "", price_cents=_price_cents(form),
                currency=form.currency.data, name=form.name.data or "",
                brand=form.brand.data or "")
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"You now carry {listing.product.name} as SKU {listing.sku}.", "info")
            return redirect(url_for("listings.edit", listing_id=listing.id))
    elif request.method == "POST":
        status = form_refused(form)
    found = queries.products_to_carry(current_user.retailer_id, q) if q else []
    return render_template(
        "console/listings_new.html", form=form, q=q, found=found,
        linked_vendors=listings.linked_vendor_count(current_user.retailer_id)), status


@bp.route("/<int:listing_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def edit(listing_id: int):
    """A listing: change its SKU, price and currency; see its stock per store."""
    listing = _own_listing(listing_id)
    own = listings.is_retailer_owned(listing.product, listing.retailer_id)
    form = ListingForm(data=None if request.method == "POST" else {
        "sku": listing.sku, "price": listings.price_text(listing.price_cents, listing.currency),
        "currency": listing.currency, "name": listing.product.name,
        "brand": listing.product.brand})
    status = 200
    if form.validate_on_submit():
        try:
            listings.update_listing(listing, sku=form.sku.data, price_cents=_price_cents(form),
                                    currency=form.currency.data,
                                    name=form.name.data if own else None,
                                    brand=form.brand.data if own else None)
        except InvalidInput as error:
            status = refused(error)
        else:
            flash(f"Saved {listing.product.name}.", "info")
            return redirect(url_for("listings.edit", listing_id=listing.id))
    elif request.method == "POST":
        status = form_refused(form)
    return render_template(
        "console/listings_edit.html", form=form, listing=listing, own=own,
        stock=queries.stock_of(listing), confirm_form=ConfirmForm(),
        price=format_price(listing.price_cents, listing.currency)), status


@bp.route("/<int:listing_id>/discontinue", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def discontinue(listing_id: int):
    """Ask, then stop carrying a listing: its tags are retired and show "no longer here"."""
    listing = _own_listing(listing_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description="The form expired; reload the page and try again.")
        retired = listings.discontinue_listing(listing, current_user)
        flash(f"Discontinued {listing.product.name} (SKU {listing.sku}): {retired} tag(s) "
              "retired; they now show your \"no longer here\" page.", "info")
        return redirect(url_for("listings.index"))
    return render_template("console/listings_discontinue.html", listing=listing, form=form,
                           active_tags=listings.active_tag_count(listing))


@bp.post("/<int:listing_id>/reinstate")
@roles_required(Role.MERCHANDISER)
def reinstate(listing_id: int):
    """Carry a discontinued listing again (its retired tags stay retired)."""
    listing = _own_listing(listing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    listings.reinstate_listing(listing, current_user)
    flash(f"You carry {listing.product.name} again; print new tags for it.", "info")
    return redirect(url_for("listings.edit", listing_id=listing.id))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def import_csv():
    """Upload a listings CSV, see every row checked, then import all of it (or nothing)."""
    form = ListingImportForm()
    rows, text, status = None, "", 200
    retailer = _retailer()
    if form.validate_on_submit():
        confirming = request.form.get("action") == "import"
        try:
            if confirming:
                text = form.csv_text.data or ""
                created, updated = listing_imports.import_listing_rows(retailer, text)
                flash(f"Imported {created} listings, updated {updated}.", "info")
                return redirect(url_for("listings.index"))
            upload = form.file.data
            if upload is None or not upload.filename:
                raise InvalidInput("Choose a CSV file.", status_code=400)
            text = read_csv(upload.read())
            rows = listing_imports.check_listing_rows(retailer, text)
        except InvalidInput as error:
            status = refused(error)
            if confirming and text:
                try:
                    rows = listing_imports.check_listing_rows(retailer, text)
                except InvalidInput:
                    rows = None
    elif request.method == "POST":
        flash("The form expired; reload the page and try again.", "error")
        status = 400
    form.csv_text.data = text
    errors = sum(1 for row in rows or [] if row.error)
    return render_template("console/listings_import.html", form=form, rows=rows,
                           errors=errors, shown_price=listing_imports.shown_price), status
