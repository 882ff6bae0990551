"""Rate-limit counters in the app's database, shared by every worker and node that uses it.

Flask-Limiter counts in Redis when QRSHOP_REDIS_URL is set. Otherwise it counts here, so a
limit means the same with 1 worker or 8, and on every node on one database (in-process
memory would give each worker its own count). A counter is one row of rate_limit_counters,
bumped by one atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING (SQLite and PostgreSQL)
on a connection and transaction of its own, from a pool of its own: a request that ends in a
4xx rolls its session back, never the count. Only the fixed-window strategy (Flask-Limiter's
default) is supported. The scan route is never limited, so scans never come here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from limits.storage import MemoryStorage, RedisStorage, Storage
from sqlalchemy import (
    Double,
    Integer,
    Text,
    bindparam,
    case,
    create_engine,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from qrshop.db import Base
from qrshop.extensions import db

STORAGE_URI = "qrshop-database://"


class RateLimitCounter(Base):
    """One rate-limit window's count: how often its key was hit until expires_at."""

    __tablename__ = "rate_limit_counters"

    # Flask-Limiter's key: the limited thing (shopper, address, account), route and limit.
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch (time.time()), as limits' own storages keep them.
    expires_at: Mapped[float] = mapped_column(Double, index=True)


def _upsert(dialect_name: str):
    """The one statement that counts a hit: insert the key's row, or add to its count (or
    start a new window if the old one is over); return the count."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    counters = RateLimitCounter.__table__
    statement = insert(counters).values(key=bindparam("key"), count=bindparam("amount"),
                                        expires_at=bindparam("expires_at"))
    expired = counters.c.expires_at <= bindparam("now")
    return statement.on_conflict_do_update(index_elements=[counters.c.key], set_={
        "count": case((expired, statement.excluded.count),
                      else_=counters.c.count + statement.excluded.count),
        "expires_at": case((expired, statement.excluded.expires_at),
                           else_=counters.c.expires_at),
    }).returning(counters.c.count)


_UPSERTS = {name: _upsert(name) for name in ("postgresql", "sqlite")}
_COUNTER = RateLimitCounter.__table__.c


_ENGINES: dict[tuple[int, str], Engine] = {}


def _engine(url: str, options: dict) -> Engine:
    """The counters' engine for a database URL, one per process.

    Its pool is not the sessions': a request holds its session's connection while the
    limiter counts, and with one pool, as many requests as connections would each wait for a
    second one that none gives back.
    """
    key = (os.getpid(), url)  # a forked worker never uses its parent's connections
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = create_engine(url, **options)
    return engine


@contextmanager
def transaction_of_its_own(writes: bool = True) -> Iterator[Connection]:
    """A short transaction on a connection of its own (never the request's session), from
    the counters' pool: what it writes is committed at once, whatever the request's answer.
    A write queues behind the app's SQLite write lock. The account lockout counts here too."""
    # The URL as Flask-SQLAlchemy resolved it (a relative SQLite path is in the instance
    # folder, not the working directory).
    engine = _engine(db.engine.url.render_as_string(hide_password=False),
                     current_app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if writes:
        with current_app.extensions["qrshop.write_lock"](), engine.begin() as connection:
            yield connection
    else:
        with engine.connect() as connection:
            yield connection


class DatabaseStorage(Storage):
    """A `limits` storage (scheme qrshop-database://) counting in rate_limit_counters."""

    STORAGE_SCHEME = ["qrshop-database"]
    # Expired rows are deleted at most this often per process, after a hit.
    PRUNE_EVERY_SECONDS = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.clock = time.time
        self._next_prune = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing database raises (Flask-Limiter's swallow_errors catches it)."""
        return SQLAlchemyError

    def _transaction(self, writes: bool = False):
        """A short transaction on a connection of its own (transaction_of_its_own)."""
        return transaction_of_its_own(writes)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count amount hits of key in its window (a new window of expiry seconds if none
        is running); return the window's count."""
        now = self.clock()
        with self._transaction(writes=True) as connection:
            count = connection.execute(_UPSERTS[connection.dialect.name], {
                "key": key, "amount": amount, "expires_at": now + expiry, "now": now,
            }).scalar_one()
            if now >= self._next_prune:
                self._next_prune = now + self.PRUNE_EVERY_SECONDS
                connection.execute(delete(RateLimitCounter).where(_COUNTER.expires_at <= now))
        return count

    def _running(self, column, key: str):
        with self._transaction() as connection:
            return connection.scalar(select(column).where(
                _COUNTER.key == key, _COUNTER.expires_at > self.clock()))

    def decr(self, key: str, amount: int = 1) -> int:
        """Take amount hits back from key's running window (never below 0, and never from
        a window that is over); return its count."""
        now = self.clock()
        with self._transaction(writes=True) as connection:
            connection.execute(
                update(RateLimitCounter)
                .where(_COUNTER.key == key, _COUNTER.expires_at > now, _COUNTER.count > 0)
                .values(count=func.max(_COUNTER.count - amount, 0)
                        if connection.dialect.name == "sqlite"
                        else func.greatest(_COUNTER.count - amount, 0)))
        return self.get(key)

    def get(self, key: str) -> int:
        """The count of key's running window (0 if none is running)."""
        return self._running(_COUNTER.count, key) or 0

    def get_expiry(self, key: str) -> float:
        """When key's running window ends (now if none is running)."""
        return self._running(_COUNTER.expires_at, key) or self.clock()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._transaction() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        """Delete every counter; return how many there were."""
        with self._transaction(writes=True) as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        """Forget key's count."""
        with self._transaction(writes=True) as connection:
            connection.execute(delete(RateLimitCounter).where(_COUNTER.key == key))


# Takes one hit back from a running Redis window; a window that ended is left alone.
_REDIS_REFUND = """
local count = tonumber(redis.call('get', KEYS[1]) or '0')
if count > 0 then return redis.call('decrby', KEYS[1], ARGV[1]) end
return count
"""


def refund(storage: Storage, key: str) -> None:
    """Take back one hit of key (a request that turned out not to count) from its running
    window, in any storage the app counts in: the database, Redis or (the fallback) memory.
    """
    if isinstance(storage, (DatabaseStorage, MemoryStorage)):
        storage.decr(key)
    elif isinstance(storage, RedisStorage):
        storage.get_connection().eval(_REDIS_REFUND, 1, storage.prefixed_key(key), 1)
