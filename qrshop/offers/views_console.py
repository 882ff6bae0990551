"""The merchandiser's offers in the console: list, create, end."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Optional
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.money import parse_money
from qrshop.offers import services
from qrshop.offers.forms import OFFER_KINDS, OfferForm
from qrshop.offers.models import Offer
from qrshop.offers.views import bp
from qrshop.pagination import page_number, search_text
from qrshop.parsing import row_id
from qrshop.web import owned_or_404

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Store
    from qrshop.catalog.models import Listing

ITEM_CHOICES_LIMIT = 200  # more items than this: type the SKU instead of a long list


def _offer_form() -> OfferForm:
    form = OfferForm()
    form.kind.choices = OFFER_KINDS
    retailer_id = current_user.retailer_id
    carried = catalog.count_listings(retailer_id)
    form.many_items = carried > ITEM_CHOICES_LIMIT
    form.listing.validate_choice = not form.many_items  # else _chosen() checks the id
    form.listing.choices = [("", "Every item")]
    if not form.many_items:
        form.listing.choices += [
            (str(listing_id), f"{name} ({sku})")
            for listing_id, name, sku in catalog.listing_choices(retailer_id)]
    stores = accounts.stores_of_retailer(retailer_id)
    form.store.choices = [("", "Every store")] + [
        (str(store.id), f"{store.code} · {store.name}") for store in stores]
    return form


def _console_timezone(store: Optional[Store]) -> ZoneInfo:
    """Offer times are typed in the store's time zone (or the retailer's first store's)."""
    if store is None:
        store = accounts.first_store(current_user.retailer_id)
    try:
        return ZoneInfo(store.timezone if store else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _chosen(get, raw_id: str):
    """A listing or store of the user's retailer by id (get: catalog.listing or
    accounts.store), or None for 'every'."""
    if not raw_id:
        return None
    found = get(chosen_id) if (chosen_id := row_id(raw_id)) else None
    if found is None or found.retailer_id != current_user.retailer_id:
        raise InvalidInput("Choose an item and a store from the lists.")
    return found


def _listing_by_sku(text: str) -> Optional[Listing]:
    """The retailer's listing with this SKU (any case), or None for an empty SKU."""
    sku = (text or "").strip()
    if not sku:
        return None
    listing = catalog.listing_by_sku_any_case(current_user.retailer_id, sku)
    if listing is None:
        raise InvalidInput(f"No item has the SKU {sku!r}: type it as on the items page.")
    return listing


def _create_offer(form: OfferForm):
    """Create the offer the form describes; InvalidInput says what to fix."""
    store = _chosen(accounts.store, form.store.data)
    listing = _chosen(catalog.listing, form.listing.data) or _listing_by_sku(form.listing_sku.data)
    zone = _console_timezone(store)
    amount = None
    if form.kind.data == "amount":
        amount = parse_money(form.amount_off.data, "Amount off")
    return services.create_offer(
        current_user.retailer, title=form.title.data, kind=form.kind.data,
        percent_off=form.percent_off.data, amount_off_cents=amount,
        perk_text=form.perk_text.data, listing=listing, store=store,
        starts_at=form.starts_at.data.replace(tzinfo=zone).astimezone(UTC),
        ends_at=form.ends_at.data.replace(tzinfo=zone).astimezone(UTC),
        total_limit=form.total_limit.data, per_shopper_limit=form.per_shopper_limit.data,
        coupon_valid_days=form.coupon_valid_days.data, terms=form.terms.data,
        created_by=current_user,
    )


@bp.route("/console/offers", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def offers():
    """The retailer's offers, and a form to create one."""
    form = _offer_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                offer = _create_offer(form)
            except InvalidInput as error:
                flash(error.message, "error")
                status = error.status_code
            else:
                flash(f"Offer “{offer.title}” created.", "info")
                return redirect(url_for(".offers"), code=303)
        else:
            problems = [f"{form[name].label.text}: {errors[0]}"
                        for name, errors in form.errors.items() if name != "csrf_token"]
            flash("; ".join(problems) or "The form expired; please send it again.", "error")
            status = 400
    page = services.offers_page(current_user.retailer_id,
                                page=page_number(request.args.get("page")),
                                query=search_text(request.args.get("q")))
    rows = [(offer, services.describe_offer(offer)) for offer in page.rows]
    return render_template("console/offers.html", form=form, offers=rows, page=page,
                           now=datetime.now(UTC), timezone=_console_timezone(None).key), status


@bp.route("/console/offers/<int:offer_id>/end", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def end_offer(offer_id: int):
    """End an offer now: GET, or a POST without confirm=yes, asks first."""
    if request.method == "POST" and request.form.get("confirm") == "yes":
        offer = services.end_offer(current_user.retailer_id, offer_id)
        flash(f"Offer “{offer.title}” ended.", "info")
        return redirect(url_for(".offers"), code=303)
    offer = owned_or_404(Offer, offer_id, "No such offer.",
                         retailer_id=current_user.retailer_id)
    return render_template(
        "console/confirm.html", heading="End this offer?",
        question=f"End offer “{offer.title}” now? This cannot be undone.",
        details=["Shoppers can no longer claim it; coupons already issued stay valid until "
                 f"they expire ({offer.claimed_count} claimed so far)."],
        action=url_for(".end_offer", offer_id=offer.id), fields=[],
        button="Yes, end the offer", cancel=url_for(".offers"),
    )
