"""Staff sessions: one staff_sessions row per login, named by a random token in the cookie.

Flask's session cookie is signed, not stored: without a server-side record a copy of it
works until it expires (31 days), logout or not. Each login therefore stores the sha256 of a
random token whose plain text only the cookie holds; the user loader
(auth.user_for_session) needs the row, logging out deletes it, and ending every session of
a user (new password, deactivation, "log out everywhere") deletes all of them and raises
users.session_version. Logging out of one browser leaves the user's other browsers logged in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Optional

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from qrshop.accounts.models import StaffSession, User
from qrshop.db import utcnow
from qrshop.extensions import db

SESSION_KEY = "staff_session"
MAX_TOKEN_LENGTH = 100
PURGE_BATCH = 100


def token_sha256(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_token() -> Optional[str]:
    """This request's staff session token, if its cookie holds a plausible one."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def start_session(user: User, now: Optional[datetime] = None) -> None:
    """Log the user in on this browser: a new staff_sessions row named in the cookie."""
    now = now or utcnow()
    # Expired rows of anyone go at logins; SKIP LOCKED (PostgreSQL) so logins never wait on
    # each other's purge.
    expired = select(StaffSession.id).where(StaffSession.expires_at <= now).limit(
        PURGE_BATCH).with_for_update(skip_locked=True)
    db.session.execute(delete(StaffSession).where(StaffSession.id.in_(
        expired.scalar_subquery())))
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(
        user_id=user.id, token_sha256=token_sha256(token), created_at=now,
        expires_at=now + current_app.permanent_session_lifetime))
    user.last_login_at = now
    db.session.flush()
    login_user(user)
    session[SESSION_KEY] = token


def end_session() -> None:
    """Log this browser out: its row goes, so a copy of the cookie no longer works."""
    token = session_token()
    if token is not None:
        db.session.execute(delete(StaffSession).where(
            StaffSession.token_sha256 == token_sha256(token)))
    session.pop(SESSION_KEY, None)
    logout_user()


def end_all_sessions(user: User) -> None:
    """End every session of the user, on every browser, at their next request."""
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    user.session_version += 1
    db.session.flush()
