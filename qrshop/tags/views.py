"""QR images of tags, for printing and for the console."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from qrshop.accounts.auth import roles_required
from qrshop.accounts.models import Role, Store
from qrshop.analytics.services import silent_tags
from qrshop.catalog.models import Listing, Product
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.tags import qr
from qrshop.tags.codes import normalise_code, tag_url
from qrshop.tags.forms import ActionForm, PrintForm, ReassignForm
from qrshop.tags.models import Tag
from qrshop.tags.services import (
    TAG_LIST_COLUMNS,
    find_tag,
    print_tags,
    reassign_tag,
    retire_tag,
    search_tags,
    store_by_code,
    tags_for_print,
)

bp = Blueprint("tags", __name__)

# A tag's code and URL never change, so its image can be cached for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


def _tag_or_404(code: str):
    canonical = normalise_code(code)
    tag = find_tag(canonical) if canonical else None
    if tag is None:
        abort(404, description="No tag has this code.")
    return tag


@bp.get("/tags/<code>.svg")
def tag_svg(code: str):
    """The tag's QR as SVG, with a 4-module quiet zone."""
    tag = _tag_or_404(code)
    body = qr.render_svg(tag_url(current_app.config["BASE_URL"], tag.code))
    return Response(body, mimetype="image/svg+xml", headers={"Cache-Control": IMMUTABLE})


@bp.get("/tags/<code>.png")
def tag_png(code: str):
    """The tag's QR as PNG; ?size=N asks for about N pixels wide (64 to 2048)."""
    raw_size = request.args.get("size", str(qr.PNG_SIZE_DEFAULT))
    low, high = qr.PNG_SIZE_RANGE
    if not raw_size.isdigit() or not low <= int(raw_size) <= high:
        raise InvalidInput(
            f"size must be a whole number of pixels from {low} to {high}.", status_code=400,
            code="bad_size",
        )
    tag = _tag_or_404(code)
    body = qr.render_png(tag_url(current_app.config["BASE_URL"], tag.code), int(raw_size))
    return Response(body, mimetype="image/png", headers={"Cache-Control": IMMUTABLE})


# --- the merchandiser's console ---------------------------------------------------------


def _my_store(raw: str | None) -> Store | None:
    """One of the user's retailer's stores by code, or None for every store."""
    if not raw:
        return None
    return store_by_code(raw, current_user.retailer_id)


def _my_tag(code: str) -> Tag:
    canonical = normalise_code(code)
    tag = find_tag(canonical) if canonical else None
    if tag is None or tag.store.retailer_id != current_user.retailer_id:
        abort(404, description="No tag with this code at your stores.")
    return tag


def _listing_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Listing.id, Product.name, Listing.sku)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == current_user.retailer_id)
        .order_by(Product.name)
    ).all()
    return [(listing_id, f"{name} ({sku})") for listing_id, name, sku in rows]


@bp.get("/console/tags")
@roles_required(Role.MERCHANDISER)
def console_tags():
    """Every tag of the retailer: search, status, placement, printed date, silent ones."""
    store = _my_store(request.args.get("store"))
    text, status = request.args.get("q", ""), request.args.get("status", "")
    tags = search_tags(current_user.retailer_id, store_id=store.id if store else None,
                       text=text, status=status)
    stores = db.session.scalars(select(Store).where(
        Store.retailer_id == current_user.retailer_id).order_by(Store.code)).all()
    silent = silent_tags([store] if store else list(stores), utcnow())
    reassign = ReassignForm()
    reassign.listing.choices = _listing_choices()
    return render_template(
        "console/tags.html", tags=tags, stores=stores, store=store, text=text, status=status,
        silent=silent, action=ActionForm(), reassign=reassign,
        zones={s.id: ZoneInfo(s.timezone) for s in stores},
        base_url=current_app.config["BASE_URL"])


@bp.get("/console/tags.csv")
@roles_required(Role.MERCHANDISER)
def console_tags_csv():
    """The tag list (same filters) as CSV, with printed and retired times in UTC."""
    store = _my_store(request.args.get("store"))
    tags = search_tags(current_user.retailer_id, store_id=store.id if store else None,
                       text=request.args.get("q", ""), status=request.args.get("status", ""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*TAG_LIST_COLUMNS, "printed_at", "retired_at"])
    base = current_app.config["BASE_URL"]
    for tag in tags:
        writer.writerow([tag.code, tag_url(base, tag.code), current_user.retailer.slug,
                         tag.store.code, tag.listing.sku, tag.listing.product.gtin,
                         tag.listing.product.name, tag.placement, tag.status,
                         tag.printed_at.isoformat() if tag.printed_at else "",
                         tag.retired_at.isoformat() if tag.retired_at else ""])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{current_user.retailer.slug}-tags.csv"'})


@bp.post("/console/tags/<code>/retire")
@roles_required(Role.MERCHANDISER)
def console_retire(code: str):
    """Retire a tag: its code keeps answering with the "no longer here" page."""
    tag = _my_tag(code)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    retire_tag(tag)
    flash(f"Tag {tag.code} retired.", "info")
    return redirect(url_for("tags.console_tags", store=tag.store.code))


@bp.post("/console/tags/<code>/reassign")
@roles_required(Role.MERCHANDISER)
def console_reassign(code: str):
    """Point a tag at another item of the retailer."""
    tag = _my_tag(code)
    form = ReassignForm()
    form.listing.choices = _listing_choices()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    listing = db.session.get(Listing, form.listing.data)
    if listing is None or listing.retailer_id != current_user.retailer_id:
        raise InvalidInput("Choose an item from the list.")
    reassign_tag(tag, listing, form.placement.data or None)
    flash(f"Tag {tag.code} now points at {listing.product.name}.", "info")
    return redirect(url_for("tags.console_tags", store=tag.store.code))


@bp.route("/console/tags/print", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def console_print():
    """Choose a store, items, a placement and stock; preview or download the PDF."""
    form = PrintForm()
    stores = db.session.scalars(select(Store).where(
        Store.retailer_id == current_user.retailer_id).order_by(Store.code)).all()
    form.store.choices = [(s.code, f"{s.code} · {s.name}") for s in stores]
    text = request.args.get("q", "").strip().lower()
    form.listings.choices = [(value, label) for value, label in _listing_choices()
                             if not text or text in label.lower()]
    if request.method == "GET":
        return render_template("console/print.html", form=form, text=text)
    if not form.validate_on_submit():
        return render_template("console/print.html", form=form, text=text), 400
    store = store_by_code(form.store.data, current_user.retailer_id)
    skus = []
    if form.listings.data:
        owned = dict(db.session.execute(select(Listing.id, Listing.sku).where(
            Listing.retailer_id == current_user.retailer_id,
            Listing.id.in_(form.listings.data))).all())
        if len(owned) != len(set(form.listings.data)):
            raise InvalidInput("Choose items from the list.")
        skus = [owned[listing_id] for listing_id in form.listings.data]
    tags = tags_for_print(store, skus, form.placement.data or None)
    preview = request.form.get("action") == "preview"
    pdf = print_tags(store, tags, form.layout.data, current_app.config["BASE_URL"],
                     offset_mm=(form.offset_x.data or 0.0, form.offset_y.data or 0.0),
                     mark_printed=not preview)
    disposition = "inline" if preview else "attachment"
    name = f"{store.code}-{form.layout.data}-tags.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"})
