"""Managing staff accounts: list, change role or store, deactivate, reactivate.

Who manages whom is invitations.may_manage (admins everyone; a merchandiser its retailer's
users; a vendor user its vendor's colleagues). Nobody deactivates or demotes themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select, update

from qrshop.accounts.invitations import may_manage, retire_links
from qrshop.accounts.models import ApiToken, Retailer, Store, User, Vendor
from qrshop.accounts.roles import Role
from qrshop.accounts.sessions import end_all_sessions
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.web import row_or_none

RETAILER_ROLES = (Role.MERCHANDISER, Role.ASSOCIATE)


def staff_of(actor: User, *, retailer_slug: str | None = None,
             vendor_slug: str | None = None) -> list[User]:
    """The users actor manages, by email; an admin may filter by retailer or vendor slug."""
    query = select(User).order_by(User.email)
    if actor.role == Role.MERCHANDISER:
        query = query.where(User.retailer_id == actor.retailer_id)
    elif actor.role == Role.VENDOR:
        query = query.where(User.vendor_id == actor.vendor_id)
    elif actor.role != Role.ADMIN:
        return []
    if retailer_slug:
        query = query.join(Retailer, Retailer.id == User.retailer_id).where(
            Retailer.slug == retailer_slug)
    if vendor_slug:
        query = query.join(Vendor, Vendor.id == User.vendor_id).where(Vendor.slug == vendor_slug)
    return [user for user in db.session.scalars(query) if may_manage(actor, user)]


def managed_user_or_404(actor: User, user_id: int) -> User:
    """A user actor manages, else 404 (another tenant's user looks like a missing one)."""
    user = row_or_none(User, user_id)
    if user is None or not may_manage(actor, user):
        raise InvalidInput("No such user.", code="not_found", status_code=404)
    return user


def _not_self(actor: Optional[User], user: User, what: str) -> None:
    if actor is not None and actor.id == user.id:
        raise InvalidInput(f"You cannot {what} your own account; ask a colleague.",
                           code="forbidden", status_code=403)


def deactivate(actor: Optional[User], user: User, now: Optional[datetime] = None) -> None:
    """Deactivate at once: sessions end on their next request, API tokens are revoked (for
    good: reactivation does not bring them back), links die."""
    _not_self(actor, user, "deactivate")
    if user.deactivated_at is not None:
        return
    now = now or utcnow()
    user.deactivated_at = now
    user.is_active_user = False
    end_all_sessions(user)
    db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(
        revoked_at=now))
    retire_links(user, now)
    db.session.flush()


def reactivate(actor: Optional[User], user: User) -> None:
    """Let a deactivated user in again (one who never set a password is invited again); the
    API tokens revoked at deactivation stay revoked (`qrshop tokens create` issues
    new ones)."""
    if user.deactivated_at is None:
        return
    user.deactivated_at = None
    user.is_active_user = bool(user.password_hash)
    db.session.flush()


def change_role(actor: Optional[User], user: User, role: str,
                store_code: str | None = None) -> None:
    """Make a retailer's user a merchandiser, or an associate of one of its stores."""
    try:
        new_role = Role(role)
    except ValueError:
        new_role = None
    if user.role not in RETAILER_ROLES or new_role not in RETAILER_ROLES:
        raise InvalidInput("Only a retailer's users change role, between merchandiser and "
                           "associate.")
    if new_role.value != user.role:
        _not_self(actor, user, "change the role of")
    store = None
    if new_role is Role.ASSOCIATE:
        store = db.session.scalar(select(Store).where(
            Store.retailer_id == user.retailer_id,
            Store.code == (store_code or "").strip().upper()[:16]))
        if store is None:
            raise InvalidInput("Choose one of the retailer's stores for an associate.")
    user.role = new_role.value
    user.store = store
    db.session.flush()
