"""The SQLite write lock queues the scan path's writes of every process, and the scan path
checkpoints the WAL mostly outside it; elsewhere both do nothing."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3

from sqlalchemy import create_engine

from qrshop.db import WalCheckpoints, WriteLock


def _try_lock(path: str, answer) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        answer.put("got it")
    except BlockingIOError:
        answer.put("busy")
    finally:
        os.close(fd)


def _other_process_tries(path: str) -> str:
    answers = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_try_lock, args=(path, answers))
    process.start()
    process.join(10)
    return answers.get(timeout=5)


def test_another_process_cannot_take_the_lock_while_it_is_held(tmp_path):
    lock = WriteLock(f"sqlite:///{tmp_path}/qrshop.sqlite3")
    assert lock.path == f"{tmp_path}/qrshop.sqlite3-writelock"
    with lock():
        assert _other_process_tries(lock.path) == "busy"
    assert _other_process_tries(lock.path) == "got it"
    with lock():  # and it can be taken again
        pass


def test_it_does_nothing_on_postgresql_and_in_memory_sqlite():
    for url in ("postgresql+psycopg://postgres@127.0.0.1/test", "sqlite://", "sqlite:///:memory:"):
        lock = WriteLock(url)
        assert lock.path is None
        with lock(), lock():  # nothing to hold: nesting is fine too
            pass


class _ReaderLeavesAfterTheFirstCheckpoint:
    """A scan connection; another worker's read transaction ends after its first checkpoint."""

    def __init__(self, connection, reader):
        self.connection, self.reader = connection, reader

    def execute(self, sql: str):
        result = self.connection.execute(sql)
        if "wal_checkpoint" in sql and self.reader.in_transaction:
            self.reader.rollback()
        return result


def test_the_scan_path_checkpoints_the_wal_and_it_starts_again(tmp_path):
    url = f"sqlite:///{tmp_path}/qrshop.sqlite3"
    wal = f"{tmp_path}/qrshop.sqlite3-wal"
    engine = create_engine(url)
    checkpoints = WalCheckpoints(WriteLock(url), every=50)
    writer = engine.raw_connection()
    checkpoints.configure(writer)
    writer.execute("CREATE TABLE log (body TEXT)")
    writer.commit()
    for _ in range(49):
        writer.execute("INSERT INTO log VALUES (?)", ("x" * 3000,))
        writer.commit()
        checkpoints.after_commit(writer)
    # SQLite's own checkpoints are off: the WAL keeps every commit (a page each).
    assert checkpoints.checkpoints == 0 and os.stat(wal).st_size > 49 * 4096
    # Another worker is reading: a checkpoint cannot copy what is newer than its snapshot.
    reader = sqlite3.connect(f"{tmp_path}/qrshop.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM log").fetchone() == (49,)
    writer.execute("INSERT INTO log VALUES ('the 50th scan')")
    writer.commit()
    full = os.stat(wal).st_size

    # The first checkpoint copies up to the reader's snapshot; the reader is done before the
    # second, under the write lock, which copies the rest.
    checkpoints.after_commit(_ReaderLeavesAfterTheFirstCheckpoint(writer, reader))

    assert checkpoints.checkpoints == 1
    writer.execute("INSERT INTO log VALUES ('the next scan')")
    writer.commit()
    # The checkpoint was complete, so that commit wrote at the WAL's start again: the file
    # did not grow (it would have by a frame).
    assert os.stat(wal).st_size == full
    assert reader.execute("SELECT COUNT(*) FROM log").fetchone() == (51,)
    reader.close()
    writer.close()
    engine.dispose()


def test_checkpoints_do_nothing_on_postgresql_and_in_memory_sqlite():
    for url in ("postgresql+psycopg://localhost/qrshop", "sqlite://"):
        checkpoints = WalCheckpoints(WriteLock(url), every=1)
        checkpoints.configure(None)
        checkpoints.after_commit(None)  # returns before touching the connection
        assert checkpoints.checkpoints == 0
