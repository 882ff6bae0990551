"""Shopper actions from a landing page (save, get coupon, feedback), the coupon page, the wish
list, the till (/pos) and the merchandiser's offer and feedback pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Optional
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from qrshop.accounts.auth import roles_required
from qrshop.accounts.models import Retailer, Role, Store
from qrshop.catalog.models import Listing, Product
from qrshop.catalog.services import format_price
from qrshop.content.models import Media
from qrshop.engagement import alerts, devices, identity, services, tokens
from qrshop.engagement.coupons import barcode_svg, display_code
from qrshop.engagement.forms import OFFER_KINDS, OfferForm, RedeemForm
from qrshop.errors import InvalidInput
from qrshop.extensions import csrf, db, limiter
from qrshop.shopper.services import find_landing_page
from qrshop.tags.codes import normalise_code
from qrshop.tags.qr import QUIET_ZONE, encode, svg_path_data

bp = Blueprint("engagement", __name__)


@dataclass(frozen=True)
class Brand:
    """The retailer theme the shopper templates need (the names LandingPage uses)."""

    retailer_name: str
    primary_colour: str
    accent_colour: str
    font: str
    footer_text: str
    logo_filename: Optional[str] = None
    logo_width: Optional[int] = None
    logo_height: Optional[int] = None


def brand_of(retailer: Retailer) -> Brand:
    """The theme of a retailer, for pages outside a landing page."""
    logo: Optional[Media] = retailer.logo
    return Brand(
        retailer.name, retailer.primary_colour, retailer.accent_colour, retailer.font,
        retailer.footer_text,
        f"{logo.sha256}.{logo.extension}" if logo else None,
        logo.width if logo else None, logo.height if logo else None,
    )


def _landing_page_or_404(code: str):
    canonical = normalise_code(code)
    page = find_landing_page(canonical) if canonical else None
    if page is None:
        abort(404, description="No tag has this code.")
    return page


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back_to(page, anchor: str = "engage"):
    """Back to the landing page; ?via= keeps the visit from counting as a shelf scan."""
    return redirect(f"/t/{page.code}?via=engage#{anchor}", code=303)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- shopper actions from a landing page ------------------------------------------------------


@bp.post("/t/<code>/save")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
def save(code: str):
    """Save the item to the shopper's wish list, or remove it (action=remove)."""
    page = _landing_page_or_404(code)
    identity.protect_shopper_form(page.retailer_id)
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    remove = request.form.get("action") == "remove"
    if remove:
        services.remove_from_wishlist(shopper_id=shopper_id, listing_id=page.listing_id)
    else:
        services.save_to_wishlist(shopper_id=shopper_id, listing_id=page.listing_id,
                                  store_id=page.store_id, tag_id=page.tag_id)
    response = jsonify(saved=not remove) if _wants_json() else _back_to(page)
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return _no_store(response)


@bp.post("/t/<code>/coupon")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
@limiter.limit("20 per hour", key_func=lambda: _shopper_rate_key(),
               error_message="Too many coupon requests from this phone; try again later.")
def claim(code: str):
    """Claim a coupon of the offer shown on the landing page, then show it."""
    page = _landing_page_or_404(code)
    identity.protect_shopper_form(page.retailer_id)
    if page.is_retired:
        abort(410, description="This tag is no longer in use; ask an associate for help.")
    offer_id = request.form.get("offer", "")
    if not offer_id.isdigit():
        abort(400, description="Choose an offer from the page.")
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    try:
        coupon = services.claim_coupon(
            int(offer_id), shopper_id=shopper_id, retailer_id=page.retailer_id,
            listing_id=page.listing_id, store_id=page.store_id,
        )
        response = redirect(url_for(".coupon", code=display_code(coupon.code)), code=303)
    except InvalidInput as error:
        db.session.rollback()
        body = render_template("shopper/coupon_unavailable.html", page=page,
                               message=error.message)
        response = make_response(body, error.status_code)
        if error.code == "already_claimed":
            is_new = False  # nothing was stored, and the shopper exists
    if is_new and response.status_code < 400:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return _no_store(response)


def _shopper_rate_key() -> str:
    """Rate-limit key: the shopper's cookies (per shopper), else the client address."""
    cookies = sorted(value for name, value in request.cookies.items() if name.startswith("qs"))
    return "shopper:" + ("|".join(cookies) or (request.remote_addr or "unknown"))


@bp.post("/t/<code>/feedback")
@csrf.exempt  # identity.protect_shopper_form checks the shopper-bound token
@limiter.limit("10 per hour", key_func=_shopper_rate_key,
               error_message="Thanks! You have sent a lot of feedback; try again later.")
def feedback(code: str):
    """Record the shopper's stars, "was this helpful?" answer and comment."""
    page = _landing_page_or_404(code)
    identity.protect_shopper_form(page.retailer_id)
    rating = request.form.get("rating", "")
    helpful = request.form.get("helpful", "")
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    services.leave_feedback(
        shopper_id=shopper_id, listing_id=page.listing_id, store_id=page.store_id,
        rating=int(rating) if rating.isdigit() else None,
        is_helpful={"yes": True, "no": False}.get(helpful),
        comment=request.form.get("comment", ""),
    )
    response = jsonify(thanks=True) if _wants_json() else _back_to(page, "feedback")
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return _no_store(response)


def _alerts_page(page, shopper_id, *, status=200, error=None, done=(), form=None):
    """The alerts sign-up page of a landing page's item."""
    form = form or {}
    subscriptions = alerts.subscriptions_of(shopper_id, page.listing_id)
    body = render_template(
        "shopper/alerts.html", page=page, subscriptions=subscriptions,
        unsubscribe_urls={s.id: alerts.unsubscribe_url(s) for s in subscriptions},
        topics=[(topic.value, name) for topic, name in alerts.TOPIC_NAMES.items()],
        chosen=form.get("topics") or [topic.value for topic in alerts.TOPIC_NAMES],
        email=form.get("email", ""), phone=form.get("phone", ""), error=error, done=done,
        consent=alerts.consent_text(page.retailer_name, page.product_name),
    )
    return _no_store(make_response(body, status))


@bp.get("/t/<code>/alerts")
def alerts_form(code: str):
    """Sign up for price-drop, back-in-stock and sale alerts about the item."""
    page = _landing_page_or_404(code)
    return _alerts_page(page, identity.current_shopper(page.retailer_id))


@bp.post("/t/<code>/alerts")
@limiter.limit("5 per hour", key_func=_shopper_rate_key,
               deduct_when=lambda response: response.status_code == 200,
               error_message="You have signed up for alerts many times; try again later.")
def alerts_signup(code: str):
    """Store the shopper's alert sign-up (and save the item); email waits for confirmation."""
    page = _landing_page_or_404(code)
    listing = db.session.get(Listing, page.listing_id)
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    form = {"topics": request.form.getlist("topics"), "email": request.form.get("email", ""),
            "phone": request.form.get("phone", "")}
    try:
        subscriptions = alerts.subscribe(
            shopper_id=shopper_id, listing=listing, store_id=page.store_id, tag_id=page.tag_id,
            email=form["email"], phone=form["phone"], topics=form["topics"],
            consented=request.form.get("consent") == "yes",
        )
    except InvalidInput as error:
        db.session.rollback()
        return _alerts_page(page, None if is_new else shopper_id, status=error.status_code,
                            error=error.message, form=form)
    response = _alerts_page(page, shopper_id,
                            done={subscription.channel for subscription in subscriptions})
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return response


def _message(heading: str, message: str, status: int = 200, **context):
    body = render_template("shopper/message.html", heading=heading, message=message, **context)
    return _no_store(make_response(body, status))


def _link_failed(error: InvalidInput):
    db.session.rollback()
    return _message("This link does not work", error.message, error.status_code)


@bp.get("/alerts/confirm/<token>")
def alerts_confirm(token: str):
    """Confirm an email alert subscription (the double opt-in link)."""
    try:
        subscription = alerts.confirm(token)
    except InvalidInput as error:
        return _link_failed(error)
    listing = subscription.listing
    return _message("Alerts confirmed",
                    f"You will get emails about {listing.product.name} at "
                    f"{listing.retailer.name}. Each one has a link to stop them.",
                    page=brand_of(listing.retailer))


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail apps POST here for List-Unsubscribe-Post one-click, without a form
def alerts_unsubscribe(token: str):
    """Stop a subscription with one click, no login."""
    try:
        subscription = alerts.unsubscribe(token)
    except InvalidInput as error:
        return _link_failed(error)
    listing = subscription.listing
    return _message("Unsubscribed",
                    f"You will get no more alerts about {listing.product.name} at "
                    f"{subscription.address}.", page=brand_of(listing.retailer))


# --- the shopper's own pages -----------------------------------------------------------------


@bp.get("/coupon/<code>")
def coupon(code: str):
    """The coupon, big on the phone: code and barcode for the till. Only its shopper sees it."""
    shoppers = identity.cookie_shoppers()
    claim = services.shoppers_coupon(code, set(services.linked_shoppers(shoppers)))
    if claim is None:
        abort(404, description="This coupon is not on this phone. Open it from the phone "
                               "that claimed it, or see your wish list.")
    offer = claim.offer
    body = render_template(
        "shopper/coupon.html", page=brand_of(offer.retailer), claim=claim, offer=offer,
        code=display_code(claim.code), value=services.describe_offer(offer),
        status=services.coupon_status(claim), barcode=barcode_svg(claim.code),
        item=claim.listing.product.name if claim.listing else None,
    )
    return _no_store(make_response(body))


def _qr(url: str) -> dict:
    """What the template needs to draw a QR as inline SVG."""
    matrix = encode(url)
    return {"url": url, "side": matrix.size + 2 * QUIET_ZONE, "path": svg_path_data(matrix)}


@bp.get("/wishlist")
def wishlist():
    """The shopper's saved items and coupons per retailer, with a QR to show at the counter."""
    shoppers = identity.cookie_shoppers()
    lists = services.wishlists(shoppers)
    page = None
    if len(shoppers) == 1:
        page = brand_of(db.session.get(Retailer, next(iter(shoppers))))
    counter = {wishlist.retailer_id: _qr(devices.counter_url(
        wishlist.retailer_id, shoppers[wishlist.retailer_id])) for wishlist in lists}
    context = {"lists": lists, "counter": counter,
               "counter_minutes": tokens.MAX_AGE[tokens.COUNTER] // 60,
               "message": request.args.get("sent") and "Check your inbox: we emailed you a "
                          "link. Open it on the other phone or computer."}
    if page is not None:
        context["page"] = page
    return _no_store(make_response(render_template("shopper/wishlist.html", **context)))


@bp.post("/wishlist/link")
@limiter.limit("5 per hour", key_func=_shopper_rate_key,
               deduct_when=lambda response: response.status_code < 400,
               error_message="We have sent you several links; try again later.")
def wishlist_link_request():
    """Email a magic link that opens this wish list on another device."""
    devices.request_magic_link(identity.cookie_shoppers(), request.form.get("email", ""))
    return redirect(url_for(".wishlist", sent=1), code=303)


@bp.get("/wishlist/link/<token>")
def wishlist_link(token: str):
    """Ask before joining this device to the wish list (mail scanners only GET links)."""
    try:
        email = devices.magic_link_email(token)
    except InvalidInput as error:
        return _link_failed(error)
    return _message("Use your wish list here",
                    f"Show the wish list and coupons of {email} on this device?",
                    form_action=url_for(".wishlist_link_open", token=token),
                    form_button="Yes, show my wish list")


@bp.post("/wishlist/link/<token>")
def wishlist_link_open(token: str):
    """Join this device to the wish list of the link's email."""
    try:
        _, created = devices.link_device(token, identity.cookie_shoppers())
    except InvalidInput as error:
        return _link_failed(error)
    response = redirect(url_for(".wishlist"), code=303)
    for retailer_id, shopper_id in created.items():
        identity.set_shopper_cookie(response, retailer_id, shopper_id)
    return _no_store(response)


# --- the till --------------------------------------------------------------------------------


def _redeem_form() -> RedeemForm:
    form = RedeemForm()
    stores = db.session.scalars(
        select(Store).where(Store.retailer_id == current_user.retailer_id).order_by(Store.code)
    ).all()
    if current_user.role == Role.ASSOCIATE:
        stores = [store for store in stores if store.id == current_user.store_id]
    form.store.choices = [(store.code, f"{store.code} · {store.name}") for store in stores]
    return form


@bp.route("/pos", methods=["GET", "POST"])
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos():
    """The till: type or scan a coupon code, see what it is for, enter the sale, redeem."""
    form = _redeem_form()
    status, looked_up, redeemed = 200, None, None
    raw_code = request.form.get("code") if request.method == "POST" else request.args.get("code")
    try:
        if request.method == "POST":
            if not form.validate_on_submit():
                raise InvalidInput("Fill in the code, the store and the sale amount.",
                                   status_code=400)
            redeemed = services.redeem_coupon(
                form.code.data, store_code=form.store.data, user=current_user,
                sale_amount_cents=services.parse_money(form.sale_amount.data, "Sale amount"),
            )
            flash(f"Coupon {display_code(redeemed.code)} redeemed: take "
                  f"{format_price(redeemed.discount_cents, redeemed.offer.currency)} off.",
                  "info")
            looked_up = redeemed
        elif raw_code:
            looked_up = services.coupon_for_till(raw_code, current_user)
            form.code.data = display_code(looked_up.code)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        status = error.status_code
        if request.method == "POST" and error.code in ("already_redeemed", "expired",
                                                       "not_valid_at_store"):
            looked_up = services.coupon_for_till(raw_code, current_user)
    details = None
    if looked_up is not None:
        details = {
            "code": display_code(looked_up.code), "title": looked_up.offer.title,
            "value": services.describe_offer(looked_up.offer),
            "status": services.coupon_status(looked_up),
            "item": looked_up.listing.product.name if looked_up.listing else None,
            "valid_at": looked_up.offer.store.code if looked_up.offer.store else "all stores",
            "scope": looked_up.offer.listing.product.name if looked_up.offer.listing
            else "any item",
            "expires_at": looked_up.expires_at, "redeemed_at": looked_up.redeemed_at,
            "redeemed_store": looked_up.redeemed_store.code if looked_up.redeemed_store
            else None,
            "discount": format_price(looked_up.discount_cents, looked_up.offer.currency)
            if looked_up.discount_cents is not None else None,
            "terms": looked_up.offer.terms,
        }
    if redeemed is not None:
        form.code.data, form.sale_amount.data = "", ""
    return render_template("pos/pos.html", form=form, details=details,
                           redeemed=redeemed is not None), status


@bp.get("/pos/wishlist")
@bp.get("/pos/wishlist/<token>")
@roles_required(Role.ASSOCIATE, Role.MERCHANDISER)
def pos_wishlist(token: str = ""):
    """A shopper's wish list shown at the counter: read-only, this retailer's only."""
    token = token or request.args.get("code", "")
    try:
        shown = devices.wishlist_for_counter(token, current_user)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("pos/wishlist.html", wishlist=None), error.status_code
    return _no_store(make_response(render_template("pos/wishlist.html", wishlist=shown)))


# --- the merchandiser's console ---------------------------------------------------------------


def _offer_form() -> OfferForm:
    form = OfferForm()
    form.kind.choices = OFFER_KINDS
    retailer_id = current_user.retailer_id
    listings = db.session.execute(
        select(Listing.id, Listing.sku, Product.name)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == retailer_id).order_by(Product.name)
    ).all()
    form.listing.choices = [("", "Every item")] + [
        (str(listing_id), f"{name} ({sku})") for listing_id, sku, name in listings]
    stores = db.session.scalars(
        select(Store).where(Store.retailer_id == retailer_id).order_by(Store.code)).all()
    form.store.choices = [("", "Every store")] + [
        (str(store.id), f"{store.code} · {store.name}") for store in stores]
    return form


def _console_timezone(store: Optional[Store]) -> ZoneInfo:
    """Offer times are typed in the store's time zone (or the retailer's first store's)."""
    if store is None:
        store = db.session.scalar(select(Store).where(
            Store.retailer_id == current_user.retailer_id).order_by(Store.code).limit(1))
    try:
        return ZoneInfo(store.timezone if store else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _owned(model, raw_id: str):
    """A listing or store of the user's retailer by id, or None for 'every'."""
    if not raw_id:
        return None
    found = db.session.get(model, int(raw_id)) if raw_id.isdigit() else None
    if found is None or found.retailer_id != current_user.retailer_id:
        raise InvalidInput("Choose an item and a store from the lists.")
    return found


@bp.route("/console/offers", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def offers():
    """The retailer's offers, and a form to create one."""
    form = _offer_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                store = _owned(Store, form.store.data)
                listing = _owned(Listing, form.listing.data)
                zone = _console_timezone(store)
                amount = None
                if form.kind.data == "amount":
                    amount = services.parse_money(form.amount_off.data, "Amount off")
                offer = services.create_offer(
                    current_user.retailer, title=form.title.data, kind=form.kind.data,
                    percent_off=form.percent_off.data, amount_off_cents=amount,
                    perk_text=form.perk_text.data, listing=listing, store=store,
                    starts_at=form.starts_at.data.replace(tzinfo=zone).astimezone(UTC),
                    ends_at=form.ends_at.data.replace(tzinfo=zone).astimezone(UTC),
                    total_limit=form.total_limit.data,
                    per_shopper_limit=form.per_shopper_limit.data,
                    coupon_valid_days=form.coupon_valid_days.data, terms=form.terms.data,
                    created_by=current_user,
                )
                flash(f"Offer “{offer.title}” created.", "info")
                return redirect(url_for(".offers"), code=303)
            except InvalidInput as error:
                db.session.rollback()
                flash(error.message, "error")
                status = error.status_code
        else:
            problems = [f"{form[name].label.text}: {errors[0]}"
                        for name, errors in form.errors.items() if name != "csrf_token"]
            flash("; ".join(problems) or "The form expired; please send it again.", "error")
            status = 400
    rows = [(offer, services.describe_offer(offer)) for offer in
            services.offers_of(current_user.retailer_id)]
    return render_template("console/offers.html", form=form, offers=rows,
                           now=datetime.now(UTC), timezone=_console_timezone(None).key), status


@bp.post("/console/offers/<int:offer_id>/end")
@roles_required(Role.MERCHANDISER)
def end_offer(offer_id: int):
    """End an offer now."""
    offer = services.end_offer(current_user.retailer_id, offer_id)
    flash(f"Offer “{offer.title}” ended.", "info")
    return redirect(url_for(".offers"), code=303)


@bp.get("/console/feedback")
@roles_required(Role.MERCHANDISER)
def feedback_report():
    """Shoppers' feedback per listing."""
    return render_template("console/feedback.html",
                           rows=services.feedback_by_listing(current_user.retailer_id))


# --- items and alerts in the console ---------------------------------------------------------


def _own_listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.retailer_id != current_user.retailer_id:
        abort(404, description="No such item.")
    return listing


@bp.get("/console/items")
@roles_required(Role.MERCHANDISER)
def items():
    """The retailer's items: price (lowering it alerts subscribers), alerts, complete the look."""
    listings = db.session.scalars(
        select(Listing).join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == current_user.retailer_id).order_by(Product.name)
    ).all()
    return render_template("console/items.html", listings=listings,
                           audience=alerts.alert_audience(current_user.retailer_id),
                           topics=list(alerts.TOPIC_NAMES.items()))


@bp.post("/console/items/<int:listing_id>/price")
@roles_required(Role.MERCHANDISER)
def change_price(listing_id: int):
    """Change an item's price; a lower price queues a price-drop alert."""
    listing = _own_listing(listing_id)
    try:
        change = alerts.change_price(
            listing, services.parse_money(request.form.get("price"), "Price"))
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".items"), code=303)
    message = (f"{listing.product.name} now costs "
               f"{format_price(change.new_cents, listing.currency)}.")
    if change.new_cents < change.old_cents:
        message += f" Price-drop alert queued for {change.alerts_queued} subscriber(s)."
    flash(message, "info")
    return redirect(url_for(".items"), code=303)


@bp.post("/console/items/<int:listing_id>/alert")
@roles_required(Role.MERCHANDISER)
def send_alert(listing_id: int):
    """Send a back-in-stock, sale or price-drop alert about an item to its subscribers."""
    listing = _own_listing(listing_id)
    try:
        queued = alerts.send_alert(listing, request.form.get("topic", ""),
                                   request.form.get("note", ""))
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".items"), code=303)
    flash(f"Alert about {listing.product.name} queued for {queued} subscriber(s); "
          "`qrshop outbox send` delivers it.", "info")
    return redirect(url_for(".items"), code=303)


# --- the vendor portal -----------------------------------------------------------------------


@bp.get("/vendor/feedback")
@roles_required(Role.VENDOR)
def vendor_feedback():
    """Shoppers' feedback on this vendor's products, per product and retailer (no shoppers)."""
    return render_template("vendor/feedback.html",
                           rows=services.feedback_for_vendor(current_user.vendor_id))
