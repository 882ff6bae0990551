"""Every request's id and route group, and its latency for /metrics.

The outermost WSGI layer (in front of the scan fast path, so scans pass it too) gives each
request an id, the caller's `X-Request-ID` when it is a plain token (at most 128 of
A-Z a-z 0-9 . _ -) or a new one, echoes it as `X-Request-ID` on the response, and names the
request's route group, a small fixed set (qrshop.metrics.ROUTE_GROUPS), never its path.
Both go into the environ, where the JSON access log (qrshop/access_log.py) reads them, and
the request's duration goes into the latency histogram when metrics are on.
"""

from __future__ import annotations

import os
import re
import time

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON = "qrshop.request_id"
ROUTE_GROUP_ENVIRON = "qrshop.route_group"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

# A path's first segment -> its route group; anything else is "other".
_GROUP_OF_SEGMENT = {
    "api": "api",
    "console": "console", "admin": "console", "vendor": "console", "login": "console",
    "logout": "console", "password": "console", "invitation": "console",
    "pos": "pos",
    "static": "static", "media": "static",
    "t": "shopper", "T": "shopper", "wishlist": "shopper", "alerts": "shopper",
    "coupon": "shopper", "tags": "shopper", "01": "scan", ".well-known": "shopper",
}


def route_group(path: str) -> str:
    """The route group of a path: a tag's page (/t/CODE, its Digital Link) is "scan", the
    shopper's other pages "shopper", the console and vendor portal "console", and so on."""
    parts = path.split("/", 4)
    group = _GROUP_OF_SEGMENT.get(parts[1], "other") if len(parts) > 1 else "other"
    if group == "shopper" and parts[1] in ("t", "T") and (
            len(parts) == 3 or (len(parts) > 3 and parts[3] == "01")):
        return "scan"
    return group


def request_id(given: str | None) -> str:
    """The caller's request id if it is a plain token, else a new random one."""
    if given and VALID_REQUEST_ID.fullmatch(given):
        return given
    return os.urandom(16).hex()


class RequestContext:
    """WSGI middleware: the request id, the route group and the latency; see the module."""

    def __init__(self, app, wsgi_app):
        self.wsgi_app = wsgi_app
        self.metrics = app.extensions.get("qrshop.metrics")

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = environ[REQUEST_ID_ENVIRON] = request_id(environ.get("HTTP_X_REQUEST_ID"))
        group = environ[ROUTE_GROUP_ENVIRON] = route_group(environ.get("PATH_INFO", ""))

        def start_with_id(status, headers, exc_info=None):
            headers.append((REQUEST_ID_HEADER, rid))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start_with_id)
        if self.metrics is not None:
            # Until the body is ready (a streamed download's sending is not counted).
            self.metrics.observe(group, time.perf_counter() - started)
        return body
