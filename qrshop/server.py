"""Running qrshop under gunicorn: `qrshop serve` and `qrshop demo`."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

from qrshop.access_log import (
    ACCESS_LOG_SETTINGS,
    LOG_FORMATS,
    PRIVATE_FORMAT,
    JsonAccessLog,
    PrivateAccessLog,
)


def default_workers() -> int:
    """Sync workers: two per core plus one, gunicorn's own advice for CPU-light requests."""
    return 2 * (os.cpu_count() or 1) + 1


class QrshopServer(BaseApplication):
    """Gunicorn running an app made by a factory in each worker (nothing shared by fork)."""

    def __init__(self, app_factory: Callable, options: dict):
        self._app_factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self):
        """Apply our options to gunicorn's config."""
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the WSGI app inside the worker, then freeze_long_lived()."""
        app = self._app_factory()
        freeze_long_lived()
        return app


def freeze_long_lived() -> None:
    """Move every object alive now (modules, the app, SQLAlchemy's metadata: some 200,000 of
    them) out of the garbage collector's reach: a full collection then walks only what
    requests created since, instead of pausing a request for over 100 ms to walk them all
    (seen on the chain's dashboard). Call it once the app is built, in a long-lived process.
    """
    gc.collect()
    gc.freeze()


def _access_log_options(access_log: bool | str, log_format: str = "text") -> dict:
    """gunicorn's access-log settings for QRSHOP_ACCESS_LOG (private, full or off) and
    QRSHOP_LOG_FORMAT (text or json)."""
    setting = {True: "private", False: "off"}.get(access_log, access_log)
    if setting not in ACCESS_LOG_SETTINGS:
        raise ValueError(f"QRSHOP_ACCESS_LOG is {access_log!r}; use private, full or off.")
    if log_format not in LOG_FORMATS:
        raise ValueError(f"QRSHOP_LOG_FORMAT is {log_format!r}; use text or json.")
    if setting == "off":
        return {"accesslog": None}
    if log_format == "json":
        if setting == "full":
            raise ValueError("QRSHOP_LOG_FORMAT=json writes the private fields only; "
                             "set QRSHOP_ACCESS_LOG=private (or off).")
        return {"accesslog": "-", "logger_class": JsonAccessLog}
    if setting == "full":  # gunicorn's combined format: client address, agent, query string
        return {"accesslog": "-", "logger_class": Logger,
                "access_log_format": AccessLogFormat.default}
    return {"accesslog": "-", "logger_class": PrivateAccessLog,
            "access_log_format": PRIVATE_FORMAT}


def gunicorn_options(
    bind: str, workers: int, *, access_log: bool | str = "private", trusted_proxies: str = "",
    log_format: str = "text",
) -> dict:
    """The documented production settings (docs/deployment.md)."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "sync",
        # A landing page takes milliseconds; anything near 30 s is stuck and is restarted.
        "timeout": 30,
        "graceful_timeout": 30,
        "keepalive": 2,
        # Recycle workers now and then so a slow leak can never take a node down; rarely
        # enough that a busy node does not pay for it: at 20,000 a worker serving 1,800
        # scans/s restarted every 11 s, and each restart (a second of imports) showed as
        # a p99 near 1 s in bench_scan.py.
        "max_requests": 1_000_000,
        "max_requests_jitter": 100_000,
        # X-Forwarded-* are honoured only from these addresses (QRSHOP_TRUSTED_PROXIES).
        "forwarded_allow_ips": trusted_proxies,
        # No client address, agent, query string or token unless asked (qrshop/access_log.py).
        **_access_log_options(access_log, log_format),
        "errorlog": "-",
        "preload_app": False,
    }


def metrics_options() -> dict:
    """prometheus-client's multiprocess mode for this server's workers (GET /metrics).

    A fresh PROMETHEUS_MULTIPROC_DIR per server start (in the temporary folder, TMPDIR),
    so counts never carry over from an earlier run; a dead worker's live gauges are dropped
    (gunicorn's child_exit) and the folder is removed when the server stops.
    """
    from prometheus_client import multiprocess

    folder = tempfile.mkdtemp(prefix="qrshop-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # the workers inherit it

    def child_exit(server, worker):
        multiprocess.mark_process_dead(worker.pid, folder)

    def on_exit(server):
        shutil.rmtree(folder, ignore_errors=True)

    return {"child_exit": child_exit, "on_exit": on_exit}


def serve(app_factory: Callable, bind: str, workers: int, *, metrics: bool = False,
          **kwargs) -> None:
    """Serve until interrupted (with metrics: shared by the workers, see metrics_options)."""
    options = gunicorn_options(bind, workers, **kwargs)
    if metrics:
        options.update(metrics_options())
    QrshopServer(app_factory, options).run()
