"""Account lockout: 5 logins of one e-mail within 15 minutes get their password checked;
the fifth, if it fails, locks the e-mail for 15 minutes.

An attempt is counted BEFORE its password is checked (hashing is slow: a count recorded
after it would let every guess already in flight be checked once the fifth failure lands).
Each attempt is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING whose WHERE skips a
locked row, committed at once in a transaction of its own (qrshop.ratelimit's pool), so the
count is shared by every worker and node, survives the request's rollback, and no lock is
held while the password is hashed. The attempt that brings the count to MAX_ATTEMPTS sets
the lock as it counts: any later attempt, right password or not, is refused before its
password is looked at (SQLite serialises the writers; PostgreSQL re-checks the WHERE on the
row it waited for). A successful login, and a new password from a reset link, delete the
row (and so the lock). The key is the e-mail, not the user, so an e-mail without an
account counts and locks exactly like one with: the answers never tell whether an account
exists.
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
from qrshop.ratelimit import transaction_of_its_own

MAX_ATTEMPTS = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
PURGE_BATCH = 100
LOCKED_MESSAGE = ("This account is locked for 15 minutes after 5 failed logins. Wait, or "
                  "choose a new password with “Forgot your password?”: a reset link sent "
                  "in the last hour works even while the account is locked (use the "
                  "latest one; check your spam folder too).")


def _key(email: str) -> str:
    """The stored form of a login e-mail (no address typed at the login form is kept)."""
    return hashlib.sha256((email or "").strip().lower()[:254].encode()).hexdigest()


def _at(moment: datetime):
    return literal(moment, UTCDateTime())


def seconds_locked(email: str, connection=None) -> Optional[int]:
    """How many seconds the lock on this login e-mail still lasts, or None if unlocked."""
    now = utcnow()
    until = (connection or db.session).scalar(select(LoginFailure.locked_until).where(
        LoginFailure.email_sha256 == _key(email), LoginFailure.locked_until > _at(now)))
    return None if until is None else max(1, math.ceil((until - now).total_seconds()))


def count_attempt(email: str) -> Optional[int]:
    """Count a login attempt of this e-mail before its password is checked: None if it may
    go on (one of the first MAX_ATTEMPTS of the window), else the seconds the e-mail stays
    locked (a refused attempt is not counted)."""
    now = utcnow()
    table = LoginFailure.__table__
    with transaction_of_its_own() as connection:
        # Rows whose window and lock have ended mean the same as no row; some go with each
        # attempt. SKIP LOCKED (PostgreSQL): the purge never waits, so two attempts cannot
        # deadlock; the upsert below waits only for its own e-mail's row.
        stale = select(LoginFailure.email_sha256).where(
            LoginFailure.window_ends_at <= _at(now),
            or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= _at(now)),
        ).limit(PURGE_BATCH).with_for_update(skip_locked=True)
        connection.execute(delete(LoginFailure).where(
            LoginFailure.email_sha256.in_(stale.scalar_subquery())))
        window_over = table.c.window_ends_at <= _at(now)
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(LoginFailure).values(
            email_sha256=_key(email), failed_count=1, window_ends_at=now + WINDOW,
            locked_until=now + LOCK if MAX_ATTEMPTS <= 1 else None,
        ).on_conflict_do_update(
            index_elements=["email_sha256"],
            set_={
                "failed_count": case((window_over, 1), else_=table.c.failed_count + 1),
                "window_ends_at": case((window_over, _at(now + WINDOW)),
                                       else_=table.c.window_ends_at),
                # The last attempt allowed locks as it is counted; if its password is right,
                # the successful login deletes the row, lock and all.
                "locked_until": case(
                    (and_(~window_over, table.c.failed_count + 1 >= MAX_ATTEMPTS),
                     _at(now + LOCK)), else_=None),
            },
            where=or_(table.c.locked_until.is_(None), table.c.locked_until <= _at(now)),
        ).returning(table.c.failed_count)
        if connection.execute(statement).first() is not None:
            return None
        return seconds_locked(email, connection) or 1


def forget(email: str) -> None:
    """Clear the attempts of this e-mail (a successful login, a new password)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email_sha256 == _key(email)))
