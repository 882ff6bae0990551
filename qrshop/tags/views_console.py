"""The merchandiser's tag pages: the paginated list, CSV, retire (with a confirmation step),
reactivate, reassign (a searchable picker) and bulk actions on a selection."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.pagination import (
    descending,
    page_number,
    per_page_choice,
    search_text,
    sort_choice,
    without_defaults,
)
from qrshop.tags.codes import tag_url
from qrshop.tags.forms import ActionForm, ReassignForm
from qrshop.tags.models import Tag
from qrshop.tags.queries import (
    BULK_MAX,
    PAGE_SIZE,
    PAGE_SIZES,
    SORTS,
    listing_page,
    owned_tags,
    tag_export_rows,
    tag_page,
)
from qrshop.tags.services import (
    TAG_LIST_COLUMNS,
    move_tags,
    reactivate_tag,
    reassign_tag,
    retire_tags,
    store_by_code,
)
from qrshop.tags.silent import silent_tag_count, silent_tags
from qrshop.tags.views import bp
from qrshop.web import csv_download

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Store

# The tag list's parameters at their default value: left out of its links.
LIST_DEFAULTS = {"page": 1, "per_page": PAGE_SIZE, "sort": "store", "dir": "asc"}
# How many "possibly missing" tags the list names; the rest are counted.
SILENT_SHOWN = 20


def _stores() -> list[Store]:
    return accounts.stores_of_retailer(current_user.retailer_id)


def _my_store(raw: str | None) -> Store | None:
    """One of the user's retailer's stores by code, or None for every store."""
    if not raw:
        return None
    return store_by_code(raw, current_user.retailer_id)


def _my_tag(code: str) -> Tag:
    return owned_tags(current_user.retailer_id, [code])[0]


def _checked_form() -> None:
    """Refuse a POST whose CSRF token is missing or stale."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")


def _list_filters() -> dict:
    """The list's filters, sort and page from the query string, normalised."""
    args = request.args
    return {
        "store": (args.get("store") or "").strip().upper()[:16],
        "q": search_text(args.get("q")),
        "status": args.get("status") if args.get("status") in ("active", "retired") else "",
        "sort": sort_choice(args.get("sort"), SORTS, LIST_DEFAULTS["sort"]),
        "dir": "desc" if descending(args.get("dir")) else "asc",
        "per_page": per_page_choice(args.get("per_page"), PAGE_SIZES, PAGE_SIZE),
        "page": page_number(args.get("page")),
    }


def _back() -> str:
    """The query string of the list page a form came from ("" when none or odd)."""
    back = request.values.get("back", "")
    if not back.startswith("?") or len(back) > 500:
        return ""
    # Re-encoded, so a CR/LF or a space typed into it never reaches the Location header.
    query = urlencode(parse_qsl(back[1:]))
    return "?" + query if query else ""


def _back_to_list() -> str:
    """Where to go after an action: the list page the form came from."""
    return url_for("tags.console_tags") + _back()


@bp.get("/console/tags")
@roles_required(Role.MERCHANDISER)
def console_tags():
    """The retailer's tags, a page at a time: search, filters, sort, bulk actions."""
    filters = _list_filters()
    store = _my_store(filters["store"])
    stores = _stores()
    page = tag_page(current_user.retailer_id, store_id=store.id if store else None,
                    text=filters["q"], status=filters["status"], sort=filters["sort"],
                    descending=filters["dir"] == "desc", page=filters["page"],
                    per_page=filters["per_page"])
    filters["page"] = page.number
    # Only the first SILENT_SHOWN silent tags are built; the rest are only counted.
    silent_stores, now = ([store] if store else list(stores)), utcnow()
    silent = silent_tags(silent_stores, now, limit=SILENT_SHOWN)
    silent_total = (len(silent) if len(silent) < SILENT_SHOWN
                    else silent_tag_count(silent_stores, now))

    def link(**changes) -> str:
        query = without_defaults({**filters, **changes}, LIST_DEFAULTS)
        return "?" + urlencode(query) if query else "?"

    return render_template(
        "console/tags.html", page=page, stores=stores, store=store, filters=filters,
        link=link, sorts=SORTS, page_sizes=PAGE_SIZES, silent=silent, silent_total=silent_total,
        select_all=request.args.get("select") == "page",
        tag_url_style=current_user.retailer.tag_url_style,
        zones={s.id: ZoneInfo(s.timezone) for s in stores}, has_any=page.total > 0 or bool(
            filters["q"] or filters["status"] or store))


@bp.get("/console/tags.csv")
@roles_required(Role.MERCHANDISER)
def console_tags_csv():
    """The tag list (same filters, every page) as CSV, with printed and retired times in UTC."""
    filters = _list_filters()
    store = _my_store(filters["store"])
    base, slug = current_app.config["BASE_URL"], current_user.retailer.slug
    style = current_user.retailer.tag_url_style
    rows = ([code, tag_url(base, code, style, gtin), slug, store_code, sku, gtin, product,
             placement, "retired" if retired else "active", printed.isoformat() if printed else "",
             retired.isoformat() if retired else ""]
            for code, store_code, sku, gtin, product, placement, printed, retired
            in tag_export_rows(current_user.retailer_id, store_id=store.id if store else None,
                               text=filters["q"], status=filters["status"]))
    return csv_download(f"{slug}-tags", [*TAG_LIST_COLUMNS, "printed_at", "retired_at"], rows)


def _confirm_retire(tags: list[Tag], action_url: str, status: int = 200):
    return render_template("console/tags_retire.html", tags=tags, action_url=action_url,
                           back=_back()), status


@bp.get("/console/tags/<code>/retire")
@roles_required(Role.MERCHANDISER)
def console_retire_confirm(code: str):
    """Ask before retiring a tag (a page, so it works without JavaScript)."""
    tag = _my_tag(code)
    return _confirm_retire([tag], url_for("tags.console_retire", code=tag.code))


@bp.post("/console/tags/<code>/retire")
@roles_required(Role.MERCHANDISER)
def console_retire(code: str):
    """Retire a tag once confirmed (confirm=yes); without it, answer the confirmation page
    and change nothing. Its code keeps answering with the "no longer here" page."""
    tag = _my_tag(code)
    _checked_form()
    if request.form.get("confirm") != "yes":
        return _confirm_retire([tag], url_for("tags.console_retire", code=tag.code))
    if retire_tags([tag]):
        flash(f"Tag {tag.code} retired. Scans now show the \u201cno longer here\u201d page; "
              "reactivate it from the list to undo.", "info")
    else:
        flash(f"Tag {tag.code} was already retired.", "info")
    return redirect(_back_to_list())


@bp.post("/console/tags/<code>/reactivate")
@roles_required(Role.MERCHANDISER)
def console_reactivate(code: str):
    """Put a retired tag back in service: scans show its item and count again."""
    tag = _my_tag(code)
    _checked_form()
    if reactivate_tag(tag):
        flash(f"Tag {tag.code} is active again.", "info")
    else:
        flash(f"Tag {tag.code} was already active.", "info")
    return redirect(_back_to_list())


def _reassign_page(tag: Tag, form: ReassignForm, status: int = 200):
    text = search_text(request.args.get("q"))
    listings = listing_page(current_user.retailer_id, text=text,
                            page=page_number(request.args.get("page")))

    def link(page: int) -> str:
        query = {"q": text} if text else {}
        if page > 1:
            query["page"] = page
        return "?" + urlencode(query)

    return render_template("console/tags_reassign.html", tag=tag, form=form,
                           listings=listings, text=text, link=link), status


@bp.get("/console/tags/<code>/reassign")
@roles_required(Role.MERCHANDISER)
def console_reassign_page(code: str):
    """Choose the item a tag points at: search by name, SKU or GTIN, a page at a time."""
    tag = _my_tag(code)
    form = ReassignForm(data={"placement": tag.placement})
    return _reassign_page(tag, form)


@bp.post("/console/tags/<code>/reassign")
@roles_required(Role.MERCHANDISER)
def console_reassign(code: str):
    """Point a tag at another item of the retailer (fields `listing` and `placement`)."""
    tag = _my_tag(code)
    form = ReassignForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400, description="The form expired; reload the page and try again.")
        flash("Choose an item from the list.", "error")
        return _reassign_page(tag, form, 400)
    listing = catalog.owned_listing(form.listing.data, current_user.retailer_id,
                                    "No such item in your catalogue.")
    reassign_tag(tag, listing, form.placement.data or None)
    flash(f"Tag {tag.code} now points at {listing.product.name}.", "info")
    return redirect(url_for("tags.console_tags", store=tag.store.code))


@bp.post("/console/tags/bulk")
@roles_required(Role.MERCHANDISER)
def console_bulk():
    """One action on the ticked tags (`codes`): print, retire (after a confirmation step)
    or move to another store (`store`). All or nothing: one code that is not the retailer's
    answers 404 and changes nothing."""
    _checked_form()
    action = request.form.get("action", "")
    codes = [code.strip() for code in request.form.getlist("codes") if code.strip()]
    if action not in ("print", "retire", "move"):
        raise InvalidInput("Choose what to do with the ticked tags: print, retire or move.",
                           status_code=400)
    if not codes:
        flash("Tick at least one tag first.", "error")
        return redirect(_back_to_list())
    if len(codes) > BULK_MAX:
        raise InvalidInput(f"Choose at most {BULK_MAX} tags at a time.", status_code=400)
    tags = owned_tags(current_user.retailer_id, codes)
    if action == "print":
        return redirect(url_for("tags.console_print")
                        + "?" + urlencode([("codes", tag.code) for tag in tags]), 303)
    if action == "retire":
        if request.form.get("confirm") != "yes":
            return _confirm_retire(tags, url_for("tags.console_bulk"))
        retired = retire_tags(tags)
        flash(f"{retired} tag{'s' if retired != 1 else ''} retired.", "info")
        return redirect(_back_to_list())
    raw_store = (request.form.get("store") or "").strip()
    if not raw_store:
        raise InvalidInput("Choose the store to move the tags to.", status_code=400)
    store = store_by_code(raw_store, current_user.retailer_id)
    moved = move_tags(tags, store)
    flash(f"{moved} tag{'s' if moved != 1 else ''} moved to {store.code}; each keeps its item "
          "and code.", "info")
    return redirect(_back_to_list())
