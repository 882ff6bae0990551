"""Declarative base with one constraint naming convention, shared column types and mixins."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The scan path checkpoints the SQLite WAL after this many scans of a process (WalCheckpoints).
WAL_CHECKPOINT_EVERY = 400

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


def make_sqlite_file_private(database_url: str, instance_path: str) -> Optional[str]:
    """Create a SQLite database file (and its folder) readable by this user only, before
    anything connects; return its path (None for other databases and in-memory SQLite).

    The file holds e-mails, phone numbers and password hashes. SQLite gives the -wal and -shm
    files it creates the database file's mode, so they are 0600 too; an existing file (and
    its -wal and -shm) loses its group and other permissions. A relative path is in the
    instance folder, as Flask-SQLAlchemy reads it.
    """
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") \
            or database.startswith("file:") or url.query.get("uri"):
        return None
    path = database if os.path.isabs(database) else os.path.join(instance_path, database)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    # An unusable path (a folder, no permission) is left for SQLite to report: /healthz
    # answers 503 rather than the app failing to start.
    # Only a missing file is opened (to create it): closing a descriptor of a database this
    # process already has open would drop SQLite's POSIX locks on it (its connections could
    # then see their WAL deleted by another process). An existing file is only chmod-ed.
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return path
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except OSError:  # not there, or another user's file
            pass
    return path


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
    # Under scan load the scan path checkpoints the WAL itself (WalCheckpoints), mostly
    # outside the write lock; SQLite's own checkpoint after a commit, past 10,000 pages
    # (40 MB), is the backstop for other writers.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    # A bigger page cache and memory-mapped reads keep the scan log's indexes in memory as
    # it grows to millions of rows (the defaults are a 2 MB cache and no mmap).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


@contextmanager
def objects_kept_loaded(session) -> Iterator[None]:
    """Commits in the block leave the session's objects loaded (no expire on commit): for
    steps that commit often and write only their own tables, so the request's objects (its
    user, its stores) are not read again after every commit."""
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire_on_commit


# The execution option that asks psycopg for binary results: bytea arrives as its bytes, not
# as hex text twice their size to decode (zones.read_days: megabytes of shopper hashes).
BINARY_RESULTS = "qrshop_binary_results"


@event.listens_for(Engine, "before_cursor_execute")
def _binary_results(conn, cursor, statement, parameters, context, executemany):
    """Switch a psycopg cursor to binary results for a statement run with BINARY_RESULTS."""
    if context is not None and context.execution_options.get(BINARY_RESULTS) \
            and hasattr(cursor, "format"):
        from psycopg.pq import Format

        cursor.format = Format.BINARY


_NO_LOCK = nullcontext()  # reusable: entering it does nothing


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

    def __init__(self, database_url: str, instance_path: Optional[str] = None):
        url = make_url(database_url)
        database = url.database or ""
        on_file = url.get_backend_name() == "sqlite" and database not in ("", ":memory:") \
            and not database.startswith("file:")
        if on_file and instance_path and not os.path.isabs(database):
            # Where Flask-SQLAlchemy puts a relative path: the instance folder.
            database = os.path.join(instance_path, database)
        # The database file, and the lock file beside it.
        self.database: Optional[str] = database if on_file else None
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

    def __call__(self) -> AbstractContextManager[None]:
        """Hold the lock for the block (a write and its commit)."""
        return _NO_LOCK if self.path is None else self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        with self._threads:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


class WalCheckpoints:
    """Checkpoints the scan path's SQLite WAL with the write lock held only for the tail.

    A checkpoint copies the WAL's pages into the database file and syncs both; then the next
    writer can start the WAL again from its beginning, if the checkpoint copied every frame.
    SQLite runs it in the commit that takes the WAL past its mark, and a scan commits while
    holding the WriteLock: every other scan would wait for the whole copy. So scan
    connections turn SQLite's own checkpoints off, and after every `every` commits of this
    process, checkpoint twice: once without the lock (most of the copy, while other scans
    go on writing), then once with it, which copies the few frames written meanwhile and so
    completes the checkpoint: the next scan restarts the WAL. A scan writes some 5 WAL
    pages, so with N busy workers the WAL holds at most about N x 5 x `every` pages.
    On other databases, and for in-memory SQLite, it does nothing.
    """

    def __init__(self, write_lock: WriteLock, every: int = WAL_CHECKPOINT_EVERY):
        self.write_lock = write_lock
        self.on_sqlite_file = write_lock.database is not None
        self.every = every
        self._commits = 0
        self.checkpoints = 0

    def configure(self, dbapi_connection) -> None:
        """Turn SQLite's own checkpoints off on a scan connection."""
        if self.on_sqlite_file:
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    def after_commit(self, dbapi_connection) -> None:
        """Count a commit; checkpoint if it is time (call after the write lock is released)."""
        if not self.on_sqlite_file:
            return
        self._commits += 1
        if self._commits < self.every:
            return
        self._commits = 0
        self.checkpoints += 1
        busy, frames, copied = dbapi_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if busy or frames != copied:
            with self.write_lock():
                dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def bind_values(compiled, dialect) -> tuple[dict, tuple]:
    """A compiled statement's fixed parameter values ({name: value}) and its parameters'
    bind processors ((name, processor), ...): what running it on a DBAPI cursor needs."""
    fixed, processors = {}, []
    for name, bind in compiled.binds.items():
        if not bind.required:
            fixed[name] = bind.effective_value
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((name, processor))
    return fixed, tuple(processors)


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
            names = tuple(compiled.positiontup) if compiled.positional else None
            found = self._by_dialect[dialect.name] = (str(compiled), names,
                                                       *bind_values(compiled, dialect))
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

    def all(self, connection: DriverConnection, values: dict) -> list[tuple]:
        """Every row, through its columns' result processors."""
        processors = self._result_processors(connection.dialect)
        return [tuple(value if processor is None else processor(value)
                      for value, processor in zip(row, processors, strict=True))
                for row in self.execute(connection, values).fetchall()]


class DriverConnection:
    """A DBAPI connection (from the engine's pool) with its dialect, for DriverStatements.

    autocommit: each statement commits on its own (the scan fast path's PostgreSQL
    connection, whose scan is one INSERT: one round trip instead of BEGIN, INSERT, COMMIT);
    begin() opens a transaction for a write of several statements.
    """

    __slots__ = ("dbapi", "dialect", "autocommit", "in_flight")

    def __init__(self, dbapi, dialect, autocommit: bool = False):
        self.dbapi, self.dialect, self.autocommit = dbapi, dialect, autocommit
        self.in_flight = False  # a statement sent and not yet awaited (qrshop.db_send)

    def begin(self) -> None:
        """Start a transaction that the next commit() ends, if statements autocommit; else
        nothing (the driver has already begun one)."""
        if self.autocommit:
            self.dbapi.cursor().execute("BEGIN")

    @property
    def integrity_error(self) -> type[Exception]:
        """The driver's IntegrityError class."""
        return self.dialect.loaded_dbapi.IntegrityError
