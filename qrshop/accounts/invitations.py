"""Invitations and password resets: single-use set-password links sent through the outbox.

A link carries a random token; only its sha256 is stored (password_tokens), so the table
cannot be replayed into links. A link is single use: using it is one conditional UPDATE of
used_at, whose row count decides. Issuing a new link of a purpose retires the user's older
ones, so re-inviting (or asking twice for a reset) leaves only the newest link working.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import update

from qrshop.accounts.lockout import forget as forget_failed_logins
from qrshop.accounts.models import PasswordToken, TokenPurpose, User
from qrshop.accounts.roles import Role
from qrshop.accounts.services import (
    Party,
    check_email,
    check_new_password,
    hash_password,
    resolve_party,
    user_by_email,
)
from qrshop.accounts.sessions import end_all_sessions
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.mail import send_email

INVITATION_LIFETIME = timedelta(hours=72)
RESET_LIFETIME = timedelta(hours=1)
LIFETIME = {TokenPurpose.INVITATION: INVITATION_LIFETIME, TokenPurpose.RESET: RESET_LIFETIME}
PATH = {TokenPurpose.INVITATION: "/invitation/", TokenPurpose.RESET: "/password/reset/"}
ASK_AGAIN = {
    TokenPurpose.INVITATION: "This invitation link has expired or was already used. "
                             "Ask the person who invited you for a new invitation.",
    TokenPurpose.RESET: "This password reset link has expired or was already used. "
                        "Ask for a new one with “Forgot your password?” on the login page.",
}
ROLE_NAMES = {
    Role.ADMIN: "a platform admin",
    Role.MERCHANDISER: "a merchandiser",
    Role.ASSOCIATE: "a store associate",
    Role.VENDOR: "a vendor user",
}


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_invite(actor: Optional[User], party: Party) -> bool:
    """Whether actor may invite someone into this party (None: the platform's CLI).

    Admins invite anyone; a merchandiser invites merchandisers and associates of its own
    retailer; a vendor user invites colleagues of its own vendor; an associate nobody.
    """
    if actor is None or actor.role == Role.ADMIN:
        return True
    if actor.role == Role.MERCHANDISER:
        return (party.role in (Role.MERCHANDISER, Role.ASSOCIATE)
                and party.retailer is not None and party.retailer.id == actor.retailer_id)
    if actor.role == Role.VENDOR:
        return (party.role is Role.VENDOR and party.vendor is not None
                and party.vendor.id == actor.vendor_id)
    return False


def may_manage(actor: Optional[User], user: User) -> bool:
    """Whether actor manages this user's account (same rule as inviting them)."""
    if actor is None or actor.role == Role.ADMIN:
        return True
    if actor.role == Role.MERCHANDISER:
        return (user.role in (Role.MERCHANDISER, Role.ASSOCIATE)
                and user.retailer_id == actor.retailer_id)
    if actor.role == Role.VENDOR:
        return user.role == Role.VENDOR and user.vendor_id == actor.vendor_id
    return False


def retire_links(user: User, now: datetime, purpose: Optional[TokenPurpose] = None) -> None:
    """Make every unused link of the user (of one purpose, or all) dead."""
    statement = update(PasswordToken).where(PasswordToken.user_id == user.id,
                                            PasswordToken.used_at.is_(None))
    if purpose is not None:
        statement = statement.where(PasswordToken.purpose == purpose.value)
    db.session.execute(statement.values(used_at=now).execution_options(
        synchronize_session=False))


def issue_link(user: User, purpose: TokenPurpose, *, created_by: Optional[User] = None,
               now: Optional[datetime] = None) -> str:
    """A new single-use link for the user (older ones of the purpose die); its absolute URL."""
    now = now or utcnow()
    retire_links(user, now, purpose)
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, purpose=purpose.value,
                                 token_sha256=_sha256(token), expires_at=now + LIFETIME[purpose],
                                 created_by_id=created_by.id if created_by else None))
    db.session.flush()
    return current_app.config["BASE_URL"] + PATH[purpose] + token


def live_token(token: str, purpose: TokenPurpose,
               now: Optional[datetime] = None) -> PasswordToken:
    """The stored link for this token: 404 if there is none, 410 if used or expired."""
    now = now or utcnow()
    row = None
    if token and len(token) <= 100:
        row = db.session.scalar(db.select(PasswordToken).where(
            PasswordToken.token_sha256 == _sha256(token),
            PasswordToken.purpose == purpose.value))
    if row is None:
        raise InvalidInput("This link is not valid. Check that you copied all of it.",
                           code="not_found", status_code=404)
    if row.used_at is not None or row.expires_at <= now:
        raise InvalidInput(ASK_AGAIN[purpose], code="gone", status_code=410)
    return row


def set_password_with_link(token: str, purpose: TokenPurpose, password: str, confirm: str,
                           now: Optional[datetime] = None) -> User:
    """Use a link once: set the password, activate an invited account, end other sessions."""
    now = now or utcnow()
    row = live_token(token, purpose, now)
    check_new_password(password, confirm, user_inputs=[row.user.email])
    used = db.session.execute(
        update(PasswordToken)
        .where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None),
               PasswordToken.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise InvalidInput(ASK_AGAIN[purpose], code="gone", status_code=410)
    user = row.user
    if user.deactivated_at is not None:
        raise InvalidInput(ASK_AGAIN[purpose], code="gone", status_code=410)
    user.password_hash = hash_password(password)
    user.is_active_user = True
    end_all_sessions(user)
    forget_failed_logins(user.email)
    retire_links(user, now)
    db.session.flush()
    return user


@dataclass(frozen=True)
class Invitation:
    """An invitation sent: the invited user and whether it replaced an earlier one."""

    user: User
    resent: bool


def _tenant_name(user: User) -> str:
    if user.retailer is not None:
        return user.retailer.name + (f", store {user.store.code}" if user.store else "")
    if user.vendor is not None:
        return user.vendor.name
    return "qrshop"


def _queue_invitation(user: User, link: str, inviter: Optional[User]) -> None:
    who = inviter.email if inviter else "The qrshop platform team"
    tenant = _tenant_name(user)
    body = (
        f"Hello,\n\n{who} invited you to qrshop as {ROLE_NAMES[Role(user.role)]} "
        f"({tenant}).\n\nSet your password to open your account. The link works once, "
        f"for 72 hours:\n\n{link}\n\nYour login is {user.email}. If you did not expect "
        f"this invitation, ignore this e-mail.\n"
    )
    # Not capped per recipient: only signed-in staff invite, into their own tenant.
    send_email(user.email, f"You are invited to qrshop ({tenant})", body, capped=False)


def invite(actor: Optional[User], email: str, *, role: str, retailer_slug: str | None = None,
           vendor_slug: str | None = None, store_code: str | None = None,
           now: Optional[datetime] = None) -> Invitation:
    """Invite someone (actor None: the CLI); re-inviting a pending invitation resends it."""
    email = check_email(email)
    party = resolve_party(role, retailer_slug, vendor_slug, store_code)
    if not may_invite(actor, party):
        raise InvalidInput("You cannot invite into another retailer or vendor, or into a "
                           "role above yours.", code="forbidden", status_code=403)
    user = user_by_email(email)
    if user is not None and (user.status != "invited" or not may_manage(actor, user)):
        what = "a deactivated" if user.status == "deactivated" else "an"
        raise InvalidInput(f"{email} already has {what} account; nobody needs to invite them.",
                           code="already_exists", status_code=409)
    resent = user is not None
    if user is None:
        user = User(email=email, password_hash="", is_active_user=False)
        db.session.add(user)
    user.role = party.role.value
    user.retailer, user.vendor, user.store = party.retailer, party.vendor, party.store
    db.session.flush()
    _queue_invitation(user, issue_link(user, TokenPurpose.INVITATION, created_by=actor,
                                       now=now), actor)
    return Invitation(user, resent)


def resend(actor: Optional[User], user: User, now: Optional[datetime] = None) -> None:
    """Send a pending invitation again with a new link (the old one dies)."""
    if user.status != "invited":
        raise InvalidInput(f"{user.email} is not waiting for an invitation.", status_code=409)
    _queue_invitation(user, issue_link(user, TokenPurpose.INVITATION, created_by=actor,
                                       now=now), actor)


def request_reset(email: str, now: Optional[datetime] = None) -> None:
    """E-mail a reset link if an active account has this email; silently nothing otherwise."""
    try:
        email = check_email(email)
    except InvalidInput:
        return
    user = user_by_email(email)
    if user is None or user.status != "active":
        return
    link = issue_link(user, TokenPurpose.RESET, now=now)
    body = (
        f"Hello,\n\nSomeone (we hope you) asked to reset the qrshop password of {user.email}."
        f"\n\nChoose a new password here. The link works once, for 1 hour:\n\n{link}\n\n"
        f"If you did not ask, ignore this e-mail: your password stays as it is.\n"
    )
    # Not capped per recipient: a reset goes only to an active staff account and has its own
    # limits (3 an hour per email, /password/forgot); a shared cap would let anyone use up a
    # staff member's quota and lock them out of resetting.
    send_email(user.email, "Reset your qrshop password", body, capped=False)
