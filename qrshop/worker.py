"""`qrshop worker`: delivers due outbox messages (emails, texts, webhooks) until stopped;
`qrshop outbox send`: one pass of the same senders, for cron.

Each round asks every sender in SENDERS for one due message at a time (a sender is a
function `send_due(limit) -> (sent, failed)`, committing each message on its own), until
none is due or ROUND_LIMIT were handled; with nothing left anywhere it sleeps one poll
interval (about a second), so a message queued now goes out within seconds. Senders lease a
message with a conditional UPDATE before delivering it (outbox.take), so any number of
workers, on any number of machines, never deliver one message twice.

SIGTERM or SIGINT (Ctrl-C) asks the worker to stop: it finishes the message in hand and exits
0. An exception from a sender (a bug, the database gone) is logged, its transaction rolled
back and its connection dropped, and the sender is called again next round: the worker
itself never dies of it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Optional

import click
from flask import current_app
from flask.cli import with_appcontext

from qrshop.accounts.queries import all_stores
from qrshop.alerts import outbox
from qrshop.analytics import zones
from qrshop.analytics.rollup import roll_up_in_steps
from qrshop.assist.holds import expire_due as expire_holds
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.partitions import ensure_partitions
from qrshop.tags.silent import report_silent_tags
from qrshop.webhooks import delivery as webhook_delivery

Sender = Callable[[int], tuple[int, int]]

# Emails and texts, then webhook deliveries.
SENDERS: tuple[Sender, ...] = (outbox.send_due, webhook_delivery.send_due)
ROUND_LIMIT = 100  # messages one sender handles in a round before the next sender's turn
SILENT_TAGS_EVERY = 3600.0  # seconds between two looks for silent tags (tag.silent webhooks)
PARTITIONS_EVERY = 3600.0  # seconds between two passes creating month partitions ahead
HOLDS_EVERY = 60.0  # seconds between two looks for holds past their time (assist.holds)
ROLLUP_EVERY = 3600.0  # seconds between two passes rolling completed days of scans up
ZONE_DAYS = 62  # how far back the worker sums a chain's zones (two 30-day periods and more)


def sender_name(sender: Sender) -> str:
    """A sender as the log names it: module.function."""
    return f"{sender.__module__}.{sender.__qualname__}"


class Worker:
    """Calls the senders in rounds until `stop` is set; keeps count of what they did."""

    def __init__(self, senders: Iterable[Sender], poll_interval: float,
                 stop: threading.Event):
        self.senders = tuple(senders)
        self.poll_interval = poll_interval
        self.stop = stop
        self.sent = self.failed = 0
        self._failing: dict[Sender, int] = {}  # consecutive exceptions per sender

    def _call(self, sender: Sender) -> Optional[tuple[int, int]]:
        """One message from one sender: (sent, failed), or None if the sender raised."""
        try:
            result = sender(1)
        except Exception as error:  # a bug or a lost database: log it, try next round
            streak = self._failing[sender] = self._failing.get(sender, 0) + 1
            if streak == 1:
                current_app.logger.exception("%s failed; retrying every %g s",
                                             sender_name(sender), self.poll_interval)
            else:
                current_app.logger.error("%s failed again (%d times in a row): %s: %s",
                                         sender_name(sender), streak, type(error).__name__,
                                         error)
            return None
        finally:
            # Roll back what a failure left and end the transaction even when nothing was
            # due (on SQLite an open read would hold back the WAL checkpoint while the worker
            # sleeps); a connection that is gone is dropped from the pool here.
            with contextlib.suppress(Exception):
                db.session.remove()
        if self._failing.pop(sender, 0):
            current_app.logger.warning("%s works again", sender_name(sender))
        return result

    def run_round(self) -> bool:
        """Give each sender its turn; True if any delivered or failed a message (more may
        be due at once)."""
        busy = False
        for sender in self.senders:
            for _ in range(ROUND_LIMIT):
                if self.stop.is_set():
                    return busy
                result = self._call(sender)
                if not result or not sum(result):
                    break  # nothing due, or it raised: the next round tries again
                busy = True
                self.sent += result[0]
                self.failed += result[1]
        return busy

    def report_silent_tags(self) -> None:
        """Queue tag.silent for tags gone silent (report_silent_tags queues each silence
        once, so several workers doing it is harmless)."""
        with _duty("looking for silent tags failed"):
            report_silent_tags(utcnow())
            db.session.commit()

    def create_partitions(self) -> None:
        """Create the coming months' partitions on PostgreSQL (`qrshop db partitions`; an
        advisory lock lets several workers do it at once)."""
        with _duty("creating partitions failed"):
            with db.engine.begin() as connection:
                created = [part.name for part in ensure_partitions(connection, utcnow())
                           if part.action == "created"]
            if created:
                current_app.logger.info("created partitions %s", ", ".join(created))

    def expire_holds(self) -> None:
        """End the holds past their time and queue their shoppers' messages (each hold
        moves by a conditional UPDATE, so several workers doing it is harmless)."""
        with _duty("expiring holds failed"):
            expire_holds(utcnow())
            db.session.commit()

    def roll_up_scans(self) -> None:
        """Roll every store's newly completed days of scans up and sum each chain's time
        zones (analytics.zones), so the day's first dashboard reads them ready. Each step is
        its own short transaction (safe on many workers)."""
        with _duty("rolling up scans failed"):
            stores = all_stores()
            roll_up_in_steps(stores, back_to=None)
            # The recent days only (what dashboards open on): a long history would keep the
            # outbox waiting; `qrshop analytics rollup` sums all of it.
            zones.build_all(stores, since=utcnow().date() - timedelta(days=ZONE_DAYS))

    def run(self) -> None:
        """Rounds until stopped; sleeps one poll interval whenever nothing was due; rolls
        scans up, looks for silent tags and creates coming months' partitions once an hour,
        and looks for holds past their time once a minute."""
        duties = ((ROLLUP_EVERY, self.roll_up_scans), (SILENT_TAGS_EVERY,
                                                         self.report_silent_tags),
                  (PARTITIONS_EVERY, self.create_partitions), (HOLDS_EVERY, self.expire_holds))
        due = [time.monotonic()] * len(duties)
        while not self.stop.is_set():
            for n, (every, duty) in enumerate(duties):
                if time.monotonic() >= due[n]:
                    duty()
                    due[n] = time.monotonic() + every
            if not self.run_round():
                self.stop.wait(self.poll_interval)


@contextlib.contextmanager
def _duty(failure: str) -> Iterator[None]:
    """One periodic duty of the worker: an exception (the database gone, a bug) is logged
    with `failure`, never fatal (its next pass tries again); the session is removed after."""
    try:
        yield
    except Exception:
        current_app.logger.exception(failure)
    finally:
        with contextlib.suppress(Exception):
            db.session.remove()


@click.command("worker")
@click.option("--poll-interval", default=1.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(0.05, 3600),
              help="How long to sleep when nothing is due.")
@with_appcontext
def worker_command(poll_interval: float):
    """Deliver due outbox messages until stopped (Ctrl-C or SIGTERM); safe on many machines."""
    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()  # asked again (the demo's SIGTERM after Ctrl-C): still the same stop

    previous = {signum: signal.signal(signum, request_stop)
                for signum in (signal.SIGTERM, signal.SIGINT)}
    names = ", ".join(sender_name(sender) for sender in SENDERS)
    click.echo(f"Worker started: delivering due outbox messages ({names}), looking every "
               f"{poll_interval:g} s. Ctrl-C or SIGTERM stops it after the message in hand.")
    worker = Worker(SENDERS, poll_interval, stop)
    started = time.monotonic()
    try:
        worker.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(f"Worker stopped after {time.monotonic() - started:.0f} s: sent {worker.sent}, "
               f"failed {worker.failed}.")


@click.group("outbox")
def outbox_cli():
    """Queued emails, texts and webhook deliveries."""


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Deliver at most this many messages of each kind in this run.")
@with_appcontext
def send_command(limit: int):
    """Deliver the queued messages that are due (emails, texts, webhooks); failures stay
    queued and are retried later."""
    sent = failed = 0
    for sender in SENDERS:
        done, refused = sender(limit, report=lambda line: click.echo(line, err=True))
        sent, failed = sent + done, failed + refused
    click.echo(f"Sent {sent}, failed {failed}.")
