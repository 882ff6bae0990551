"""The associate's client book: with the shopper's consent (given and withdrawn on their
wish-list page), the associate who scans the shopper's counter QR sees their wish list,
open requests, claimed coupons (and holds), keeps notes and sends hand-picked items to the
wish list. Withdrawing consent deletes the notes. See docs/ask-an-associate.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext
from sqlalchemy import delete, select

from qrshop.accounts.roles import Role
from qrshop.assist import holds
from qrshop.assist.clientbook_models import ClientBookConsent, ClientNote
from qrshop.assist.models import AssistRequest
from qrshop.assist.services import clean_text, first_name
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db, insert_ignoring_duplicates
from qrshop.shopper.services import adopt_shopper
from qrshop.wishlist import devices
from qrshop.wishlist import services as wishlist
from qrshop.wishlist.services import RetailerWishlist

NOTE_MAX = 300
NOTES_SHOWN = 50
SEARCH_SHOWN = 8


def consent_text(retailer_name: str) -> str:
    """What the shopper agrees to (stored with the consent, as shown)."""
    return gettext("Let %(retailer)s's associates see my wish list, requests and coupons, "
                   "and keep notes to help me.", retailer=retailer_name)


def _same_shopper(retailer_id: int, shopper_id: str) -> list[str]:
    """The shopper and their other devices' shoppers here (same verified email): one person,
    one client book, whichever phone shows the code or withdraws."""
    return wishlist.linked_shoppers({retailer_id: shopper_id})


def has_consent(retailer_id: int, shopper_id: str) -> bool:
    """Whether the shopper (on any of their devices) lets this retailer's associates keep a
    client book."""
    return db.session.scalar(
        select(ClientBookConsent.id).where(
            ClientBookConsent.retailer_id == retailer_id,
            ClientBookConsent.shopper_id.in_(_same_shopper(retailer_id, shopper_id))).limit(1)
    ) is not None


def give_consent(retailer_id: int, shopper_id: str, text: str) -> None:
    """Store the shopper's consent with its text and time (giving it twice keeps the first)."""
    if not adopt_shopper(shopper_id, retailer_id):
        raise InvalidInput("Not found.", code="not_found", status_code=404)
    insert_ignoring_duplicates(
        ClientBookConsent,
        {"retailer_id": retailer_id, "shopper_id": shopper_id, "consent_text": text,
         "given_at": utcnow()}, ["shopper_id", "retailer_id"])


def withdraw_consent(retailer_id: int, shopper_id: str) -> int:
    """Withdraw the consent (given on any of the shopper's devices) and delete every note
    about the shopper; return the notes deleted."""
    same = _same_shopper(retailer_id, shopper_id)
    db.session.execute(delete(ClientBookConsent).where(
        ClientBookConsent.retailer_id == retailer_id, ClientBookConsent.shopper_id.in_(same)))
    return db.session.execute(delete(ClientNote).where(
        ClientNote.retailer_id == retailer_id, ClientNote.shopper_id.in_(same))).rowcount


@dataclass
class ClientBook:
    """What an associate sees of a consenting shopper."""

    token: str
    retailer_id: int
    shopper_id: str
    wishlist: RetailerWishlist
    requests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    holds: Optional[list] = None  # None: holds are not part of this app (yet)


class NoConsent(InvalidInput):
    """The shopper has not (or no longer) agreed: the associate gets the plain counter view."""

    status_code = 409
    code = "no_consent"


def counter_shopper(token: str, user) -> tuple[int, str]:
    """The shopper a counter code names; another retailer's code answers like a forged one
    (404), so nothing of other retailers' shoppers is said."""
    return devices.counter_shopper(token, user, other_retailer=404)


def consenting_shopper(token: str, user) -> tuple[int, str]:
    """The shopper a counter code names, if they agreed to the client book (else NoConsent)."""
    retailer_id, shopper_id = counter_shopper(token, user)
    if not has_consent(retailer_id, shopper_id):
        raise NoConsent("This shopper has not shared a client book with the store.")
    return retailer_id, shopper_id


def book_for(token: str, user) -> ClientBook:
    """The client book the counter code opens for this associate or merchandiser."""
    retailer_id, shopper_id = consenting_shopper(token, user)
    return ClientBook(token=devices.token_from(token), retailer_id=retailer_id,
                      shopper_id=shopper_id,
                      wishlist=devices.shopper_wishlist(retailer_id, shopper_id),
                      requests=_open_requests(user, retailer_id, shopper_id),
                      notes=_notes(retailer_id, shopper_id),
                      holds=_holds(user, retailer_id, shopper_id))


def _open_requests(user, retailer_id: int, shopper_id: str) -> list[AssistRequest]:
    """The shopper's requests not closed yet: an associate's store's, a merchandiser's
    every store's."""
    query = select(AssistRequest).where(AssistRequest.retailer_id == retailer_id,
                                        AssistRequest.shopper_id.in_(
                                            _same_shopper(retailer_id, shopper_id)),
                                        AssistRequest.status != "closed")
    if user.role == Role.ASSOCIATE.value:
        query = query.where(AssistRequest.store_id == user.store_id)
    return list(db.session.scalars(query.order_by(AssistRequest.created_at.desc())))


def _holds(user, retailer_id: int, shopper_id: str) -> Optional[list]:
    """The shopper's active holds (placed or ready): an associate's store's, a
    merchandiser's every store's."""
    return holds.active_holds_of(retailer_id, _same_shopper(retailer_id, shopper_id),
                                 store_id=user.store_id
                                 if user.role == Role.ASSOCIATE.value else None)


def _notes(retailer_id: int, shopper_id: str) -> list[ClientNote]:
    return list(db.session.scalars(
        select(ClientNote).where(ClientNote.retailer_id == retailer_id,
                                 ClientNote.shopper_id.in_(_same_shopper(retailer_id,
                                                                         shopper_id)))
        .order_by(ClientNote.created_at.desc(), ClientNote.id.desc()).limit(NOTES_SHOWN)))


def add_note(token: str, user, raw: Optional[str]) -> ClientNote:
    """Keep an associate's note about a consenting shopper (plain text, ≤ NOTE_MAX)."""
    retailer_id, shopper_id = consenting_shopper(token, user)
    body = clean_text(raw, NOTE_MAX, "The note")
    if not body:
        raise InvalidInput("Write the note first.", code="no_note", status_code=400)
    note = ClientNote(retailer_id=retailer_id, shopper_id=shopper_id,
                      store_id=user.store_id, author_id=user.id,
                      author_name=first_name(user)[:60], body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    return note


def suggest(token: str, user, listing_id: Optional[int]) -> str:
    """Send one of the retailer's listings to the consenting shopper's wish list, with the
    associate's first name; return the item's name. 404 another retailer's listing, 409 one
    already on the list."""
    retailer_id, shopper_id = consenting_shopper(token, user)
    listing = catalog.owned_listing(listing_id, retailer_id, "No such item in this store.")
    if listing.discontinued_at is not None:
        raise InvalidInput(f"{listing.product.name} is no longer carried.",
                           code="discontinued", status_code=409)
    if not wishlist.suggest_to_wishlist(shopper_id=shopper_id, listing_id=listing.id,
                                        store_id=user.store_id,
                                        suggested_by=first_name(user) or "An associate"):
        raise InvalidInput(f"{listing.product.name} is on the shopper's wish list already.",
                           code="already_saved", status_code=409)
    return listing.product.name


def search_listings(retailer_id: int, query: str) -> list:
    """The retailer's carried listings matching a SKU, name, brand or GTIN (a few)."""
    if not query.strip():
        return []
    rows = catalog.search_listings(retailer_id, query.strip()[:100], page=1,
                                   per_page=SEARCH_SHOWN).rows
    return [listing for listing in rows if listing.discontinued_at is None]
