"""Hold it for me: a shopper asks a store to put an item aside; the store's pick list
(/pos/holds) marks it ready (the shopper is told), collected or cancelled; a hold not
collected in the store's hold time expires (the shopper is told). See
docs/ask-an-associate.md."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from qrshop.accounts.roles import Role
from qrshop.alerts import outbox
from qrshop.alerts.services import normalise_phone
from qrshop.assist.models import HOLD_ACTIVE, Hold, StoreAssist
from qrshop.assist.services import clean_text, first_name, settings_of
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import format_local_datetime
from qrshop.mail import normalise_email

NAME_MAX, SIZE_MAX = 80, 60
HOLD_HOURS_MAX = 168
# A store holds at most this many holds not yet made ready: past it, shoppers are asked to
# go to the till (a script cannot fill the pick list).
STORE_PLACED_MAX = 50
SHOWN_CLOSED_FOR = timedelta(hours=12)  # collected/cancelled/expired stay on the list


class HoldMoved(InvalidInput):
    """The hold is no longer in a state that allows this (someone else was first): 409."""

    status_code = 409
    code = "hold_moved"


def set_hold_settings(store_id: int, *, holds_enabled: bool, hold_hours: int) -> StoreAssist:
    """Whether a store takes holds and how long it keeps one (1-168 hours)."""
    if not 1 <= hold_hours <= HOLD_HOURS_MAX:
        raise InvalidInput("Hours a hold is kept: 1 to 168.", code="invalid_hold_hours")
    settings = settings_of(store_id) or StoreAssist(store_id=store_id, enabled=False,
                                                    opening_hours="", unclaimed_minutes=5)
    settings.holds_enabled, settings.hold_hours = holds_enabled, hold_hours
    db.session.add(settings)
    db.session.flush()
    return settings


def takes_holds(store_id: int) -> Optional[StoreAssist]:
    """The store's settings if it takes holds, else None."""
    settings = settings_of(store_id)
    return settings if settings is not None and settings.holds_enabled else None


def active_hold_of(shopper_id: str, listing_id: int) -> Optional[Hold]:
    """The shopper's hold of this item still placed or ready (one at a time)."""
    return db.session.scalar(select(Hold).where(
        Hold.shopper_id == shopper_id, Hold.listing_id == listing_id,
        Hold.status.in_(HOLD_ACTIVE)))


def active_holds_of(retailer_id: int, shopper_ids, *, store_id: Optional[int] = None
                    ) -> list[Hold]:
    """The active holds of these shopper ids (one person's devices) at a retailer, newest
    first; only one store's with store_id (the client book)."""
    query = select(Hold).where(Hold.retailer_id == retailer_id,
                               Hold.shopper_id.in_(shopper_ids), Hold.status.in_(HOLD_ACTIVE))
    if store_id is not None:
        query = query.where(Hold.store_id == store_id)
    return list(db.session.scalars(query.order_by(Hold.created_at.desc())))


def _contact(form: dict) -> tuple[Optional[str], Optional[str]]:
    """(phone, email) from the form, at least one; translated refusals."""
    phone = email = None
    if (form.get("phone") or "").strip():
        try:
            phone = normalise_phone(form["phone"])
        except InvalidInput:
            raise InvalidInput(gettext("Give the mobile number with its country code, like "
                                       "+1 415 555 0123."), code="invalid_phone") from None
    if (form.get("email") or "").strip():
        try:
            email = normalise_email(form["email"])
        except InvalidInput:
            raise InvalidInput(gettext("That e-mail address does not work; check it."),
                               code="invalid_email") from None
    if phone is None and email is None:
        raise InvalidInput(gettext("Give a mobile number or an e-mail address (or both) so "
                                   "the store can tell you when it is ready."),
                           code="no_contact", status_code=400)
    return phone, email


def place_hold(page, shopper_id: str, form: dict, *, consent_text: str, locale: str,
               now: Optional[datetime] = None) -> tuple[Hold, bool]:
    """A shopper's hold from a landing page: (hold, created). The shopper's active hold of
    the item is returned instead of a second one. InvalidInput (4xx) with nothing stored
    when the store takes no holds or the form is wrong."""
    now = now or utcnow()
    settings = takes_holds(page.store_id)
    if settings is None:
        raise InvalidInput(gettext("This store does not hold items for shoppers."),
                           code="not_offered", status_code=403)
    existing = active_hold_of(shopper_id, page.listing_id)
    if existing is not None:
        return existing, False
    name = clean_text(form.get("name"), NAME_MAX, gettext("Your name"))
    if not name:
        raise InvalidInput(gettext("Give the name the store should hold it under."),
                           code="no_name", status_code=400)
    size = clean_text(form.get("size"), SIZE_MAX, gettext("The size or colour"))
    phone, email = _contact(form)
    if form.get("consent") != "yes":
        raise InvalidInput(gettext("Tick the box to agree to be told about your hold."),
                           code="no_consent", status_code=400)
    placed = db.session.scalar(select(db.func.count()).select_from(Hold).where(
        Hold.store_id == page.store_id, Hold.status == "placed"))
    if placed >= STORE_PLACED_MAX:
        raise InvalidInput(gettext("This store has many holds to prepare right now; please "
                                   "ask at the till."), code="store_busy", status_code=429)
    hold = Hold(
        token=secrets.token_urlsafe(16), retailer_id=page.retailer_id, store_id=page.store_id,
        listing_id=page.listing_id, tag_code=page.code, revision_id=page.live_revision_id,
        shopper_id=shopper_id, name=name, phone=phone, email=email, size=size,
        consent_text=consent_text, consented_at=now, locale=locale, status="placed",
        expires_at=now + timedelta(hours=settings.hold_hours), ready_by_name="",
        closed_by_name="", created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():  # the partial unique index decides a race
            db.session.add(hold)
    except IntegrityError:
        existing = active_hold_of(shopper_id, page.listing_id)
        if existing is None:
            raise
        return existing, False
    return hold, True


def hold_by_token(token: str) -> Optional[Hold]:
    """A hold by the shopper's token."""
    return db.session.scalar(select(Hold).where(Hold.token == token))


# The store's side ------------------------------------------------------------------------

def visible_to(user, hold: Hold) -> bool:
    """Associates see their store's holds; merchandisers every store of their retailer."""
    if user.role == Role.ASSOCIATE.value:
        return hold.store_id == user.store_id
    return user.role == Role.MERCHANDISER.value and hold.retailer_id == user.retailer_id


def pick_list_for(user, now: Optional[datetime] = None) -> list[Hold]:
    """The holds the user sees: placed (oldest first), ready, then those closed lately."""
    now = now or utcnow()
    query = select(Hold)
    if user.role == Role.ASSOCIATE.value:
        query = query.where(Hold.store_id == user.store_id)
    else:
        query = query.where(Hold.retailer_id == user.retailer_id)
    query = query.where(Hold.status.in_(HOLD_ACTIVE) | (Hold.closed_at >= now - SHOWN_CLOSED_FOR))
    order = {"placed": 0, "ready": 1}
    rows = db.session.scalars(query.order_by(Hold.created_at)).all()
    return sorted(rows, key=lambda h: order.get(h.status, 2))


def _visible_hold(hold_id: int, user) -> Hold:
    hold = db.session.get(Hold, hold_id)
    if hold is None or not visible_to(user, hold):
        raise InvalidInput("No such hold in your store.", code="not_found", status_code=404)
    return hold


def _move(hold: Hold, from_states: tuple[str, ...], *conditions, **values) -> None:
    """Move a hold by a conditional UPDATE (the row count decides between two associates,
    or an associate and the expiry job); HoldMoved if it was no longer in from_states."""
    moved = db.session.execute(
        update(Hold).where(Hold.id == hold.id, Hold.status.in_(from_states), *conditions)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(hold)
    if moved != 1:
        raise HoldMoved(f"This hold is {hold.status} already.")


def mark_ready(hold_id: int, user, now: Optional[datetime] = None) -> Hold:
    """The item is put aside: the hold's time starts now, and the shopper is told."""
    now = now or utcnow()
    hold = _visible_hold(hold_id, user)
    settings = settings_of(hold.store_id)
    hours = settings.hold_hours if settings else 24
    _move(hold, ("placed",), status="ready", ready_at=now, ready_by_name=first_name(user),
          expires_at=now + timedelta(hours=hours), updated_at=now)
    tell_shopper(hold, "ready")
    return hold


def mark_collected(hold_id: int, user, now: Optional[datetime] = None) -> Hold:
    """The shopper took the item (from ready, or straight from placed)."""
    now = now or utcnow()
    hold = _visible_hold(hold_id, user)
    _move(hold, HOLD_ACTIVE, status="collected", closed_at=now,
          closed_by_name=first_name(user), updated_at=now)
    return hold


def cancel(hold_id: int, user, now: Optional[datetime] = None) -> Hold:
    """The store cannot hold it (none left, say): the shopper is told."""
    now = now or utcnow()
    hold = _visible_hold(hold_id, user)
    _move(hold, HOLD_ACTIVE, status="cancelled", closed_at=now,
          closed_by_name=first_name(user), updated_at=now)
    tell_shopper(hold, "cancelled")
    return hold


def expire_due(now: Optional[datetime] = None, limit: int = 500) -> int:
    """Expire the active holds whose time has passed and tell their shoppers; the number
    expired. Safe with several workers: each hold moves by a conditional UPDATE."""
    now = now or utcnow()
    due = db.session.scalars(select(Hold.id).where(
        Hold.status.in_(HOLD_ACTIVE), Hold.expires_at <= now)
        .order_by(Hold.expires_at).limit(limit)).all()
    expired = 0
    for hold_id in due:
        hold = db.session.get(Hold, hold_id)
        try:
            _move(hold, HOLD_ACTIVE, Hold.expires_at <= now, status="expired", closed_at=now,
                  updated_at=now)
        except HoldMoved:
            # Collected, cancelled or made ready (its time started again) meanwhile, or
            # another worker was first.
            continue
        tell_shopper(hold, "expired")
        expired += 1
    db.session.flush()
    return expired


# What the shopper reads --------------------------------------------------------------------

def _until(hold: Hold) -> str:
    return format_local_datetime(hold.expires_at, hold.store.timezone, hold.locale)


def hold_url(hold: Hold) -> str:
    """The hold's own page (absolute, for messages)."""
    return f"{current_app.config['BASE_URL']}/t/{hold.tag_code}/hold/{hold.token}"


def _message(hold: Hold, event: str) -> tuple[str, str]:
    """(subject, text) of a message about the hold, in the shopper's language."""
    values = {"store": hold.store.name, "product": hold.listing.product.name,
              "name": hold.name, "until": _until(hold), "link": hold_url(hold)}
    subject = gettext("Your hold at %(store)s: %(product)s", **values)
    if event == "ready":
        text = gettext("%(store)s: %(product)s is ready for you. Ask at the till for the "
                       "hold under the name %(name)s; we keep it until %(until)s. %(link)s",
                       **values)
    elif event == "cancelled":
        text = gettext("%(store)s: sorry, we cannot hold %(product)s for you; the hold is "
                       "cancelled. %(link)s", **values)
    else:
        text = gettext("%(store)s: your hold of %(product)s has ended (it was kept until "
                       "%(until)s). Scan the tag again to hold it once more. %(link)s",
                       **values)
    return subject, text


def tell_shopper(hold: Hold, event: str) -> None:
    """Queue the message about an event to the hold's phone and/or e-mail (not capped:
    only the store's action or the hold's own expiry sends one, at most two per hold)."""
    with force_locale(hold.locale):
        subject, text = _message(hold, event)
    if hold.phone:
        outbox.queue_message(channel="sms", recipient=hold.phone, subject="", body=text,
                             capped=False)
    if hold.email:
        outbox.queue_message(channel="email", recipient=hold.email, subject=subject,
                             body=text + "\n", capped=False)


def shopper_state(hold: Hold) -> dict:
    """{"state", "text"}: the hold as its shopper reads it."""
    product = hold.listing.product.name
    if hold.status == "placed":
        text = gettext("Sent. The store will tell you when %(product)s is ready for you "
                       "(it keeps your hold until %(until)s if it is not made ready).",
                       product=product, until=_until(hold))
    elif hold.status == "ready":
        text = gettext("Ready! Ask at the till for the hold under the name %(name)s. We keep "
                       "it until %(until)s.", name=hold.name, until=_until(hold))
    elif hold.status == "collected":
        text = gettext("Collected. Thank you!")
    elif hold.status == "cancelled":
        text = gettext("Sorry, the store cannot hold %(product)s for you; the hold is "
                       "cancelled.", product=product)
    else:
        text = gettext("This hold has ended: it was kept until %(until)s.", until=_until(hold))
    return {"state": hold.status, "text": text}


def masked_contact(hold: Hold) -> str:
    """How the pick list shows where messages go, without the whole address."""
    parts = []
    if hold.phone:
        parts.append(f"text …{hold.phone[-4:]}")
    if hold.email:
        local, _, domain = hold.email.partition("@")
        parts.append(f"e-mail {local[:1]}…@{domain}")
    return ", ".join(parts)

