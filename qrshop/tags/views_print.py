"""The console's print page: tags of a store's items, or the tags ticked on the tag list."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import exists, select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.pagination import search_text
from qrshop.tags.forms import PrintForm, SelectedPrintForm
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.models import Tag
from qrshop.tags.queries import BULK_MAX, listing_page, owned_tags
from qrshop.tags.services import (
    print_counter_card,
    print_tags,
    render_labels,
    store_by_code,
    tags_for_print,
)
from qrshop.tags.views import bp

# How many items the print page lists as checkboxes; the filter finds the others.
ITEMS_SHOWN = 100


def _pdf_response(pdf: bytes, name: str, preview: bool) -> Response:
    disposition = "inline" if preview else "attachment"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"})


def _offsets(form) -> tuple[float, float]:
    return (form.offset_x.data or 0.0, form.offset_y.data or 0.0)


def _heading(form) -> str | None:
    return (form.heading.data or "").strip() or None


def _print_selected(codes: list[str]):
    """The print page for tags ticked on the list, and their PDF."""
    if len(codes) > BULK_MAX:
        raise InvalidInput(f"Choose at most {BULK_MAX} tags at a time.", status_code=400)
    tags = owned_tags(current_user.retailer_id, codes)
    retired = [tag.code for tag in tags if tag.retired_at is not None]
    if retired:
        raise InvalidInput(f"Retired tags do not print: {', '.join(retired)}. Reactivate them "
                           "on the tag list first, or untick them.", code="retired_tag")
    form = SelectedPrintForm()
    if request.method == "GET":
        return render_template("console/print_selected.html", form=form, tags=tags)
    if not form.validate_on_submit():
        return render_template("console/print_selected.html", form=form, tags=tags), 400
    preview = request.form.get("action") == "preview"
    retailer = current_user.retailer
    pdf = render_labels(retailer, tags, form.layout.data, current_app.config["BASE_URL"],
                        title=f"{retailer.name} tags", heading=_heading(form),
                        offset_mm=_offsets(form), mark_printed=not preview)
    return _pdf_response(pdf, f"{retailer.slug}-{form.layout.data}-tags.pdf", preview)


@bp.route("/console/tags/print", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def console_print():
    """Choose a store, items, a placement and stock; preview or download the PDF. With
    `codes` (from the tag list's bulk print), print exactly those tags."""
    codes = [code.strip() for code in request.values.getlist("codes") if code.strip()]
    if codes:
        return _print_selected(codes)
    form = PrintForm()
    stores = accounts.stores_of_retailer(current_user.retailer_id)
    form.store.choices = [(s.code, f"{s.code} · {s.name}") for s in stores]
    text = search_text(request.args.get("q"))
    items = listing_page(current_user.retailer_id, text=text, per_page=ITEMS_SHOWN)
    form.listings.choices = [(listing_id, f"{name} ({sku})")
                             for listing_id, name, sku, _gtin in items.rows]
    has_active = db.session.scalar(select(exists().where(
        Tag.store_id.in_([s.id for s in stores]), Tag.retired_at.is_(None)))) if stores \
        else False

    def page(status: int = 200, error: str | None = None):
        return render_template("console/print.html", form=form, text=text, items=items,
                               has_active=has_active, stores=stores, error=error), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    preview = request.form.get("action") == "preview"
    try:
        store = store_by_code(form.store.data, current_user.retailer_id)
        if LAYOUTS[form.layout.data].style == "counter-card":
            if form.listings.data:
                raise InvalidInput("The counter card carries no items: untick them.")
            pdf = print_counter_card(store, form.layout.data, current_app.config["BASE_URL"],
                                     offset_mm=_offsets(form))
            return _pdf_response(pdf, f"{store.code}-{form.layout.data}.pdf", preview)
        skus = []
        if form.listings.data:
            owned = catalog.skus_by_id(current_user.retailer_id, form.listings.data)
            if len(owned) != len(set(form.listings.data)):
                raise InvalidInput("Choose items from the list.")
            skus = [owned[listing_id] for listing_id in form.listings.data]
        tags = tags_for_print(store, skus, form.placement.data or None)
    except InvalidInput as error:
        # The request hook rolls back: nothing of a refused print is kept.
        return page(error.status_code, error.message)
    try:
        pdf = print_tags(store, tags, form.layout.data, current_app.config["BASE_URL"],
                         heading=_heading(form), offset_mm=_offsets(form),
                         mark_printed=not preview)
    except InvalidInput as error:
        return page(error.status_code, error.message)
    return _pdf_response(pdf, f"{store.code}-{form.layout.data}-tags.pdf", preview)
