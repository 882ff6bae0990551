"""A statement sent to PostgreSQL now and awaited later, on the scan's own connection.

A scan is one autocommitted INSERT. Run and awaited at once, the worker sits idle while the
server runs it and flushes its WAL, a third of a scan's time on PostgreSQL. Sent before the
response is put together and awaited just before the response goes out, the server's work
overlaps the worker's. Nothing is answered before the server has confirmed the commit, so
every acknowledged scan is still stored.

Only psycopg's libpq layer is used (psycopg.pq, psycopg.adapt): a statement is prepared once
per connection under a fixed name and sent with its parameters in text form, which
PostgreSQL reads as the prepared statement's column types.
"""

from __future__ import annotations

import select
import time

from psycopg import errors
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import ExecStatus
from sqlalchemy.dialects import postgresql

from qrshop.db import bind_values

# Statements are compiled with $1, $2 ... placeholders, libpq's own.
_DIALECT = postgresql.dialect(paramstyle="numeric_dollar")
# Keys of the connection's info dict: the names prepared on it, and those it refused.
_PREPARED, _REFUSED = "qrshop_sent", "qrshop_sent_refused"
# How long a connection takes a missing table's word for it before preparing again (a month's
# partition the worker creates meanwhile is then used).
RETRY_AFTER_SECONDS = 60.0


def can_send(driver) -> bool:
    """Whether statements can be sent on this driver connection: psycopg, autocommit."""
    return driver.autocommit and driver.dialect.driver == "psycopg"


def _wait_for(socket: int, event: int) -> None:
    """Block until the socket is ready for reading or writing (select.POLLIN, POLLOUT)."""
    poll = select.poll()
    poll.register(socket, event)
    poll.poll()


def _raise_for(result, connection) -> None:
    """Raise the server's error if a result is one."""
    if result.status not in (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK):
        raise errors.error_from_result(result, encoding=connection.info.encoding)


class SentStatement:
    """A Core statement compiled once and prepared once per connection, sent without
    waiting: send() returns at once, and the connection is the statement's until wait().
    """

    def __init__(self, statement, name: str):
        compiled = statement.compile(dialect=_DIALECT)
        self.name = name.encode()
        self.sql = str(compiled).encode()
        self.fixed, self.processors = bind_values(compiled, _DIALECT)
        # The values of $1, $2 ... in order (a name used twice keeps its first number).
        self.names = tuple(dict.fromkeys(compiled.positiontup))

    def ready(self, driver) -> bool:
        """Prepare the statement on this connection unless it is already; False if one of
        its tables does not exist, which the connection remembers for RETRY_AFTER_SECONDS.
        Any other error (a lock timeout, a lost connection) is raised: the caller's
        connection is then replaced."""
        info = driver.dbapi.info
        if self.name in info.setdefault(_PREPARED, set()):
            return True
        refused = info.setdefault(_REFUSED, {})
        refused_at = refused.get(self.name)
        if refused_at is not None and time.monotonic() - refused_at < RETRY_AFTER_SECONDS:
            return False
        connection = driver.dbapi.driver_connection
        try:
            _raise_for(connection.pgconn.prepare(self.name, self.sql), connection)
        except errors.UndefinedTable:
            refused[self.name] = time.monotonic()
            return False
        info[_PREPARED].add(self.name)
        return True

    def send(self, driver, values: dict) -> bool:
        """Send the statement with these values (wait(driver) waits for its outcome); False,
        having sent nothing, if the server refused to prepare it (see ready)."""
        if not self.ready(driver):
            return False
        params = {**self.fixed, **values}
        for key, processor in self.processors:
            params[key] = processor(params[key])
        ordered = [params[key] for key in self.names]
        connection = driver.dbapi.driver_connection
        pgconn = connection.pgconn
        pgconn.send_query_prepared(self.name, Transformer.from_context(connection).dump_sequence(
            ordered, [PyFormat.TEXT] * len(ordered)))
        while pgconn.flush():  # the socket is non-blocking: write what is left
            _wait_for(pgconn.socket, select.POLLOUT)
        driver.in_flight = True
        return True


def wait(driver) -> None:
    """Wait until the statement sent on this connection, if any, is committed; raise the
    server's error if it failed."""
    if not driver.in_flight:
        return
    connection = driver.dbapi.driver_connection
    pgconn = connection.pgconn
    driver.in_flight = False
    failure = None
    # Every result, to the end: the INSERT's comes before its commit, which the end (the
    # server's ReadyForQuery) confirms; a failed commit is one more result.
    # The socket is read only while libpq lacks a whole result: once the server's answer
    # is in, a connection it then closes (a restart) must not turn a commit into an error.
    while True:
        while pgconn.is_busy():
            _wait_for(pgconn.socket, select.POLLIN)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            break
        try:
            _raise_for(result, connection)
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
