"""Alerts about a saved item: sign-up (double opt-in by email and SMS), confirm, unsubscribe,
send.

A sign-up queues one message, with a confirm link; no alert goes out until that link is
opened and its button pressed, so nobody can sign a stranger's address or number up for
alerts. Every message carries a one-click unsubscribe link (a signed token, no login needed);
emails also carry it as List-Unsubscribe. Messages are queued in the outbox, never sent in a
request; the sign-up messages count toward the outbox's per-recipient cap, alerts do not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import phonenumbers
from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from qrshop import tokens
from qrshop.alerts.models import AlertTopic, Channel, Subscription
from qrshop.alerts.outbox import check_recipient_cap, queue_message
from qrshop.catalog import queries as catalog
from qrshop.catalog.services import format_price, set_price
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.i18n import N_
from qrshop.mail import normalise_email
from qrshop.pagination import Page
from qrshop.tags import queries as tags
from qrshop.webhooks.emit import emit_for_listing
from qrshop.wishlist.services import save_to_wishlist

if TYPE_CHECKING:  # type hints only
    from qrshop.catalog.models import Listing

TOPIC_NAMES = {
    AlertTopic.PRICE_DROP: N_("Price drop"),
    AlertTopic.BACK_IN_STOCK: N_("Back in stock"),
    AlertTopic.SALE: N_("Sale"),
}


def shopper_topic_names() -> dict[AlertTopic, str]:
    """TOPIC_NAMES in the shopper's language (the sign-up form)."""
    return {topic: gettext(name) for topic, name in TOPIC_NAMES.items()}


def consent_text(retailer_name: str, product_name: str) -> str:
    """The consent a shopper gives by signing up, exactly as the form shows it (in their
    language; the stored subscription keeps the text they agreed to)."""
    return gettext(
        "I agree that %(retailer)s may send me alerts about %(product)s on the topics I "
        "ticked: by email once I confirm my address, and by text message to the number I "
        "give (message and data rates may apply). Every message has a link to unsubscribe "
        "at once.", retailer=retailer_name, product=product_name)


def normalise_phone(raw: str) -> str:
    """A mobile number in E.164 (+14155550123); InvalidInput saying what is wrong."""
    text = (raw or "").strip()
    problem = N_("Give the mobile number with its country code, like +1 415 555 0123.")
    if not text.startswith("+"):
        raise InvalidInput(problem, code="invalid_phone")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(problem, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(N_("%(number)s is not a valid phone number. Give the mobile number "
                              "with its country code, like +1 415 555 0123."),
                           values={"number": text}, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_topics(raw: list[str]) -> list[str]:
    """The chosen topics in a fixed order; at least one."""
    chosen = [topic.value for topic in AlertTopic if topic.value in set(raw or [])]
    if not chosen:
        raise InvalidInput(N_("Tick at least one thing to be told about."), code="no_topics")
    return chosen


def _link(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def unsubscribe_url(subscription: Subscription) -> str:
    """The one-click unsubscribe link of a subscription."""
    return _link(f"/alerts/unsubscribe/{tokens.make(tokens.UNSUBSCRIBE, subscription.id)}")


def confirm_url(subscription: Subscription) -> str:
    """The double opt-in link of a subscription (it opens a page whose button confirms).

    The token names the address too (by a short hash: no address in URLs and logs), so a
    link sent to one address never confirms the subscription after its address was changed.
    """
    token = tokens.make(tokens.CONFIRM, [subscription.id, _address_tag(subscription.address)])
    return _link(f"/alerts/confirm/{token}")


def _address_tag(address: str) -> str:
    """A short fingerprint of an address for a signed link (the signature makes it binding)."""
    return hashlib.sha256(address.encode()).hexdigest()[:12]


def _queue_to(subscription: Subscription, subject: str, text: str, *, capped: bool) -> None:
    """Queue one message to a subscription's address, with its unsubscribe link."""
    link = unsubscribe_url(subscription)
    if subscription.channel == Channel.EMAIL:
        body = f"{text}\n\n--\n" + gettext("Stop these alerts with one click: %(link)s",
                                            link=link) + "\n"
    else:
        body = f"{text} " + gettext("Stop: %(link)s", link=link)
    queue_message(channel=subscription.channel, recipient=subscription.address,
                  subject=subject, body=body, unsubscribe_url=link, capped=capped)


def _queue_opt_in(subscription: Subscription, product: str, retailer: str) -> None:
    """Queue the one message of a sign-up: the link that starts the alerts (capped)."""
    confirm = confirm_url(subscription)
    if subscription.channel == Channel.SMS:
        _queue_to(subscription, "", gettext(
            "%(retailer)s: tap to start alerts about %(product)s: %(link)s Not you? Ignore "
            "this text.", retailer=retailer, product=product, link=confirm), capped=True)
        return
    _queue_to(subscription, gettext("Confirm your alerts about %(product)s", product=product),
              gettext("Hello,\n\nsomeone (we hope you) asked %(retailer)s to email this "
                      "address about %(product)s. To start the alerts, open this link:\n\n"
                      "%(link)s\n\nIf it was not you, ignore this email: you will get "
                      "nothing more.", retailer=retailer, product=product, link=confirm),
              capped=True)


def _is_live(subscription: Optional[Subscription], address: str) -> bool:
    """Whether a subscription is confirmed, not stopped, and to this address."""
    return subscription is not None and subscription.confirmed_at is not None \
        and subscription.unsubscribed_at is None and subscription.address == address


def subscribe(
    *, shopper_id: str, listing: Listing, store_id: int, tag_id: int, email: str, phone: str,
    topics: list[str], consented: bool,
) -> list[Subscription]:
    """Sign a shopper up for alerts about a listing by email and/or SMS, saving the item.

    Everything is checked before anything is stored, the per-recipient cap too (429). A
    subscription, by email or SMS, stays unconfirmed (no alerts) until its link is opened;
    changing the address asks again.
    """
    wanted = {}
    if (email or "").strip():
        wanted[Channel.EMAIL] = normalise_email(email)
    if (phone or "").strip():
        wanted[Channel.SMS] = normalise_phone(phone)
    if not wanted:
        raise InvalidInput(N_("Give an email address or a mobile number (or both)."),
                           code="no_address")
    chosen = ",".join(parse_topics(topics))
    if not consented:
        raise InvalidInput(N_("Tick the box to agree to receive the alerts."), code="no_consent")
    existing = {subscription.channel: subscription for subscription in db.session.scalars(
        select(Subscription).where(Subscription.shopper_id == shopper_id,
                                   Subscription.listing_id == listing.id))}
    for channel, address in wanted.items():
        if not _is_live(existing.get(channel.value), address):
            check_recipient_cap(channel.value, address)
    now = utcnow()
    consent = consent_text(listing.retailer.name, listing.product.name)
    save_to_wishlist(shopper_id=shopper_id, listing_id=listing.id, store_id=store_id,
                     tag_id=tag_id)
    result = []
    for channel, address in wanted.items():
        insert_ignoring_duplicates(Subscription, {
            "shopper_id": shopper_id, "listing_id": listing.id, "channel": channel.value,
            "address": address, "topics": chosen, "consent_text": consent,
            "consented_at": now, "created_at": now, "updated_at": now,
        }, ["shopper_id", "listing_id", "channel"])
        subscription = db.session.scalar(
            select(Subscription).where(Subscription.shopper_id == shopper_id,
                                       Subscription.listing_id == listing.id,
                                       Subscription.channel == channel.value)
            .execution_options(populate_existing=True)
        )
        was_confirmed = _is_live(subscription, address)
        subscription.address, subscription.topics = address, chosen
        subscription.consent_text, subscription.consented_at = consent, now
        subscription.unsubscribed_at = None
        if not was_confirmed:
            subscription.confirmed_at = None
            db.session.flush()
            _queue_opt_in(subscription, listing.product.name, listing.retailer.name)
        db.session.flush()
        result.append(subscription)
    return result


def _subscription_from(purpose: str, token: str) -> Subscription:
    """The subscription a link names; InvalidInput 404 forged, 410 expired."""
    try:
        payload = tokens.read(purpose, token)
    except tokens.TokenExpired:
        raise InvalidInput(N_("This link has expired. Sign up again from the item's page."),
                           code="link_expired", status_code=410) from None
    subscription_id, address_tag = payload, None
    if isinstance(payload, list) and len(payload) == 2:  # confirm links: [id, address tag]
        subscription_id, address_tag = payload
    subscription = db.session.get(Subscription, subscription_id) \
        if isinstance(subscription_id, int) else None
    if subscription is not None and purpose == tokens.CONFIRM and not (
            address_tag == _address_tag(subscription.address)
            # a link sent before confirm links named the address: email only, as then
            or (address_tag is None and subscription.channel == Channel.EMAIL)):
        subscription = None
    if subscription is None:
        raise InvalidInput(N_("This link is not valid. Copy the whole link from the message."),
                           code="bad_link", status_code=404)
    return subscription


def subscription_to_confirm(token: str) -> Subscription:
    """The subscription a confirm link names (checks it, changes nothing)."""
    return _subscription_from(tokens.CONFIRM, token)


def subscription_to_unsubscribe(token: str) -> Subscription:
    """The subscription an unsubscribe link names (checks it, changes nothing)."""
    return _subscription_from(tokens.UNSUBSCRIBE, token)


def confirm(token: str) -> Subscription:
    """Confirm a subscription, email or SMS, from its link (double opt-in)."""
    subscription = _subscription_from(tokens.CONFIRM, token)
    if subscription.unsubscribed_at is not None:
        raise InvalidInput(N_("You unsubscribed from these alerts; sign up again from the "
                              "item's page."), code="unsubscribed", status_code=410)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.flush()
        emit_for_listing("subscription.confirmed", listing_id=subscription.listing_id,
                         shopper_id=subscription.shopper_id, channel=subscription.channel,
                         topics=[topic for topic in subscription.topics.split(",") if topic])
    return subscription


def unsubscribe(token: str) -> Subscription:
    """Stop a subscription from the link in any of its messages (no login)."""
    subscription = _subscription_from(tokens.UNSUBSCRIBE, token)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
        db.session.flush()
    return subscription


def subscriptions_of(shopper_id: Optional[str], listing_id: int) -> list[Subscription]:
    """A shopper's live subscriptions to a listing."""
    if shopper_id is None:
        return []
    return list(db.session.scalars(
        select(Subscription).where(Subscription.shopper_id == shopper_id,
                                   Subscription.listing_id == listing_id,
                                   Subscription.unsubscribed_at.is_(None))
        .order_by(Subscription.channel)
    ))


def _page_link(listing: Listing) -> Optional[str]:
    """A link to the listing's landing page through one of its active tags."""
    code = tags.first_active_tag_code(listing.id)
    return _link(f"/t/{code}?via=alert") if code else None


@dataclass(frozen=True)
class AlertDraft:
    """An alert about a listing as it would be sent, and who would get it."""

    topic: AlertTopic
    headline: str
    text: str
    recipients: list[Subscription]


def draft_alert(listing: Listing, topic: str, note: str = "") -> AlertDraft:
    """Check an alert and write it; send_alert queues it (the console asks first)."""
    try:
        topic = AlertTopic(topic)
    except ValueError:
        raise InvalidInput("Choose price drop, back in stock or sale.") from None
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput("Keep the note under 300 characters.")
    product, retailer = listing.product.name, listing.retailer.name
    price = format_price(listing.price_cents, listing.currency)
    headline = {
        AlertTopic.PRICE_DROP: f"Price drop: {product} is now {price} at {retailer}",
        AlertTopic.BACK_IN_STOCK: f"Back in stock: {product} at {retailer}",
        AlertTopic.SALE: f"Sale at {retailer}: {product}",
    }[topic]
    text = f"{headline}." + (f" {note.rstrip('.')}." if note else "")
    link = _page_link(listing)
    if link:
        text += f" See it: {link}"
    subscriptions = db.session.scalars(
        select(Subscription).where(Subscription.listing_id == listing.id,
                                   Subscription.confirmed_at.is_not(None),
                                   Subscription.unsubscribed_at.is_(None))
        .order_by(Subscription.id)
    ).all()
    recipients = [s for s in subscriptions if topic.value in s.topic_list]
    return AlertDraft(topic, headline, text, recipients)


def send_alert(listing: Listing, topic: str, note: str = "") -> int:
    """Queue an alert about a listing to every confirmed subscriber of that topic."""
    draft = draft_alert(listing, topic, note)
    for subscription in draft.recipients:
        # Not capped: the subscriber asked for these by confirming, and can stop them.
        _queue_to(subscription, draft.headline, draft.text, capped=False)
    return len(draft.recipients)


@dataclass(frozen=True)
class PriceChange:
    """A new price, and how many price-drop alerts it queued."""

    old_cents: int
    new_cents: int
    alerts_queued: int


def change_price(listing: Listing, price_cents: int) -> PriceChange:
    """Set a listing's price; lowering it queues a price-drop alert to its subscribers."""
    old = set_price(listing, price_cents)
    queued = send_alert(listing, AlertTopic.PRICE_DROP) if price_cents < old else 0
    return PriceChange(old, price_cents, queued)


def alert_audience(retailer_id: int, listing_ids: Optional[list[int]] = None) -> dict[int, int]:
    """{listing_id: confirmed live subscriptions} for a retailer's listings (or these)."""
    statement = (
        select(Subscription.listing_id, func.count())
        .where(Subscription.listing_id.in_(catalog.listing_ids_of(retailer_id)),
               Subscription.confirmed_at.is_not(None),
               Subscription.unsubscribed_at.is_(None))
        .group_by(Subscription.listing_id)
    )
    if listing_ids is not None:
        statement = statement.where(Subscription.listing_id.in_(listing_ids))
    return dict(db.session.execute(statement).all())


def listings_page(retailer_id: int, *, page: int = 1, query: str = "") -> Page:
    """One page of the retailer's items by product name; query matches the name or the SKU."""
    return catalog.listings_by_name_page(retailer_id, page=page, query=query)
