"""Account rules: creating users with the right party for their role."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from qrshop.accounts.auth import hash_token
from qrshop.accounts.locations import (  # noqa: F401  (parse_location: the admin form)
    check_location,
    check_timezone,
    parse_location,
)
from qrshop.accounts.models import (
    TAG_URL_STYLES,
    ApiToken,
    HouseVendor,
    Retailer,
    RetailerVendor,
    Store,
    User,
    Vendor,
)
from qrshop.accounts.queries import house_owner
from qrshop.accounts.roles import Role
from qrshop.accounts.scopes import checked_scopes
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
# One limit for every form and command that sets a password (invitation, reset, `users
# add`). zxcvbn's time grows quickly with the length: 128 characters take it about 0.3 s at
# worst.
MAX_PASSWORD_LENGTH = 128
# The login form takes passwords up to the limit that held before (1024), so one set then
# still logs in; only the hash sees it (scrypt of 1 KB costs what scrypt of 12 bytes does).
MAX_LOGIN_PASSWORD_LENGTH = 1024
# zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable: moderate protection
# from offline slow-hash scenario" (about 10**8 guesses and more).
MIN_PASSWORD_SCORE = 3
# zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time.
_ZXCVBN = threading.Lock()


@dataclass(frozen=True)
class Party:
    """Who a user works for: the retailer, store or vendor their role needs."""

    role: Role
    retailer: Optional[Retailer] = None
    vendor: Optional[Vendor] = None
    store: Optional[Store] = None


def check_email(email: str) -> str:
    """The email, trimmed and lower-cased, or InvalidInput."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_SHAPE.match(email):
        raise InvalidInput(f"{email[:254]!r} is not an email address.")
    return email


def check_new_password(password: str, confirm: str | None = None, *,
                       user_inputs: Sequence[str] = ()) -> str:
    """A password long enough, hard enough to guess (zxcvbn, knowing user_inputs such as the
    account's e-mail) and matching its confirmation, or InvalidInput saying what to do."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at most {MAX_PASSWORD_LENGTH} characters.")
    with _ZXCVBN:
        estimate = zxcvbn(password, user_inputs=_guessable_words(user_inputs),
                          max_length=MAX_PASSWORD_LENGTH)
    if estimate["score"] < MIN_PASSWORD_SCORE:
        feedback = estimate["feedback"]
        advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get(
            "suggestions", [])])) or "Add another word or two. Uncommon words are better."
        raise InvalidInput(f"This password is too easy to guess. {advice}")
    if confirm is not None and confirm != password:
        raise InvalidInput("The two passwords differ; type the same password twice.")
    return password


def _guessable_words(user_inputs: Sequence[str]) -> list[str]:
    """What an attacker knows of an account: its e-mail, and the parts of the e-mail."""
    words = ["qrshop"]
    for text in user_inputs:
        text = (text or "").strip().lower()
        words += [text, *(part for part in re.split(r"[^a-z0-9]+", text) if len(part) > 2)]
    return words


def check_role(role: str) -> Role:
    """The Role named, or InvalidInput listing the roles."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"Unknown role {str(role)[:32]!r}; use one of: {', '.join(r.value for r in Role)}."
        ) from None


def resolve_party(role: str, retailer_slug: str | None = None, vendor_slug: str | None = None,
                  store_code: str | None = None) -> Party:
    """The role and the retailer, store or vendor it needs, looked up by slug and code."""
    role = check_role(role)
    retailer = vendor = store = None
    if role in (Role.MERCHANDISER, Role.ASSOCIATE):
        if not retailer_slug:
            raise InvalidInput(f"A {role.value} needs --retailer.")
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == retailer_slug))
        if retailer is None:
            raise InvalidInput(f"No retailer with slug {retailer_slug[:64]!r}.")
    if role is Role.ASSOCIATE:
        if not store_code:
            raise InvalidInput("An associate needs --store.")
        store = db.session.scalar(
            select(Store).where(Store.retailer_id == retailer.id, Store.code == store_code.upper())
        )
        if store is None:
            raise InvalidInput(f"Retailer {retailer.slug} has no store {store_code[:16]!r}.")
    if role is Role.VENDOR:
        if not vendor_slug:
            raise InvalidInput("A vendor user needs --vendor.")
        vendor = db.session.scalar(select(Vendor).where(Vendor.slug == vendor_slug))
        if vendor is None:
            raise InvalidInput(f"No vendor with slug {vendor_slug[:64]!r}.")
        # A house vendor holds a retailer's own products: its users would edit them.
        if house_owner(vendor.id) is not None:
            raise InvalidInput(f"{vendor.slug} is a retailer's own catalogue, not a vendor; "
                               f"invite its merchandisers instead.")
    return Party(role, retailer, vendor, store)


def hash_password(password: str) -> str:
    """The stored form of a password."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(
    email: str,
    *,
    role: str,
    password: str,
    retailer_slug: str | None = None,
    vendor_slug: str | None = None,
    store_code: str | None = None,
) -> User:
    """Create a user of a role, tied to the retailer, store or vendor the role needs."""
    email = check_email(email)
    check_role(role)
    check_new_password(password, user_inputs=[email])
    if user_by_email(email) is not None:
        raise InvalidInput(f"A user with email {email} already exists.")
    party = resolve_party(role, retailer_slug, vendor_slug, store_code)
    user = User(email=email, role=party.role.value, password_hash=hash_password(password),
                retailer=party.retailer, vendor=party.vendor, store=party.store)
    db.session.add(user)
    db.session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    """True when password is the user's (an invited user has none yet)."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


SLUG_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
STORE_CODE_SHAPE = re.compile(r"^[A-Z0-9]{2,16}$")
# Length limits of the tenants' text fields (the columns are at least this wide).
MAX_NAME = 120
MAX_ADDRESS = 500


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"{what} name is required.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"{what} name is longer than {MAX_NAME} characters.")
    return name


def _check_slug(slug: str, what: str) -> str:
    slug = (slug or "").strip()
    if not SLUG_SHAPE.match(slug):
        raise InvalidInput(
            f"{what} slug {slug[:64]!r} must be 2-63 lower-case letters, digits or hyphens."
        )
    return slug


def _check_store_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not STORE_CODE_SHAPE.match(code):
        raise InvalidInput(
            f"Store code {code[:16]!r} must be 2-16 letters or digits, like ATL01.")
    return code


def _check_address(address: str) -> str:
    address = (address or "").strip()
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"Store address is longer than {MAX_ADDRESS} characters.")
    return address


def create_retailer(slug: str, name: str) -> Retailer:
    """Create a retailer (platform admin)."""
    slug = _check_slug(slug, "Retailer")
    name = _check_name(name, "Retailer")
    if db.session.scalar(select(Retailer.id).where(Retailer.slug == slug)) is not None:
        raise InvalidInput(f"A retailer with slug {slug!r} already exists.")
    retailer = Retailer(slug=slug, name=name)
    db.session.add(retailer)
    db.session.flush()
    return retailer


def update_retailer(retailer: Retailer, *, name: str | None = None,
                    tag_url_style: str | None = None) -> Retailer:
    """Rename a retailer or choose its tag URL style (what tags printed from now on encode;
    printed tags of every style keep resolving); None leaves a field as it is."""
    if name is not None:
        retailer.name = _check_name(name, "Retailer")
    if tag_url_style is not None:
        if tag_url_style not in TAG_URL_STYLES:
            raise InvalidInput(f"The tag URL style must be one of: {', '.join(TAG_URL_STYLES)}"
                               f" (got {tag_url_style!r}).", code="bad_tag_url_style")
        retailer.tag_url_style = tag_url_style
    db.session.flush()
    return retailer


def _check_code_free(retailer: Retailer, code: str, store: Store | None = None) -> None:
    exists = select(Store.id).where(Store.retailer_id == retailer.id, Store.code == code)
    if store is not None:
        exists = exists.where(Store.id != store.id)
    if db.session.scalar(exists) is not None:
        raise InvalidInput(f"{retailer.name} already has a store {code}.", code="conflict",
                           status_code=409)


def create_store(
    retailer: Retailer, code: str, name: str, *, address: str = "", timezone: str = "UTC",
    location: tuple[Optional[float], Optional[float]] = (None, None),
) -> Store:
    """Create a store of a retailer; the code is what tags and tills name it by."""
    code = _check_store_code(code)
    name = _check_name(name, "Store")
    address = _check_address(address)
    timezone = check_timezone(timezone)
    latitude, longitude = check_location(*location)
    _check_code_free(retailer, code)
    store = Store(retailer=retailer, code=code, name=name, address=address, timezone=timezone,
                  latitude=latitude, longitude=longitude)
    db.session.add(store)
    db.session.flush()
    return store


def update_store(store: Store, *, code: str | None = None, name: str | None = None,
                 address: str | None = None, timezone: str | None = None,
                 location: tuple[Optional[float], Optional[float]] | None = None) -> Store:
    """Edit a store (platform admin); None leaves a field as it is (a location of
    (None, None) removes it). All or nothing."""
    latitude, longitude = (check_location(*location) if location is not None
                           else (store.latitude, store.longitude))
    values = {"latitude": latitude, "longitude": longitude,
        "code": _check_store_code(code) if code is not None else store.code,
        "name": _check_name(name, "Store") if name is not None else store.name,
        "address": _check_address(address) if address is not None else store.address,
        "timezone": check_timezone(timezone) if timezone is not None else store.timezone,
    }
    _check_code_free(store.retailer, values["code"], store)
    for column, value in values.items():
        setattr(store, column, value)
    db.session.flush()
    return store


def create_vendor(slug: str, name: str) -> Vendor:
    """Create a vendor (platform admin)."""
    slug = _check_slug(slug, "Vendor")
    name = _check_name(name, "Vendor")
    if db.session.scalar(select(Vendor.id).where(Vendor.slug == slug)) is not None:
        raise InvalidInput(f"A vendor with slug {slug!r} already exists.")
    vendor = Vendor(slug=slug, name=name)
    db.session.add(vendor)
    db.session.flush()
    return vendor


def update_vendor(vendor: Vendor, *, name: str | None = None) -> Vendor:
    """Rename a vendor (platform admin); None leaves a field as it is."""
    if name is not None:
        vendor.name = _check_name(name, "Vendor")
    db.session.flush()
    return vendor


def link_vendor(retailer: Retailer, vendor: Vendor) -> bool:
    """Record that a vendor supplies a retailer; False if it already did."""
    if house_owner(vendor.id) is not None:
        raise InvalidInput(f"{vendor.slug} holds a retailer's own products; it cannot be "
                           "linked to a retailer.")
    if db.session.get(RetailerVendor, (retailer.id, vendor.id)) is not None:
        return False
    db.session.add(RetailerVendor(retailer_id=retailer.id, vendor_id=vendor.id))
    db.session.flush()
    return True


def vendor_supplies(retailer_id: int, vendor_id: int) -> bool:
    """True when the vendor is linked to the retailer."""
    return db.session.get(RetailerVendor, (retailer_id, vendor_id)) is not None


def retailer_by_slug(slug: str) -> Retailer:
    """The retailer with this slug, or InvalidInput naming it."""
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise InvalidInput(f"No retailer with slug {slug!r}.", status_code=404, code="not_found")
    return retailer


def vendor_by_slug(slug: str) -> Vendor:
    """The vendor with this slug, or InvalidInput naming it."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == slug))
    if vendor is None:
        raise InvalidInput(f"No vendor with slug {slug!r}.", status_code=404, code="not_found")
    return vendor


def user_by_email(email: str) -> User | None:
    """The user with this email (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def create_api_token(user: User, name: str,
                     scopes: Iterable[str] = ()) -> tuple[ApiToken, str]:
    """Make a token for a user, holding these scopes (none: every scope of the user's role);
    return it and its plain text, which is never stored."""
    name = _check_name(name, "Token")
    chosen = checked_scopes(user.role, scopes)
    plain = "qrs_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=plain[:12], token_sha256=hash_token(plain),
                     scopes=" ".join(chosen))
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_api_token(token: ApiToken) -> None:
    """Revoke a token: it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def house_vendor(retailer: Retailer) -> Vendor:
    """The retailer's house vendor (it owns the products no vendor on qrshop supplies),
    created on first need."""
    row = db.session.get(HouseVendor, retailer.id)
    if row is not None:
        return row.vendor
    vendor = create_house_vendor(retailer)
    db.session.add(HouseVendor(retailer_id=retailer.id, vendor_id=vendor.id))
    db.session.flush()
    return vendor


def create_house_vendor(retailer: Retailer) -> Vendor:
    """A new vendor to hold a retailer's own products (house_vendor records it as the
    retailer's house vendor): named after the retailer, slug house-<retailer slug> made unique."""
    vendor = Vendor(slug=f"house-{retailer.slug}"[:64], name=retailer.name)
    while db.session.scalar(select(Vendor.id).where(Vendor.slug == vendor.slug)) is not None:
        vendor.slug = f"house-{retailer.id}-{vendor.slug[6:]}"[:64]
    db.session.add(vendor)
    db.session.flush()
    return vendor
