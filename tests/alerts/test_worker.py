"""`qrshop worker` as its own process: delivers within seconds, once across workers, stops
cleanly; the sender loop survives a failing sender; `qrshop outbox send` shares send_due."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from qrshop.alerts import outbox
from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from qrshop.worker import Worker

DELIVERY_PROMISE = 5.0  # seconds from queueing to the mail server
STARTUP = 60.0  # a cold interpreter importing the app on a busy 2-core machine


class WorkerProcess:
    """`python -m qrshop worker` on the test database; its output read line by line."""

    def __init__(self, database_url: str, smtp_url: str, *args: str):
        environment = {**os.environ, "QRSHOP_DATABASE_URL": database_url,
                       "QRSHOP_SMTP_URL": smtp_url, "PYTHONUNBUFFERED": "1",
                       "QRSHOP_SECRET_KEY": "test-secret-key-not-for-production"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qrshop", "worker", *args], env=environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, text: str, timeout: float = STARTUP) -> str:
        """The first output line containing text; fails after timeout or if the worker ends."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no {text!r} in {timeout} s: {self.output}") from None
            if line is None:
                raise AssertionError(f"worker ended without {text!r}: {self.output}")
            self.output.append(line)
            if text in line:
                return line

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the worker and wait for its exit code."""
        self.process.send_signal(signum)
        return self.process.wait(timeout)


@pytest.fixture
def start_worker(app, database_url, smtp_server):
    """start_worker(*args): a running worker delivering to smtp_server; killed if left."""
    workers = []

    def start(*args: str) -> WorkerProcess:
        worker = WorkerProcess(database_url, app.config["SMTP_URL"], *args)
        workers.append(worker)
        worker.wait_for("Worker started")
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()
        worker.process.stdout.close()


def _queue(*recipients: str) -> None:
    for recipient in recipients:
        outbox.queue_message(channel="email", recipient=recipient, subject="Your wish list",
                             body=f"Hello {recipient}", capped=False)
    db.session.commit()


def _wait_for_mail(mailbox, count: int, timeout: float) -> float:
    """Seconds until the mailbox held count messages; fails after timeout."""
    started = time.monotonic()
    while len(mailbox.messages) < count:
        assert time.monotonic() - started < timeout, \
            f"{len(mailbox.messages)} of {count} messages after {timeout} s"
        time.sleep(0.02)
    return time.monotonic() - started


def _sent_at(recipient: str):
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage.sent_at)
                             .where(OutboxMessage.recipient == recipient))


def test_a_running_worker_delivers_a_queued_email_within_five_seconds(start_worker,
                                                                      smtp_server):
    worker = start_worker()
    assert "every 1 s" in worker.output[-1]
    _queue("ann@example.com")
    assert _wait_for_mail(smtp_server, 1, DELIVERY_PROMISE) < DELIVERY_PROMISE
    (message,) = smtp_server.messages
    assert message["To"] == "ann@example.com" and message["Subject"] == "Your wish list"
    # Marked sent (after the server's 250), so nobody delivers it again.
    deadline = time.monotonic() + DELIVERY_PROMISE
    while _sent_at("ann@example.com") is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert worker.stop() == 0
    assert "sent 1, failed 0" in worker.wait_for("Worker stopped")


def test_two_workers_deliver_each_message_exactly_once(start_worker, smtp_server):
    first, second = start_worker("--poll-interval", "0.2"), start_worker("--poll-interval",
                                                                         "0.2")
    recipients = [f"shopper{n}@example.com" for n in range(30)]
    _queue(*recipients)
    _wait_for_mail(smtp_server, len(recipients), 30)
    deadline = time.monotonic() + 10
    while any(_sent_at(recipient) is None for recipient in recipients):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert first.stop() == 0 and second.stop() == 0
    totals = [re.search(r"sent (\d+), failed (\d+)", worker.wait_for("Worker stopped"))
              for worker in (first, second)]
    assert sum(int(total.group(1)) for total in totals) == len(recipients)
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(recipients)


@pytest.mark.parametrize("signals", [
    [signal.SIGTERM], [signal.SIGINT],
    [signal.SIGINT, signal.SIGTERM],  # Ctrl-C in the demo, then the demo stopping its worker
])
def test_a_stop_signal_finishes_the_message_in_hand_then_exits_0(start_worker, smtp_server,
                                                                 signals):
    worker = start_worker()
    smtp_server.delay = 1.5
    _queue("slow@example.com", "next@example.com")
    assert smtp_server.receiving.wait(DELIVERY_PROMISE)
    for signum in signals:  # sent mid-delivery
        worker.process.send_signal(signum)
    assert worker.process.wait(30) == 0
    assert "sent 1, failed 0" in worker.wait_for("Worker stopped")
    # The message in hand went out and is marked sent; the next one waits for a worker.
    assert [message["To"] for message in smtp_server.messages] == ["slow@example.com"]
    assert _sent_at("slow@example.com") is not None and _sent_at("next@example.com") is None


def test_a_worker_with_nothing_to_do_stops_at_once(start_worker):
    worker = start_worker("--poll-interval", "30")
    started = time.monotonic()
    assert worker.stop() == 0
    assert time.monotonic() - started < 5  # not after the 30 s sleep


@pytest.mark.skipif(not os.environ.get("QRSHOP_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="a lost connection is a PostgreSQL matter")
def test_a_worker_survives_losing_its_database_connections(app, database_url, smtp_server):
    from sqlalchemy import text

    worker = WorkerProcess(database_url + "?application_name=qrshop-test-worker",
                           app.config["SMTP_URL"])
    try:
        worker.wait_for("Worker started")
        _queue("before@example.com")
        _wait_for_mail(smtp_server, 1, DELIVERY_PROMISE)
        killed = db.session.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'qrshop-test-worker'"))
        db.session.commit()
        assert killed >= 1
        _queue("after@example.com")
        _wait_for_mail(smtp_server, 2, DELIVERY_PROMISE * 2)
        assert worker.stop() == 0
    finally:
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()
        worker.process.stdout.close()


def test_a_failing_sender_is_logged_and_retried_while_the_others_go_on(app, caplog):
    stop = threading.Event()
    calls = {"flaky": 0, "steady": 0}
    usable = []  # each steady call could query after flaky's failure

    def flaky(limit):
        calls["flaky"] += 1
        if calls["flaky"] <= 2:
            db.session.execute(select(OutboxMessage.id))  # a transaction to roll back
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return 0, 0

    def steady(limit):
        calls["steady"] += 1
        usable.append(db.session.scalar(select(OutboxMessage.id)) is None)
        if calls["steady"] == 4:
            stop.set()
        return (1, 0) if calls["steady"] == 1 else (0, 0)

    worker = Worker((flaky, steady), 0.01, stop)
    worker.run()
    assert calls == {"flaky": 3, "steady": 4}  # no crash: every round called both
    assert worker.sent == 1 and usable == [True] * 4
    errors = [record for record in caplog.records if "flaky" in record.getMessage()]
    assert "failed; retrying" in errors[0].getMessage() and errors[0].exc_info
    assert "failed again (2 times in a row)" in errors[1].getMessage()
    assert "works again" in errors[2].getMessage()


def test_outbox_send_and_the_worker_share_send_due(app, runner, smtp_server):
    _queue("one@example.com", "two@example.com")
    smtp_server.refuse = True
    result = runner.invoke(args=["outbox", "send", "--limit", "1"])
    assert result.exit_code == 0 and "Sent 0, failed 1." in result.output
    assert "(attempt 1, queued for retry)" in result.output
    smtp_server.refuse = False
    assert outbox.send_due(10) == (1, 0)  # the other one; the failed one waits its retry
    assert [message["To"] for message in smtp_server.messages] == ["two@example.com"]
