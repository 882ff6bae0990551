"""Shopper pages of alerts: sign up from a landing page, confirm, unsubscribe."""

from __future__ import annotations

from flask import make_response, render_template, request, url_for
from flask_babel import gettext

from qrshop.alerts import services as alerts
from qrshop.alerts.views import bp
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.extensions import csrf
from qrshop.i18n import N_
from qrshop.shopper import identity
from qrshop.shopper.actions import (
    brand_of,
    landing_page_or_404,
    limit_shopper_action,
    link_failed,
    message_page,
    no_store,
    shopper_message,
)

# Which field a refusal's message is shown next to, by its code (else above the form).
ERROR_FIELDS = {"invalid_email": "email", "no_address": "email", "invalid_phone": "phone",
                "no_topics": "topics", "no_consent": "consent"}


def _alerts_page(page, shopper_id, *, status=200, error=None, done=(), form=None):
    """The alerts sign-up page of a landing page's item; a refusal (InvalidInput) is shown
    next to its field, with what the shopper typed kept."""
    form = form or {}
    subscriptions = alerts.subscriptions_of(shopper_id, page.listing_id)
    body = render_template(
        "shopper/alerts.html", page=page, subscriptions=subscriptions,
        unsubscribe_urls={s.id: alerts.unsubscribe_url(s) for s in subscriptions},
        topics=[(topic.value, name) for topic, name in alerts.shopper_topic_names().items()],
        chosen=form.get("topics") or [topic.value for topic in alerts.TOPIC_NAMES],
        email=form.get("email", ""), phone=form.get("phone", ""), done=done,
        consented=form.get("consent") == "yes",
        errors={ERROR_FIELDS.get(error.code, "form"): shopper_message(error)} if error else {},
        consent=alerts.consent_text(page.retailer_name, page.product_name),
    )
    return no_store(make_response(body, status))


@bp.get("/t/<code>/alerts")
def alerts_form(code: str):
    """Sign up for price-drop, back-in-stock and sale alerts about the item."""
    page = landing_page_or_404(code)
    return _alerts_page(page, identity.current_shopper(page.retailer_id))


@bp.post("/t/<code>/alerts")
@limit_shopper_action("5 per hour", "30 per hour",
                      N_("You have signed up for alerts many times; try again later."))
def alerts_signup(code: str):
    """Store the shopper's alert sign-up (and save the item); email waits for confirmation."""
    page = landing_page_or_404(code)
    listing = catalog.listing(page.listing_id)
    shopper_id, is_new = identity.shopper_or_new(page.retailer_id)
    form = {"topics": request.form.getlist("topics"), "email": request.form.get("email", ""),
            "phone": request.form.get("phone", ""), "consent": request.form.get("consent")}
    try:
        subscriptions = alerts.subscribe(
            shopper_id=shopper_id, listing=listing, store_id=page.store_id, tag_id=page.tag_id,
            email=form["email"], phone=form["phone"], topics=form["topics"],
            consented=form["consent"] == "yes",
        )
    except InvalidInput as error:
        # subscribe() checks everything before it stores anything; the 4xx rolls back the
        # shopper row of a new shopper, whose cookie is not set.
        return _alerts_page(page, None if is_new else shopper_id, status=error.status_code,
                            error=error, form=form)
    response = _alerts_page(page, shopper_id,
                            done={subscription.channel for subscription in subscriptions})
    if is_new:
        identity.set_shopper_cookie(response, page.retailer_id, shopper_id)
    return response


# Confirm and unsubscribe links: GET shows a page whose button POSTs to the same URL, and only
# the POST acts, so mail scanners and link previews (which GET every link) change nothing.
# Both POSTs are CSRF-exempt: the signed token in the URL is the secret. A cross-site page can
# only POST it if it already knows it, and whoever knows it can POST it directly anyway, so a
# form token would protect nothing; it would only break the button when the session cookie
# is missing (another browser, cookies blocked) and RFC 8058 one-click unsubscribe, where the
# mail app POSTs "List-Unsubscribe=One-Click" with no form token.


def _start_question(subscription, listing) -> str:
    """Whole sentences per channel, so each language words them its own way."""
    values = {"product": listing.product.name, "retailer": listing.retailer.name,
              "address": subscription.address}
    if subscription.channel == "sms":
        return gettext("Send texts about %(product)s at %(retailer)s to %(address)s?",
                       **values)
    return gettext("Send emails about %(product)s at %(retailer)s to %(address)s?", **values)


def _started(subscription, listing) -> str:
    """The confirmed page's sentence, per channel."""
    values = {"product": listing.product.name, "retailer": listing.retailer.name}
    if subscription.channel == "sms":
        return gettext("You will get texts about %(product)s at %(retailer)s. Each one has a "
                       "link to stop them.", **values)
    return gettext("You will get emails about %(product)s at %(retailer)s. Each one has a "
                   "link to stop them.", **values)


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt
def alerts_confirm(token: str):
    """Confirm an alert subscription, email or SMS (the double opt-in link): GET asks, POST
    confirms."""
    try:
        if request.method != "POST":
            subscription = alerts.subscription_to_confirm(token)
            listing = subscription.listing
            return message_page(
                gettext("Start these alerts?"), _start_question(subscription, listing),
                page=brand_of(listing.retailer),
                form_action=url_for(".alerts_confirm", token=token),
                form_button=gettext("Yes, start the alerts"))
        subscription = alerts.confirm(token)
    except InvalidInput as error:
        return link_failed(error)
    listing = subscription.listing
    return message_page(gettext("Alerts confirmed"), _started(subscription, listing),
                        page=brand_of(listing.retailer))


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail apps POST here for List-Unsubscribe-Post one-click, without a form
def alerts_unsubscribe(token: str):
    """Stop a subscription, no login: GET asks, POST (the button, or a mail app's one-click
    List-Unsubscribe-Post) stops it."""
    try:
        if request.method != "POST":
            subscription = alerts.subscription_to_unsubscribe(token)
            listing = subscription.listing
            return message_page(
                gettext("Stop these alerts?"),
                gettext("Stop the alerts about %(product)s at %(retailer)s to %(address)s?",
                        product=listing.product.name, retailer=listing.retailer.name,
                        address=subscription.address),
                page=brand_of(listing.retailer),
                form_action=url_for(".alerts_unsubscribe", token=token),
                form_button=gettext("Yes, unsubscribe"))
        subscription = alerts.unsubscribe(token)
    except InvalidInput as error:
        return link_failed(error)
    listing = subscription.listing
    return message_page(gettext("Unsubscribed"),
                        gettext("You will get no more alerts about %(product)s at "
                                "%(address)s.", product=listing.product.name,
                                address=subscription.address),
                        page=brand_of(listing.retailer))
