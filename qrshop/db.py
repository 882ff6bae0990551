"""Declarative base with one constraint naming convention, shared column types and mixins."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type, so values are stored naive in UTC and made aware on load.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes and convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every qrshop model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """created_at / updated_at columns, UTC-aware."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one writer commits; NORMAL sync is durable across
    # application crashes (only an OS crash can lose the last transactions).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Checkpoint every ~16 MB of WAL instead of 4 MB: a scan writes some 8 pages, mostly the
    # same hot ones, so a larger checkpoint copies far fewer pages per scan (and takes the
    # write lock a quarter as often).
    cursor.execute("PRAGMA wal_autocheckpoint=4000")
    # A bigger page cache and memory-mapped reads keep the scan log's indexes in memory as
    # it grows to millions of rows (the defaults are a 2 MB cache and no mmap).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


class WriteLock:
    """Queues the scan path's short write transactions of every process on one SQLite file.

    SQLite has one writer at a time, and a writer that finds the lock taken sleeps in steps
    of 1, 2, 5, 10 ... ms (its busy handler), far longer than a scan's write holds it (well
    under a millisecond). Under load, scans then wait on sleeps, not on each other. An
    exclusive flock on a file beside the database queues them in the kernel instead: each
    wakes as soon as the one before commits. Writers that do not take it still meet SQLite's
    own lock and busy timeout, so correctness never depends on it. On other databases, and
    for in-memory SQLite, it does nothing.
    """

    def __init__(self, database_url: str):
        url = make_url(database_url)
        database = url.database or ""
        on_file = url.get_backend_name() == "sqlite" and database not in ("", ":memory:") \
            and not database.startswith("file:")
        self.path: Optional[str] = f"{database}-writelock" if on_file else None
        self._threads = threading.Lock()
        self._fd: Optional[int] = None
        self._pid: Optional[int] = None

    def _descriptor(self) -> int:
        # One descriptor per process: a descriptor inherited across fork() shares its lock.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Hold the lock for the block (a write and its commit)."""
        if self.path is None:
            yield
            return
        with self._threads:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


class DriverStatement:
    """A Core statement compiled once per dialect and run straight on a DBAPI cursor.

    For the scan path only, the busiest request qrshop serves: SQLAlchemy's per-execution
    work (contexts, caches, events) costs more than SQLite takes to run these statements.
    The SQL still comes from the Core statement, and parameters still pass their types' bind
    processors (a UTCDateTime is stored exactly as the ORM stores it). execute() returns the
    DBAPI cursor, whose rows are unprocessed: select only columns the driver returns
    natively (integers, text, NULL) there. one() passes a row through its columns' result
    processors (a UTCDateTime comes back aware, a Boolean as bool).
    """

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict[str, tuple] = {}
        self._results_by_dialect: dict[str, tuple] = {}

    def _compiled(self, dialect) -> tuple:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            fixed, processors = {}, []
            for name, bind in compiled.binds.items():
                if not bind.required:
                    fixed[name] = bind.effective_value
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    processors.append((name, processor))
            names = tuple(compiled.positiontup) if compiled.positional else None
            found = self._by_dialect[dialect.name] = (str(compiled), names, fixed,
                                                       tuple(processors))
        return found

    def _result_processors(self, dialect) -> tuple:
        found = self._results_by_dialect.get(dialect.name)
        if found is None:
            found = self._results_by_dialect[dialect.name] = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns)
        return found

    def execute(self, connection: DriverConnection, values: dict):
        """Run with these parameter values; return the DBAPI cursor."""
        sql, names, fixed, processors = self._compiled(connection.dialect)
        params = {**fixed, **values}
        for name, processor in processors:
            params[name] = processor(params[name])
        cursor = connection.dbapi.cursor()
        cursor.execute(sql, [params[name] for name in names] if names is not None else params)
        return cursor

    def one(self, connection: DriverConnection, values: dict) -> Optional[tuple]:
        """The first row, through its columns' result processors; None if there is none."""
        row = self.execute(connection, values).fetchone()
        if row is None:
            return None
        return tuple(value if processor is None else processor(value)
                     for value, processor in zip(row, self._result_processors(
                         connection.dialect), strict=True))


class DriverConnection:
    """A DBAPI connection (from the engine's pool) with its dialect, for DriverStatements."""

    __slots__ = ("dbapi", "dialect")

    def __init__(self, dbapi, dialect):
        self.dbapi, self.dialect = dbapi, dialect

    @property
    def integrity_error(self) -> type[Exception]:
        """The driver's IntegrityError class."""
        return self.dialect.loaded_dbapi.IntegrityError
