"""Who may call what: role checks for pages (session login) and the API (bearer tokens).

Every view declares its parties with one of these decorators; DESIGN.md section 2 is the
matrix. Pages send anonymous users to the login page and answer 403 to the wrong role; the API
answers 401 without a valid token and 403 for the wrong role, as JSON.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required
from sqlalchemy import select

from qrshop.accounts.api_limits import count_api_request
from qrshop.accounts.models import ApiToken, StaffSession, User
from qrshop.accounts.roles import Role
from qrshop.accounts.scopes import SCOPES, token_scopes
from qrshop.accounts.sessions import session_token, token_sha256
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.parsing import MAX_ROW_ID, bounded_int, row_id


def roles_required(*roles: Role):
    """Page decorator: the logged-in user must have one of these roles."""
    allowed = {Role(role).value for role in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403, description="Your account cannot open this page.")
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def user_for_session(session_user_id: str) -> User | None:
    """Flask-Login's user loader, run on every request: the active user whose session this is.

    The session holds "<id>:<session_version>" and the token of its staff_sessions row
    (qrshop.accounts.sessions). Logging out deletes the row; ending every session of a user
    (deactivation, a new password) deletes all of them and raises the version. One query
    reads the user with its row.
    """
    user_id, _, version = (session_user_id or "").partition(":")
    token = session_token()
    user_number = row_id(user_id)
    # An unreadable version reads as -1, which no session version is.
    version_number = bounded_int(version, default=-1, minimum=-1, maximum=MAX_ROW_ID)
    if user_number is None or version_number < 0 or token is None:
        return None
    user = db.session.scalar(
        select(User).join(StaffSession, StaffSession.user_id == User.id).where(
            User.id == user_number, StaffSession.token_sha256 == token_sha256(token),
            StaffSession.expires_at > utcnow()))
    if user is None or not user.is_active or user.session_version != version_number:
        return None
    return user


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(token: str) -> ApiToken | None:
    """The live token (of an active user) this plain text is, or None."""
    api_token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
    )
    if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
        return None
    api_token.last_used_at = utcnow()
    return api_token


def user_for_token(token: str) -> User | None:
    """The active user a live token acts as, or None."""
    api_token = token_for(token)
    return api_token.user if api_token is not None else None


def api_roles_required(*roles: Role, scope: str | None = None):
    """API decorator: a valid `Authorization: Bearer <token>` of a user with one of these roles,
    holding `scope` (403 insufficient_scope otherwise; see qrshop/accounts/scopes.py).

    Every request of a valid token counts against the token's rate limit
    (qrshop/accounts/api_limits.py), refused ones too. The user is in g.api_user for the
    view, the token in g.api_token.
    """
    allowed = {Role(role).value for role in roles}
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, plain = request.headers.get("Authorization", "").partition(" ")
            api_token = token_for(plain.strip()) if scheme.lower() == "bearer" else None
            if api_token is None:
                raise InvalidInput(
                    "Send a valid API token as 'Authorization: Bearer <token>'.",
                    code="unauthorized", status_code=401,
                )
            count_api_request(api_token.id)
            user = api_token.user
            if user.role not in allowed:
                raise InvalidInput(
                    "This token's user may not call this endpoint.", code="forbidden",
                    status_code=403,
                )
            if scope is not None and scope not in token_scopes(api_token.scopes, user.role):
                raise InvalidInput(
                    f"This token lacks the scope {scope!r}; make a token with it "
                    f"(qrshop tokens create ... --scope {scope}).",
                    code="insufficient_scope", status_code=403,
                )
            g.api_user = user
            g.api_token = api_token
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        wrapped.scope = scope
        return wrapped

    return decorator
