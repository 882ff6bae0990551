"""The access log `qrshop serve` writes: what the database keeps, and no more.

The scan log deliberately stores no IP address, and the shopper's cookie, magic links and
unsubscribe links are bearer tokens. gunicorn's usual access log would keep all of them for
every request: the client address, the full user agent, the query string, the referrer and
each token in a path. So by default (QRSHOP_ACCESS_LOG=private) a line holds the time, the
method, the path with token segments replaced by <token>, the protocol, the status, the size
and the duration. Operators who need more set QRSHOP_ACCESS_LOG=full (gunicorn's combined
format) or off (docs/deployment.md).

With QRSHOP_LOG_FORMAT=json each line is instead one JSON object holding the same private
fields plus the route group and the request id (qrshop/request_log.py), for log pipelines.
"""

from __future__ import annotations

import json
import re
import traceback

from gunicorn.glogging import Logger

from qrshop.request_log import REQUEST_ID_ENVIRON, ROUTE_GROUP_ENVIRON, route_group

ACCESS_LOG_SETTINGS = ("private", "full", "off")
LOG_FORMATS = ("text", "json")

# Path segments that are bearer tokens: magic and counter links (also the client book's),
# alert confirm/unsubscribe links, staff invitations and password resets, and coupon codes
# (redeemable at the till).
# tests/test_access_log.py fails when a route with a <token> is missing here.
SECRET_SEGMENT = re.compile(
    r"^(/(?:wishlist/link|pos/wishlist|pos/clientbook|alerts/confirm|alerts/unsubscribe"
    r"|invitation|password/reset|coupon)/)[^/]+"
)
# A shopper's own request or hold on a tag's page: /t/<code>/ask/<token>[.json|/text].
SHOPPER_REQUEST_TOKEN = re.compile(r"^(/[tT]/[^/]+/(?:ask|hold)/)[A-Za-z0-9_-]+")

# Time, request line (path redacted, no query), status, bytes, milliseconds.
PRIVATE_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def redact_path(path: str) -> str:
    """The path with any token segment replaced by <token>."""
    return SHOPPER_REQUEST_TOKEN.sub(r"\1<token>", SECRET_SEGMENT.sub(r"\1<token>", path))


class PrivateAccessLog(Logger):
    """gunicorn's logger with access-log atoms that hold nothing private.

    Whatever access_log_format says, the client address, user, user agent, referrer, query
    string, headers and environ atoms are "-": a format asking for them gets nothing.
    """

    def atoms(self, resp, req, environ, request_time):
        """Only the request's shape and outcome (gunicorn's own atoms, minus the private)."""
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method, protocol = environ.get("REQUEST_METHOD"), environ.get("SERVER_PROTOCOL")
        path = redact_path(environ.get("PATH_INFO", ""))
        sent = getattr(resp, "sent", None)
        return {
            "h": "-", "l": "-", "u": "-", "t": self.now(), "r": f"{method} {path} {protocol}",
            "s": status, "m": method, "U": path, "q": "-", "H": protocol,
            "b": str(sent) if sent is not None else "-", "B": sent, "f": "-", "a": "-",
            "T": request_time.seconds,
            "D": request_time.seconds * 1_000_000 + request_time.microseconds,
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
            "L": f"{request_time.seconds}.{request_time.microseconds:06d}", "p": "-",
        }


def json_line(atoms: dict, environ: dict) -> str:
    """One request as a JSON object: time, request id, route group, method, redacted path,
    status, bytes sent and duration in milliseconds. No address, agent, query or token."""
    path = atoms["U"]
    return json.dumps({
        "time": atoms["t"].strip("[]"),
        "request_id": environ.get(REQUEST_ID_ENVIRON),
        "route_group": environ.get(ROUTE_GROUP_ENVIRON) or route_group(path),
        "method": atoms["m"], "path": path, "status": int(atoms["s"]),
        "bytes": atoms["B"],
        "duration_ms": round((atoms["D"] or 0) / 1000, 3),
    }, separators=(",", ":"))


class JsonAccessLog(PrivateAccessLog):
    """The private access log, one JSON object per line (QRSHOP_LOG_FORMAT=json)."""

    def access(self, resp, req, environ, request_time):
        """Write the request's line to the access log."""
        if not getattr(self, "access_log_enabled", True):
            return
        try:
            self.access_log.info(json_line(self.atoms(resp, req, environ, request_time),
                                           environ))
        except Exception:
            self.error(traceback.format_exc())
