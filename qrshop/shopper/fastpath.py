"""The shelf scan without Flask's request machinery: a WSGI adapter of shopper.scan.Scanner.

A person's plain GET of a live tag is most of what qrshop serves, and a phone on a store's
mobile signal waits for it. Flask's request context, session, hooks and response object cost
more CPU than the scan's own work, so this middleware hands that one case straight to the
Scanner (the Flask view's own handler), on a connection this thread keeps.

A tag's GS1 Digital Link in the form qrshop prints (/T/<CODE>/01/<its GTIN-14>) is the same
scan, with the resolver's headers added (digital_link.scan_link_header, CORS).

Everything else goes to Flask, whose view calls the same Scanner with a PageRenderer: another
method, any other Digital Link, a query string (?via= visits), an unknown or retired code, a
page this process has not rendered yet (the Scanner answers None, having written nothing),
and any error before the scan is committed. So a scan is never recorded twice.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import Optional

from flask import Flask
from sqlalchemy import event
from werkzeug.http import parse_cookie

from qrshop import db_send
from qrshop.db import DriverConnection, WalCheckpoints
from qrshop.extensions import db
from qrshop.i18n import LOCALE_COOKIE, shopper_locale
from qrshop.shopper.digital_link import CORS_HEADERS, scan_link_header
from qrshop.shopper.scan import ScanRequest
from qrshop.tags.codes import normalise_code

Response = tuple[str, list[tuple[str, str]], bytes]


def _transactions_again(dbapi_connection, _record) -> None:
    """Pool check-in: a connection the fast path set to autocommit goes back to the pool
    in transaction mode, whoever returns it (close(), or the garbage collector when the
    thread that kept it ends, as in a threaded server)."""
    if getattr(dbapi_connection, "autocommit", False):
        dbapi_connection.autocommit = False


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
        extra_headers = ()
        if "/" in code:  # a tag's GS1 Digital Link, /T/<CODE>/01/<GTIN-14>
            try:
                code, extra_headers = self._digital_link(environ, code)
            except Exception:
                self.app.logger.exception("scan fast path failed on %s; passing it to Flask",
                                          code)
                self._drop_driver()
                return None
            if not extra_headers:
                self._end_reads()
                return None
        # A plain dict: werkzeug's MultiDict.get raises and catches an exception for a
        # missing name (most scans have no cookie).
        cookies = parse_cookie(environ).to_dict() if environ.get("HTTP_COOKIE") else {}
        request = ScanRequest(code=code, method="GET",
                              user_agent=environ.get("HTTP_USER_AGENT", ""), environ=environ,
                              cookies=cookies, secure=environ.get("wsgi.url_scheme") == "https",
                              locale=shopper_locale(cookies.get(LOCALE_COOKIE),
                                                    environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        committed = False
        try:
            driver = self._driver()

            def commit() -> None:
                nonlocal committed
                if driver.in_flight:  # the scan's INSERT was sent, autocommitted (PostgreSQL)
                    db_send.wait(driver)
                else:
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
                   ("Content-Length", str(len(data))), *answer.headers, *extra_headers]
        return f"{answer.status} {HTTPStatus(answer.status).phrase}", headers, data

    def _digital_link(self, environ, path: str) -> tuple[str, tuple]:
        """(code, the resolver's headers) for a person's scan of a live tag's Digital Link
        in the form qrshop prints (01/ and the GTIN-14 stored for its product, so it is a
        valid one: no parsing needed); else (code, ()) to let the Flask view (biip, 400s,
        linksets) answer it."""
        code, _, rest = path.partition("/")
        if (len(rest) != 17 or not rest.startswith("01/")
                or "linkset" in environ.get("HTTP_ACCEPT", "")):
            return code, ()
        canonical = normalise_code(code)
        live = (self.app.extensions["qrshop.scanner"].tags.get(canonical, self._driver())
                if canonical else None)
        if live is None or live.page.is_retired or live.page.gtin != rest[3:]:
            return code, ()
        offer = live.anonymous.offer if live.anonymous is not None else None
        link = scan_link_header(self.app.config["BASE_URL"], live.page,
                                offer.title if offer else None)
        return code, (("Link", link), ("Vary", "Accept"), *CORS_HEADERS)

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
            elif driver.dialect.name == "postgresql":
                # A scan is one INSERT: committed on its own, it is one round trip to the
                # server instead of three (BEGIN, INSERT, COMMIT), and as durable. A scan
                # that writes more (a webhook's delivery) begins a transaction (record_scan).
                if not event.contains(self._engine, "checkin", _transactions_again):
                    event.listen(self._engine, "checkin", _transactions_again)
                driver.dbapi.rollback()  # the pool's ping may have begun one
                driver.dbapi.driver_connection.autocommit = True
                driver.autocommit = True
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
            if driver.autocommit:  # the pool's other users expect transactions
                driver.dbapi.driver_connection.autocommit = False
            driver.dbapi.close()
