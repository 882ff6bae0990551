"""Account rules: creating users with the right party for their role."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from qrshop.accounts.models import Retailer, Role, Store, User, Vendor
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
        password_hash=generate_password_hash(password),
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
