"""The console's items page: prices (lowering one alerts subscribers) and sending alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.alerts import services as alerts
from qrshop.alerts.views import bp
from qrshop.catalog import queries as catalog
from qrshop.catalog.services import format_price
from qrshop.errors import InvalidInput
from qrshop.money import parse_money
from qrshop.pagination import page_number, search_text

if TYPE_CHECKING:  # type hints only
    from qrshop.catalog.models import Listing


def _own_listing(listing_id: int) -> Listing:
    return catalog.owned_listing(listing_id, current_user.retailer_id, "No such item.")


@bp.get("/console/items")
@roles_required(Role.MERCHANDISER)
def items():
    """The retailer's items, 50 a page (?page=, ?q= name or SKU): price (lowering it alerts
    subscribers), alerts, complete the look."""
    page = alerts.listings_page(current_user.retailer_id,
                                page=page_number(request.args.get("page")),
                                query=search_text(request.args.get("q")))
    audience = alerts.alert_audience(current_user.retailer_id,
                                     [listing.id for listing in page.rows])
    return render_template("console/items.html", page=page, listings=page.rows,
                           audience=audience, topics=list(alerts.TOPIC_NAMES.items()))


# On bad input both actions redirect back (303, as before) with the message: the services
# check every value before they write anything, so nothing half-stored can be committed.


@bp.post("/console/items/<int:listing_id>/price")
@roles_required(Role.MERCHANDISER)
def change_price(listing_id: int):
    """Change an item's price; a lower price queues a price-drop alert."""
    listing = _own_listing(listing_id)
    try:
        change = alerts.change_price(listing, parse_money(request.form.get("price"), "Price"))
    except InvalidInput as error:
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
    topic, note = request.form.get("topic", ""), request.form.get("note", "")
    try:
        if request.form.get("confirm") != "yes":
            return _confirm_alert(listing, alerts.draft_alert(listing, topic, note), note)
        queued = alerts.send_alert(listing, topic, note)
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for(".items"), code=303)
    flash(f"Alert about {listing.product.name} queued for {queued} subscriber(s); "
          "`qrshop outbox send` delivers it.", "info")
    return redirect(url_for(".items"), code=303)


def _confirm_alert(listing: Listing, draft: alerts.AlertDraft, note: str):
    """The page that asks before an alert goes out; its button posts confirm=yes."""
    count = len(draft.recipients)
    return render_template(
        "console/confirm.html", heading="Send this alert?",
        question=f"Send the {alerts.TOPIC_NAMES[draft.topic].lower()} alert about "
                 f"{listing.product.name} to {count} subscriber(s)? "
                 "Messages cannot be called back once sent.",
        details=[f"They will read: {draft.text}"] if count else
                ["Nobody has subscribed to this alert yet, so nothing will be sent."],
        action=url_for(".send_alert", listing_id=listing.id),
        fields=[("topic", draft.topic.value), ("note", note)],
        button=f"Yes, send to {count} subscriber(s)", cancel=url_for(".items"),
    )
