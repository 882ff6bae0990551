"""Every response carries an X-Request-ID (the caller's if it is a plain token, else a new
one), the scan fast path's too; the JSON access log holds it with the route group and no
address, agent, query string or token."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from qrshop import server
from qrshop.access_log import JsonAccessLog
from qrshop.request_log import REQUEST_ID_ENVIRON, ROUTE_GROUP_ENVIRON, route_group
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_valid_request_id_is_echoed(client):
    for given in ("abc-123", "A.b_c-9", "x" * 128):
        response = client.get("/healthz", headers={"X-Request-ID": given})
        assert response.headers["X-Request-ID"] == given


@pytest.mark.parametrize("given", [None, "", "x" * 129, "has space", "semi;colon",
                                   "new\\nline", "é", "<script>"])
def test_a_missing_or_invalid_request_id_is_replaced(client, given):
    headers = {"X-Request-ID": given} if given is not None else {}
    response = client.get("/healthz", headers=headers)
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_the_scan_fast_path_and_error_pages_carry_the_id(app, client):
    tag = make_shop().tag
    client.get(f"/t/{tag.code}")  # renders the page in Flask first
    fast = app.extensions["qrshop.scan_fast_path"]
    served = fast.served
    response = client.get(f"/t/{tag.code}", headers={"X-Request-ID": "scan-1",
                                                      "User-Agent": MOBILE_SAFARI})
    assert fast.served == served + 1
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "scan-1"
    assert response.headers.getlist("X-Request-ID") == ["scan-1"]
    missing = client.get("/no/such/page", headers={"X-Request-ID": "nf-1"})
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "nf-1"
    api = client.get("/api/v1/tags", headers={"X-Request-ID": "api-1"})
    assert api.status_code == 401 and api.headers["X-Request-ID"] == "api-1"


@pytest.mark.parametrize(("path", "group"), [
    ("/t/ABC123", "scan"), ("/T/ABC123", "scan"), ("/T/ABC123/01/09506000134352", "scan"),
    ("/01/09506000134352", "scan"), ("/t/ABC123/save", "shopper"),
    ("/t/ABC123/alerts", "shopper"), ("/wishlist", "shopper"), ("/console/", "console"),
    ("/vendor/listings", "console"), ("/login", "console"), ("/api/v1/tags", "api"),
    ("/pos/coupons", "pos"), ("/static/app.css", "static"), ("/media/abc.jpg", "static"),
    ("/healthz", "other"), ("/metrics", "other"), ("/", "other"), ("", "other"),
    ("/whatever/else", "other"),
])
def test_route_groups(path, group):
    assert route_group(path) == group


def _json_line(path: str, query: str = "") -> dict:
    options = server.gunicorn_options("127.0.0.1:0", 1, log_format="json")
    assert options["logger_class"] is JsonAccessLog
    app = server.QrshopServer(lambda: None, options)
    logger = JsonAccessLog(app.cfg)
    lines = []
    logger.access_log = SimpleNamespace(info=lines.append)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "RAW_URI": f"{path}?{query}", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "SecretAgent/1.0",
               REQUEST_ID_ENVIRON: "req-42", ROUTE_GROUP_ENVIRON: route_group(path)}
    request = SimpleNamespace(headers=[("USER-AGENT", "SecretAgent/1.0")])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=3, microseconds=250))
    assert len(lines) == 1 and "\n" not in lines[0]
    return json.loads(lines[0])


def test_the_json_log_line_has_the_fields_and_nothing_private():
    line = _json_line("/wishlist/link/s3cr3t-t0ken", "utm=secret-query")
    assert line["request_id"] == "req-42" and line["route_group"] == "shopper"
    assert (line["method"], line["status"], line["bytes"]) == ("GET", 200, 512)
    assert line["duration_ms"] == 3.25 and line["time"]
    assert line["path"] == "/wishlist/link/<token>"
    text = json.dumps(line)
    for private in ("203.0.113.77", "SecretAgent", "secret-query", "s3cr3t-t0ken"):
        assert private not in text


def test_json_with_the_full_log_is_refused():
    with pytest.raises(ValueError, match="QRSHOP_LOG_FORMAT"):
        server.gunicorn_options("127.0.0.1:0", 1, access_log="full", log_format="json")
    with pytest.raises(ValueError, match="text or json"):
        server.gunicorn_options("127.0.0.1:0", 1, log_format="yaml")
