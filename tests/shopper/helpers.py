"""Test helpers for the scan: a fake clock for the scanner's memory of tags."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += seconds


def freeze_scan_clock(app, max_age: float = 1.0) -> FakeClock:
    """Give the app's scanner a fake clock and keep tags for max_age seconds."""
    clock = FakeClock()
    tags = app.extensions["qrshop.scanner"].tags
    tags.clock, tags.max_age = clock, max_age
    return clock


def count_scan_statements(monkeypatch, statements: list) -> None:
    """Append to `statements` the SQL of every statement the scan path runs on its own
    connection: DriverStatements, and on PostgreSQL the INSERT it sends (qrshop.db_send).
    Statements run through SQLAlchemy are the caller's to count (before_cursor_execute)."""
    from qrshop.db import DriverStatement
    from qrshop.db_send import SentStatement

    execute, send = DriverStatement.execute, SentStatement.send

    def count_driver(self, connection, values):
        statements.append(self._compiled(connection.dialect)[0])
        return execute(self, connection, values)

    def count_sent(self, driver, values):
        if send(self, driver, values):  # not one the server refused to prepare
            statements.append(self.sql.decode())
            return True
        return False

    monkeypatch.setattr(DriverStatement, "execute", count_driver)
    monkeypatch.setattr(SentStatement, "send", count_sent)
