"""Ask an associate: the store's settings, a shopper's request, and the associates' queue
(claim, answer by text, close). See docs/ask-an-associate.md."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask_babel import gettext
from sqlalchemy import select, update

from qrshop.accounts import queries as accounts
from qrshop.accounts.roles import Role
from qrshop.alerts import outbox
from qrshop.alerts.services import normalise_phone
from qrshop.assist import hours
from qrshop.assist.models import AssistRequest, StoreAssist
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MESSAGE_MAX = 500
ANSWER_MAX = 480
SIZE_MAX, SPOT_MAX = 60, 80
# A store's queue holds at most this many open requests: past it, shoppers are asked to find
# an associate (a script cannot flood the associates' phones).
STORE_OPEN_MAX = 30
SHOWN_CLOSED_FOR = timedelta(hours=2)  # closed requests stay on the queue this long


class AlreadyClaimed(InvalidInput):
    """Another associate claimed the request first (409)."""

    status_code = 409
    code = "already_claimed"

    def __init__(self, request: AssistRequest):
        who = request.claimed_by_name or "another associate"
        super().__init__(f"{who} has this request already.")
        self.request = request


def clean_text(raw: Optional[str], limit: int, what: str, *, required: bool = False) -> str:
    """Trimmed text without control characters (newlines kept), at most `limit` characters."""
    text = "".join(c for c in (raw or "") if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127))
    text = text.strip()
    if required and not text:
        raise InvalidInput(gettext("Write a short message for the associate."),
                           code="no_message", status_code=400)
    if len(text) > limit:
        raise InvalidInput(gettext("%(what)s is too long: at most %(limit)d characters.",
                                   what=what, limit=limit), code="too_long", status_code=400)
    return text


def settings_of(store_id: int) -> Optional[StoreAssist]:
    """The store's settings (None: it has never opted in)."""
    return db.session.get(StoreAssist, store_id)


def set_settings(store_id: int, *, enabled: bool, opening_hours: str,
                 unclaimed_minutes: int) -> StoreAssist:
    """Store a store's settings; InvalidInput for unreadable hours or minutes out of range."""
    hours.parse_hours(opening_hours)
    if not 1 <= unclaimed_minutes <= 120:
        raise InvalidInput("Minutes before a shopper is offered a text reply: 1 to 120.",
                           code="invalid_minutes")
    settings = settings_of(store_id) or StoreAssist(store_id=store_id)
    settings.enabled, settings.opening_hours = enabled, opening_hours.strip()
    settings.unclaimed_minutes = unclaimed_minutes
    db.session.add(settings)
    db.session.flush()
    return settings


def enabled_store_ids(store_ids) -> set[int]:
    """Which of these stores take requests (opted in; hours aside)."""
    return set(db.session.scalars(select(StoreAssist.store_id).where(
        StoreAssist.store_id.in_(list(store_ids)), StoreAssist.enabled.is_(True))))


@dataclass(frozen=True)
class Availability:
    """Whether a store takes a request now, and its hours to show."""

    enabled: bool
    open_now: bool
    hours: Optional[str]
    unclaimed_minutes: int


def availability(store_id: int, timezone: str, now: Optional[datetime] = None) -> Availability:
    """The store's availability for requests at `now`."""
    settings = settings_of(store_id)
    if settings is None or not settings.enabled:
        return Availability(False, False, None, 5)
    return Availability(True, hours.is_open(settings.opening_hours, timezone, now or utcnow()),
                        hours.describe(settings.opening_hours), settings.unclaimed_minutes)


def open_request_of(shopper_id: str, listing_id: int) -> Optional[AssistRequest]:
    """The shopper's request about this item still in the queue (one at a time)."""
    return db.session.scalar(select(AssistRequest).where(
        AssistRequest.shopper_id == shopper_id, AssistRequest.listing_id == listing_id,
        AssistRequest.status.in_(("open", "claimed"))).order_by(AssistRequest.id.desc()))


def create_request(page, shopper_id: str, form: dict, *, consent_text: str,
                   now: Optional[datetime] = None) -> AssistRequest:
    """A shopper's request from a landing page (page: shopper.services.LandingPage);
    InvalidInput (4xx) with nothing stored when the store does not take one or the form is
    wrong. An open request about the same item is returned instead of a second one."""
    now = now or utcnow()
    settings = settings_of(page.store_id)
    if settings is None or not settings.enabled:
        raise InvalidInput(gettext("This store does not take requests from the shelf."),
                           code="not_offered", status_code=403)
    message = clean_text(form.get("message"), MESSAGE_MAX, gettext("The message"),
                         required=True)
    size = clean_text(form.get("size"), SIZE_MAX, gettext("The size or colour"))
    spot = clean_text(form.get("spot"), SPOT_MAX, gettext("Where you are"))
    reply = form.get("reply") or "come"
    if reply not in ("come", "text"):
        raise InvalidInput(gettext("Choose how the associate should answer."),
                           code="invalid_reply", status_code=400)
    phone = None
    if reply == "text":
        phone = normalise_phone(form.get("phone", ""))
        if form.get("consent") != "yes":
            raise InvalidInput(gettext("Tick the box to agree to a text reply."),
                               code="no_consent", status_code=400)
    existing = open_request_of(shopper_id, page.listing_id)
    if existing is not None:
        return existing
    if not hours.is_open(settings.opening_hours, _timezone(page.store_id), now):
        raise InvalidInput(gettext("The store is closed now, so no associate can come. "
                                   "Opening hours: %(hours)s.",
                                   hours=hours.describe(settings.opening_hours)),
                           code="closed", status_code=409)
    waiting = db.session.scalar(select(db.func.count()).select_from(AssistRequest).where(
        AssistRequest.store_id == page.store_id, AssistRequest.status == "open"))
    if waiting >= STORE_OPEN_MAX:
        raise InvalidInput(gettext("Many shoppers are waiting for help in this store; please "
                                   "ask at the till."), code="store_busy", status_code=429)
    request = AssistRequest(
        token=secrets.token_urlsafe(16), retailer_id=page.retailer_id, store_id=page.store_id,
        listing_id=page.listing_id, tag_code=page.code, revision_id=page.live_revision_id,
        shopper_id=shopper_id, message=message, size=size, reply=reply, spot=spot,
        phone=phone, consent_text=consent_text if phone else None, status="open",
        created_at=now, updated_at=now)
    db.session.add(request)
    db.session.flush()
    return request


def _timezone(store_id: int) -> str:
    store = accounts.store(store_id)
    return store.timezone if store else "UTC"


def request_by_token(token: str) -> Optional[AssistRequest]:
    """A request by the shopper's token."""
    return db.session.scalar(select(AssistRequest).where(AssistRequest.token == token))


def offer_text_reply(request: AssistRequest, form: dict, *, consent_text: str) -> None:
    """An unclaimed request switched to "text me" by its shopper."""
    if request.status != "open":
        raise InvalidInput(gettext("An associate has this request already."),
                           code="already_claimed", status_code=409)
    phone = normalise_phone(form.get("phone", ""))
    if form.get("consent") != "yes":
        raise InvalidInput(gettext("Tick the box to agree to a text reply."),
                           code="no_consent", status_code=400)
    request.reply, request.phone, request.consent_text = "text", phone, consent_text
    request.updated_at = utcnow()


# The associates' side -------------------------------------------------------------------

def visible_to(user, request: AssistRequest) -> bool:
    """Associates see their store's requests; merchandisers every store of their retailer."""
    if user.role == Role.ASSOCIATE.value:
        return request.store_id == user.store_id
    return user.role == Role.MERCHANDISER.value and request.retailer_id == user.retailer_id


def queue_for(user, now: Optional[datetime] = None) -> list[AssistRequest]:
    """The requests the user sees: open first (oldest first), then claimed and answered,
    then those closed in the last two hours."""
    now = now or utcnow()
    query = select(AssistRequest)
    if user.role == Role.ASSOCIATE.value:
        query = query.where(AssistRequest.store_id == user.store_id)
    else:
        query = query.where(AssistRequest.retailer_id == user.retailer_id)
    query = query.where((AssistRequest.status != "closed")
                        | (AssistRequest.closed_at >= now - SHOWN_CLOSED_FOR))
    order = {"open": 0, "claimed": 1, "answered": 2, "closed": 3}
    rows = db.session.scalars(query.order_by(AssistRequest.created_at)).all()
    return sorted(rows, key=lambda r: order[r.status])


def first_name(user) -> str:
    """How shoppers and colleagues see an associate: the e-mail's local part, capitalised
    (users have no name field)."""
    local = user.email.split("@", 1)[0]
    return local.replace(".", " ").replace("_", " ").split()[0].capitalize() if local else ""


def claim(request_id: int, user) -> AssistRequest:
    """Claim an open request; a conditional UPDATE decides between two associates, and the
    one who loses gets AlreadyClaimed (409) naming who has it."""
    request = _visible_request(request_id, user)
    now = utcnow()
    claimed = db.session.execute(
        update(AssistRequest)
        .where(AssistRequest.id == request.id, AssistRequest.status == "open")
        .values(status="claimed", claimed_by_id=user.id, claimed_by_name=first_name(user),
                claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(request)
    if claimed != 1:
        raise AlreadyClaimed(request)
    return request


def answer_by_text(request_id: int, user, text: str) -> AssistRequest:
    """Text the shopper an answer (through the outbox); claims the request if it is open."""
    request = _visible_request(request_id, user)
    if request.status == "open":
        request = claim(request_id, user)
    _check_holder(request, user)
    if not request.phone:
        raise InvalidInput("The shopper did not ask for a text reply.", code="no_phone",
                           status_code=409)
    body = clean_text(text, ANSWER_MAX, "The answer", required=True)
    store_name = request.store.name
    outbox.queue_message(channel="sms", recipient=request.phone,
                         subject=f"{store_name}: {request.listing.product.name}",
                         body=f"{first_name(user)} at {store_name}: {body}", capped=False)
    now = utcnow()
    request.answer, request.answered_at, request.status = body, now, "answered"
    request.updated_at = now
    return request


def close(request_id: int, user) -> AssistRequest:
    """Close a request (helped, or nobody there)."""
    request = _visible_request(request_id, user)
    if request.status == "closed":
        return request
    if request.status != "open":
        _check_holder(request, user)
    now = utcnow()
    request.status, request.closed_at, request.updated_at = "closed", now, now
    if request.claimed_by_id is None:
        request.claimed_by_id, request.claimed_by_name = user.id, first_name(user)
        request.claimed_at = now
    return request


def _visible_request(request_id: int, user) -> AssistRequest:
    request = db.session.get(AssistRequest, request_id)
    if request is None or not visible_to(user, request):
        raise InvalidInput("No such request in your store.", code="not_found",
                           status_code=404)
    return request


def _check_holder(request: AssistRequest, user) -> None:
    """Only who claimed a request (or a merchandiser) answers or closes it."""
    if request.claimed_by_id not in (None, user.id) and user.role != Role.MERCHANDISER.value:
        raise AlreadyClaimed(request)


# What the shopper's page says ---------------------------------------------------------

def shopper_state(request: AssistRequest, unclaimed_minutes: int,
                  now: Optional[datetime] = None) -> dict:
    """{"state", "text", "offer_text"}: the request's state as the shopper reads it."""
    now = now or utcnow()
    name = request.claimed_by_name or gettext("An associate")
    if request.status == "closed":
        return {"state": "closed", "text": gettext("This request is closed. Thank you!"),
                "offer_text": False}
    if request.status == "answered":
        return {"state": "answered", "text": gettext("Answered by text: %(answer)s",
                                                     answer=request.answer),
                "offer_text": False}
    if request.status == "claimed":
        text = (gettext("%(name)s is on the way.", name=name) if request.reply == "come"
                else gettext("%(name)s is writing you a text.", name=name))
        return {"state": "claimed", "text": text, "offer_text": False}
    late = now - request.created_at >= timedelta(minutes=unclaimed_minutes)
    if late:
        return {"state": "waiting_long", "text": gettext(
            "Everyone is busy right now. Your request stays in the queue."),
            "offer_text": request.reply == "come"}
    return {"state": "open", "text": gettext("Sent. An associate will be with you shortly."),
            "offer_text": False}
