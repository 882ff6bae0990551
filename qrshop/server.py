"""Running qrshop under gunicorn: `qrshop serve` and `qrshop demo`."""

from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

from qrshop.access_log import ACCESS_LOG_SETTINGS, PRIVATE_FORMAT, PrivateAccessLog


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
        """Build the WSGI app inside the worker."""
        return self._app_factory()


def _access_log_options(access_log: bool | str) -> dict:
    """gunicorn's access-log settings for QRSHOP_ACCESS_LOG (private, full or off)."""
    setting = {True: "private", False: "off"}.get(access_log, access_log)
    if setting not in ACCESS_LOG_SETTINGS:
        raise ValueError(f"QRSHOP_ACCESS_LOG is {access_log!r}; use private, full or off.")
    if setting == "off":
        return {"accesslog": None}
    if setting == "full":  # gunicorn's combined format: client address, agent, query string
        return {"accesslog": "-", "logger_class": Logger,
                "access_log_format": AccessLogFormat.default}
    return {"accesslog": "-", "logger_class": PrivateAccessLog,
            "access_log_format": PRIVATE_FORMAT}


def gunicorn_options(
    bind: str, workers: int, *, access_log: bool | str = "private", trusted_proxies: str = ""
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
        # Recycle workers now and then so a slow leak can never take a node down.
        "max_requests": 20000,
        "max_requests_jitter": 2000,
        # X-Forwarded-* are honoured only from these addresses (QRSHOP_TRUSTED_PROXIES).
        "forwarded_allow_ips": trusted_proxies,
        # No client address, agent, query string or token unless asked (qrshop/access_log.py).
        **_access_log_options(access_log),
        "errorlog": "-",
        "preload_app": False,
    }


def serve(app_factory: Callable, bind: str, workers: int, **kwargs) -> None:
    """Serve until interrupted."""
    QrshopServer(app_factory, gunicorn_options(bind, workers, **kwargs)).run()
