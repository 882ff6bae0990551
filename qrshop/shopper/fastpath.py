"""The shelf scan without Flask's request machinery: a WSGI adapter of shopper.scan.Scanner.

A person's plain GET of a live tag is most of what qrshop serves, and a phone on a store's
mobile signal waits for it. Flask's request context, session, hooks and response object cost
more CPU than the scan's own work, so this middleware hands that one case straight to the
Scanner (the Flask view's own handler), on a connection this thread keeps.

Everything else goes to Flask, whose view calls the same Scanner with a PageRenderer: another
method, a query string (?via= visits), an unknown or retired code, a page this process has
not rendered yet (the Scanner answers None, having written nothing), and any error before
the scan is committed. So a scan is never recorded twice.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import Optional

from flask import Flask
from werkzeug.http import parse_cookie

from qrshop.db import DriverConnection, WalCheckpoints
from qrshop.extensions import db
from qrshop.shopper.scan import ScanRequest

Response = tuple[str, list[tuple[str, str]], bytes]


class ScanFastPath:
    """WSGI middleware in front of the Flask app; see the module docstring."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.wal_checkpoints = WalCheckpoints(app.extensions["qrshop.write_lock"])
        self._engine = None
        self._local = threading.local()
        # How many scans this process served here, and passed on to Flask (for tests).
        self.served = self.passed_on = 0

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (path[:3] in ("/t/", "/T/") and environ.get("REQUEST_METHOD") == "GET"
                and not environ.get("QUERY_STRING") and self.app.config["SCAN_FAST_PATH"]):
            response = self._serve(environ, path[3:])
            if response is not None:
                self.served += 1
                status, headers, body = response
                start_response(status, headers)
                return [body]
            self.passed_on += 1
        return self.wsgi_app(environ, start_response)

    def _serve(self, environ, code: str) -> Optional[Response]:
        """The scan's response, or None to let Flask serve the request."""
        request = ScanRequest(code=code, method="GET",
                              user_agent=environ.get("HTTP_USER_AGENT", ""), environ=environ,
                              # A plain dict: werkzeug's MultiDict.get raises and catches
                              # an exception for a missing name (most scans have no cookie).
                              cookies=(parse_cookie(environ).to_dict()
                                       if environ.get("HTTP_COOKIE") else {}),
                              secure=environ.get("wsgi.url_scheme") == "https")
        committed = False
        try:
            driver = self._driver()

            def commit() -> None:
                nonlocal committed
                driver.dbapi.commit()
                committed = True

            answer = self.app.extensions["qrshop.scanner"].answer(request, driver,
                                                                  commit=commit)
        except Exception:
            if committed:
                raise  # stored: Flask must not record it again
            # Flask serves it instead, and shows its error page if the failure persists.
            self.app.logger.exception("scan fast path failed on %s; passing it to Flask", code)
            self._drop_driver()
            return None
        if answer is None:
            self._end_reads()
            return None
        try:
            self.wal_checkpoints.after_commit(driver.dbapi)
        except Exception:
            # The scan is stored; the next scan or SQLite's own backstop checkpoints.
            self.app.logger.exception("WAL checkpoint after a scan failed")
        data = answer.body
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(data))), *answer.headers]
        return f"{answer.status} {HTTPStatus(answer.status).phrase}", headers, data

    def _driver(self) -> DriverConnection:
        """This thread's own connection, kept between scans (no pool checkout and ping)."""
        driver = getattr(self._local, "driver", None)
        if driver is None:
            if self._engine is None:
                with self.app.app_context():
                    self._engine = db.engine
            driver = DriverConnection(self._engine.raw_connection(), self._engine.dialect)
            if driver.dialect.name == "sqlite":
                # SQLite drops a connection's memory map whenever another process has
                # committed, which is every scan here: mapping it again and faulting its pages
                # in cost more than reading the few pages a scan needs.
                driver.dbapi.execute("PRAGMA mmap_size=0")
                self.wal_checkpoints.configure(driver.dbapi)
            self._local.driver = driver
        return driver

    def _drop_driver(self) -> None:
        """Discard this thread's connection after an error (the next scan opens another)."""
        driver = self._local.__dict__.pop("driver", None)
        if driver is not None:
            driver.dbapi.invalidate()

    def _end_reads(self) -> None:
        """End what a scan passed on to Flask has read (it may hold a transaction open)."""
        driver = self._local.__dict__.get("driver")
        if driver is not None:
            try:
                driver.dbapi.rollback()
            except Exception:
                self._drop_driver()

    def close(self) -> None:
        """Give this thread's connection back to the pool (the app is being discarded)."""
        driver = self._local.__dict__.pop("driver", None)
        if driver is not None:
            driver.dbapi.close()
