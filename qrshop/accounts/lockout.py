"""Account lockout: 5 failed logins within 15 minutes lock the login e-mail for 15 minutes.

The count lives in the database (login_failures), so every worker and node shares it, and
each failure is one INSERT ... ON CONFLICT DO UPDATE whose WHERE skips a locked row: parallel
wrong passwords on any number of workers lock at exactly MAX_FAILURES (SQLite serialises the
writers; PostgreSQL re-checks the WHERE on the row it waited for). The key is the e-mail,
not the user, so an e-mail without an account counts and locks exactly like one with: the
answers never tell whether an account exists. A successful login and a new password from a
reset link clear the count.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, case, delete, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from qrshop.accounts.models import LoginFailure
from qrshop.db import UTCDateTime, utcnow
from qrshop.extensions import db

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
PURGE_BATCH = 100
LOCKED_MESSAGE = ("This account is locked for 15 minutes after 5 failed logins. Wait, or "
                  "choose a new password with “Forgot your password?”.")


def _key(email: str) -> str:
    """The stored form of a login e-mail (no address typed at the login form is kept)."""
    return hashlib.sha256((email or "").strip().lower()[:254].encode()).hexdigest()


def _at(moment: datetime):
    return literal(moment, UTCDateTime())


def seconds_locked(email: str) -> Optional[int]:
    """How many seconds the lock on this login e-mail still lasts, or None if unlocked."""
    now = utcnow()
    until = db.session.scalar(select(LoginFailure.locked_until).where(
        LoginFailure.email_sha256 == _key(email), LoginFailure.locked_until > _at(now)))
    return None if until is None else max(1, math.ceil((until - now).total_seconds()))


def record_failure(email: str) -> bool:
    """Count a failed login of this e-mail: True if it counted (the fifth locks), False if
    the e-mail was locked meanwhile (by a failure on another worker)."""
    now = utcnow()
    table = LoginFailure.__table__
    # Rows whose window and lock have ended mean the same as no row; some go with each
    # failure. SKIP LOCKED (PostgreSQL): the purge never waits, so two failures cannot
    # deadlock; the upsert below waits only for its own e-mail's row.
    stale = select(LoginFailure.email_sha256).where(
        LoginFailure.window_ends_at <= _at(now),
        or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= _at(now)),
    ).limit(PURGE_BATCH).with_for_update(skip_locked=True)
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.email_sha256.in_(stale.scalar_subquery())))
    window_over = table.c.window_ends_at <= _at(now)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LoginFailure).values(
        email_sha256=_key(email), failed_count=1, window_ends_at=now + WINDOW,
        locked_until=now + LOCK if MAX_FAILURES <= 1 else None,
    ).on_conflict_do_update(
        index_elements=["email_sha256"],
        set_={
            "failed_count": case((window_over, 1), else_=table.c.failed_count + 1),
            "window_ends_at": case((window_over, _at(now + WINDOW)),
                                   else_=table.c.window_ends_at),
            "locked_until": case(
                (and_(~window_over, table.c.failed_count + 1 >= MAX_FAILURES),
                 _at(now + LOCK)), else_=None),
        },
        where=or_(table.c.locked_until.is_(None), table.c.locked_until <= _at(now)),
    ).returning(table.c.failed_count)
    return db.session.execute(statement).first() is not None


def forget(email: str) -> None:
    """Clear the failures of this e-mail (a successful login, a new password)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email_sha256 == _key(email)))
