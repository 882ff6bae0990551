"""The SQLite write lock queues the scan path's writes of every process; elsewhere a no-op."""

from __future__ import annotations

import fcntl
import multiprocessing
import os

from qrshop.db import WriteLock


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
        with lock():
            pass
