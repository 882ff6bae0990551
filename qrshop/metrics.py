"""GET /metrics: what the servers are doing, for Prometheus (prometheus-client).

Off unless METRICS_TOKEN (QRSHOP_METRICS_TOKEN) is set: then /metrics answers a scraper that
sends `Authorization: Bearer <token>` (401 otherwise) and 404 while it is not set. A process
whose metrics are off counts nothing, so the scan path pays nothing for them.

Under `qrshop serve` each gunicorn worker writes its counts to files in
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode, set up by qrshop/server.py),
and whichever worker answers the scrape adds every worker's up. In a single process (tests,
`flask run`) the counts live in the process. The queue depths are read from the database at
scrape time, through the owning features' functions (create_app hands them in).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Optional

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

from qrshop.db import utcnow
from qrshop.extensions import db

bp = Blueprint("metrics", __name__)

# The request latency histogram's labels: a small fixed set, never a raw path
# (qrshop/request_log.py names a request's group).
ROUTE_GROUPS = ("scan", "shopper", "console", "api", "pos", "static", "other")
# A landing page takes a few milliseconds; a console report or an upload, up to seconds.
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# A queue's name -> its depth by state at a time (alerts.outbox.queue_depth,
# webhooks.delivery.queue_depth).
QueueDepth = Callable[[datetime], dict[str, int]]


def multiprocess_dir() -> Optional[str]:
    """The folder the workers of `qrshop serve` share their counts in, if any."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """One app's counters and histograms (app.extensions["qrshop.metrics"] when on)."""

    def __init__(self, queue_depths: dict[str, QueueDepth]):
        self.queue_depths = queue_depths
        if multiprocess_dir() and values.ValueClass is values.MutexValue:
            # The variable was set after prometheus-client was imported (gunicorn's master
            # built an app before `qrshop serve` set it): write to the shared files.
            values.ValueClass = values.get_value_class()
        # In multiprocess mode the metrics are read back from the files at scrape time,
        # so they are registered nowhere; in one process, in this app's own registry.
        self.registry = CollectorRegistry()
        owner = None if multiprocess_dir() else self.registry
        self.scans = Counter("qrshop_scans", "Scans recorded (people and bots).",
                             registry=owner)
        self.bot_scans = Counter("qrshop_bot_scans", "Scans recorded from bots and previews.",
                                 registry=owner)
        self.database_errors = Counter("qrshop_database_errors",
                                       "Errors the database driver raised.", registry=owner)
        latency = Histogram("qrshop_request_duration_seconds",
                            "Time to answer a request, by route group.", ["route_group"],
                            buckets=LATENCY_BUCKETS, registry=owner)
        # One child per group made now: observing is then a dict lookup and an add.
        self.latency = {group: latency.labels(group) for group in ROUTE_GROUPS}

    def count_scan(self, bot: Optional[str]) -> None:
        """Count one recorded scan (bot: the reason it is a bot's, or None for a person)."""
        self.scans.inc()
        if bot is not None:
            self.bot_scans.inc()

    def observe(self, route_group: str, seconds: float) -> None:
        """Count one answered request of this group and how long it took."""
        self.latency[route_group].observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text of every worker's counts and the queues' depths now."""
        if multiprocess_dir():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        else:
            registry = self.registry
        queues = QueueCollector(self)
        registry.register(queues)
        try:
            return generate_latest(registry)
        finally:
            registry.unregister(queues)


class QueueCollector:
    """Gauges of the outbox and webhook queues, read from the database at scrape time."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One gauge per queue, labelled by state (queued, due, retrying, failed)."""
        now = utcnow()
        for name, depth in self.metrics.queue_depths.items():
            try:
                counts = depth(now)
            except SQLAlchemyError:
                db.session.rollback()
                self.metrics.database_errors.inc()
                continue
            gauge = GaugeMetricFamily(f"qrshop_{name}", f"Rows of the {name} queue by state.",
                                      labels=["state"])
            for state, count in counts.items():
                gauge.add_metric([state], count)
            yield gauge


def init_app(app, queue_depths: dict[str, QueueDepth]) -> None:
    """Turn metrics on for this app when METRICS_TOKEN is set, counting database errors."""
    if not app.config.get("METRICS_TOKEN"):
        app.extensions["qrshop.metrics"] = None
        return
    metrics = app.extensions["qrshop.metrics"] = Metrics(queue_depths)
    from sqlalchemy import event

    with app.app_context():
        event.listen(db.engine, "handle_error", lambda context: metrics.database_errors.inc())


@bp.get("/metrics")
def metrics_page():
    """The Prometheus text; 404 while metrics are off, 401 without the bearer token."""
    metrics: Optional[Metrics] = current_app.extensions.get("qrshop.metrics")
    if metrics is None:
        abort(404)
    expected = f"Bearer {current_app.config['METRICS_TOKEN']}".encode()
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        return Response("A bearer token is required.\n", 401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST,
                                                   "Cache-Control": "no-store"})
