"""The shelf scan without Flask's request machinery: a WSGI fast path for GET /t/<code>.

A person's plain GET of a live tag is most of what qrshop serves, and a phone on a store's
mobile signal waits for it. Flask's request context, session, hooks and response object cost
more CPU than the scan's own work, so this middleware serves that one case with the same
functions as the Flask view (shopper.views.landing): the same statements, the same rendered
page cache, write lock, cookie and security headers. Bots on a live tag are served here too
(their page has no forms).

It also keeps what each tag shows in memory (ScannedTags): the page's data, and the
engagement block a shopper without a cookie sees. A scan then reads no catalogue rows: its
write transaction checks that the landing data version (shopper.models.LandingDataVersion)
is still the one the tag was read at, and if not, rolls back, reads the tag again and
retries once.

Everything else goes to Flask, which handles every case: another method, a query string
(?via= visits), an unknown or retired code, a page this process has not rendered yet, and
any error before the scan is committed. Nothing is written before that decision, so a scan
is never recorded twice.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple, Optional

from cachetools import LRUCache
from flask import Flask
from werkzeug.http import parse_cookie

from qrshop.db import DriverConnection, WalCheckpoints
from qrshop.extensions import db
from qrshop.offers.landing import (
    LandingEngagement,
    anonymous_engagement,
    landing_engagement,
)
from qrshop.recommend.services import cached_complete_the_look
from qrshop.security import security_headers
from qrshop.shopper.services import (
    LandingPage,
    bot_reason,
    find_landing_page_versioned,
    landing_data_version,
)
from qrshop.shopper.views import CSRF_PLACEHOLDER, record_scan_and_commit
from qrshop.tags.codes import normalise_code

Response = tuple[str, list[tuple[str, str]], bytes]


class _Scan(NamedTuple):
    """A recorded scan: its page, the cached body, the shopper its forms are for (None: no
    forms), and the new shopper's id to set in the cookie."""

    page: LandingPage
    body: str
    form_shopper_id: Optional[str]
    new_shopper_id: Optional[str]


class PageChanged(Exception):
    """The landing data changed after the tag was read; the scan was rolled back."""


@dataclass(frozen=True)
class ScannedTag:
    """What a live tag shows, as read at one landing data version."""

    page: LandingPage
    version: Optional[int]
    # The engagement block of a shopper without a cookie, valid until `expires` (time.time();
    # when an offer that could show starts or ends).
    anonymous: LandingEngagement
    expires: float


class ScannedTags:
    """A per-process LRU of ScannedTag by canonical code (thread-safe)."""

    def __init__(self, maxsize: int = 4096):
        self._tags: LRUCache = LRUCache(maxsize)
        self._lock = threading.Lock()

    def get(self, code: str) -> Optional[ScannedTag]:
        """The tag if known and its engagement block still holds, else None."""
        with self._lock:
            tag = self._tags.get(code)
        return tag if tag is not None and time.time() < tag.expires else None

    def read(self, code: str, driver: DriverConnection) -> Optional[ScannedTag]:
        """Read a tag from the database and keep it; None for an unknown code."""
        page, version = find_landing_page_versioned(code, driver)
        if page is None:
            return None
        anonymous, next_change = anonymous_engagement(page, driver)
        tag = ScannedTag(page, version, anonymous,
                         next_change.timestamp() if next_change else math.inf)
        with self._lock:
            self._tags[code] = tag
        return tag

    def forget(self, code: str) -> None:
        """Drop a tag (its data changed)."""
        with self._lock:
            self._tags.pop(code, None)


class ScanFastPath:
    """WSGI middleware in front of the Flask app; see the module docstring."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.tags = ScannedTags()
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

    def _serve(self, environ, code: str) -> Optional[Response]:
        """The scan's response, or None to let Flask serve the request."""
        canonical = normalise_code(code)
        if canonical is None:
            return None
        scan = None
        try:
            driver = self._driver()
            for attempt in range(2):
                tag = (self.tags.get(canonical) if attempt == 0 else None) \
                    or self.tags.read(canonical, driver)
                if tag is None:
                    return None
                try:
                    scan = None if tag.page.is_retired else self._record(environ, tag, driver)
                except PageChanged:
                    self.tags.forget(canonical)
                    continue
                if scan is None:
                    # Flask serves it (and renders the page if that is what was missing);
                    # the next scan reads the tag again, so a tag never stays on the slow
                    # path because this memory holds data Flask no longer renders.
                    self.tags.forget(canonical)
                break
        except Exception:
            # Flask serves it instead, and shows its error page if the failure persists.
            self.app.logger.exception("scan fast path failed on %s; passing it to Flask", code)
            self._drop_driver()
            return None
        finally:
            if scan is None:
                self._end_reads()
        # Stored: from here on the scan is answered here, whatever happens.
        return None if scan is None else self._response(environ, scan)

    def _record(self, environ, tag: ScannedTag, driver: DriverConnection
                ) -> Optional[_Scan]:
        """Record the scan of a live tag; None (nothing recorded) if this process has not
        rendered its page yet. Raises PageChanged (nothing recorded)."""
        app, page = self.app, tag.page
        extensions = app.extensions
        bot = bot_reason("GET", environ.get("HTTP_USER_AGENT", ""), environ)
        cookie = extensions["qrshop.shopper_cookie"]
        cookie_shopper_id = cookie.loads(parse_cookie(environ).get(cookie.name(page.retailer_id)))
        if bot is not None:
            engage = None
        elif cookie_shopper_id is None:
            engage = tag.anonymous
        else:
            engage = landing_engagement(page, cookie_shopper_id, driver)
        recommendations = cached_complete_the_look(extensions, page.listing_id, page.store_id)
        if recommendations is None:
            return None
        body = extensions["qrshop.landing_pages"].get(page, engage, tuple(recommendations))
        if body is None:
            return None

        def commit_if_unchanged():
            # Under the write lock, in the scan's transaction: no change can commit between
            # this check and the commit (on PostgreSQL, one committing meanwhile is ordered
            # after the scan).
            current = landing_data_version(driver)
            if current is None or current != tag.version:
                driver.dbapi.rollback()
                raise PageChanged
            driver.dbapi.commit()

        new_shopper_id = record_scan_and_commit(
            app, page, cookie_shopper_id=cookie_shopper_id, bot=bot, driver=driver,
            commit=commit_if_unchanged)
        try:
            self.wal_checkpoints.after_commit(driver.dbapi)
        except Exception:
            # The scan is stored; the next scan or SQLite's own backstop checkpoints.
            app.logger.exception("WAL checkpoint after a scan failed")
        return _Scan(page, body, None if engage is None else new_shopper_id or cookie_shopper_id,
                     new_shopper_id)

    def _response(self, environ, scan: _Scan) -> Response:
        """The 200 for a recorded scan."""
        cookie = self.app.extensions["qrshop.shopper_cookie"]
        body = scan.body
        if scan.form_shopper_id is not None:
            body = body.replace(CSRF_PLACEHOLDER, cookie.form_token(scan.form_shopper_id))
        data = body.encode()
        secure = environ.get("wsgi.url_scheme") == "https"
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(data))),
                   # Every scan must reach the server to be counted.
                   ("Cache-Control", "no-store"),
                   # The page depends on the shopper's cookie (as Flask's answer says too).
                   ("Vary", "Cookie")]
        if scan.new_shopper_id is not None:
            headers.append(("Set-Cookie", cookie.set_cookie_header(
                scan.page.retailer_id, scan.new_shopper_id,
                max_age=self.app.config["SHOPPER_COOKIE_MAX_AGE"], secure=secure)))
        headers.extend(security_headers(secure))
        return "200 OK", headers, data
