"""Account rules: creating users with the right party for their role."""

from __future__ import annotations

import re
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from qrshop.accounts.auth import hash_token
from qrshop.accounts.models import ApiToken, Retailer, RetailerVendor, Role, Store, User, Vendor
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12


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
    email = (email or "").strip().lower()
    if not EMAIL_SHAPE.match(email) or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address.")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(
            f"Unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}."
        ) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput(f"A user with email {email} already exists.")

    retailer = vendor = store = None
    if role in (Role.MERCHANDISER, Role.ASSOCIATE):
        if not retailer_slug:
            raise InvalidInput(f"A {role.value} needs --retailer.")
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == retailer_slug))
        if retailer is None:
            raise InvalidInput(f"No retailer with slug {retailer_slug!r}.")
    if role is Role.ASSOCIATE:
        if not store_code:
            raise InvalidInput("An associate needs --store.")
        store = db.session.scalar(
            select(Store).where(Store.retailer_id == retailer.id, Store.code == store_code.upper())
        )
        if store is None:
            raise InvalidInput(f"Retailer {retailer.slug} has no store {store_code!r}.")
    if role is Role.VENDOR:
        if not vendor_slug:
            raise InvalidInput("A vendor user needs --vendor.")
        vendor = db.session.scalar(select(Vendor).where(Vendor.slug == vendor_slug))
        if vendor is None:
            raise InvalidInput(f"No vendor with slug {vendor_slug!r}.")

    user = User(
        email=email,
        role=role.value,
        password_hash=generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        ),
        retailer=retailer,
        vendor=vendor,
        store=store,
    )
    db.session.add(user)
    db.session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    """True when password is the user's."""
    return check_password_hash(user.password_hash, password)


SLUG_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
STORE_CODE_SHAPE = re.compile(r"^[A-Z0-9]{2,16}$")


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"{what} name is required.")
    if len(name) > 120:
        raise InvalidInput(f"{what} name is longer than 120 characters.")
    return name


def _check_slug(slug: str, what: str) -> str:
    slug = (slug or "").strip()
    if not SLUG_SHAPE.match(slug):
        raise InvalidInput(
            f"{what} slug {slug!r} must be 2-63 lower-case letters, digits or hyphens."
        )
    return slug


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


def create_store(
    retailer: Retailer, code: str, name: str, *, address: str = "", timezone: str = "UTC"
) -> Store:
    """Create a store of a retailer; the code is what tags and tills name it by."""
    code = (code or "").strip().upper()
    if not STORE_CODE_SHAPE.match(code):
        raise InvalidInput(f"Store code {code!r} must be 2-16 letters or digits, like ATL01.")
    name = _check_name(name, "Store")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Unknown time zone {timezone!r}; use a name like America/New_York."
        ) from None
    exists = select(Store.id).where(Store.retailer_id == retailer.id, Store.code == code)
    if db.session.scalar(exists) is not None:
        raise InvalidInput(f"{retailer.name} already has a store {code}.")
    store = Store(retailer=retailer, code=code, name=name, address=address.strip(),
                  timezone=timezone)
    db.session.add(store)
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


def link_vendor(retailer: Retailer, vendor: Vendor) -> bool:
    """Record that a vendor supplies a retailer; False if it already did."""
    from qrshop.catalog.listings import house_owner

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


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for a user; return it and its plain text, which is never stored."""
    name = _check_name(name, "Token")
    plain = "qrs_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=plain[:12], token_sha256=hash_token(plain))
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_api_token(token: ApiToken) -> None:
    """Revoke a token: it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
