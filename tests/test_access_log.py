"""The access log keeps what the database keeps: no client IP, user agent, query string or
token by default; operators opt in to gunicorn's full log."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.glogging import Logger

from qrshop import server
from qrshop.access_log import PrivateAccessLog, redact_path

IP, AGENT = "203.0.113.77", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Mobile/15E148 Safari"
SECRET = "s3cr3t-t0ken-AbCdEf0123456789"


def _log_line(logger_class, options: dict, path: str, query: str = "") -> str:
    """One request through gunicorn's access logging, as `qrshop serve` configures it."""
    app = server.QrshopServer(lambda: None, options)
    logger = logger_class(app.cfg)
    lines = []
    # What logging does with gunicorn's call access_log.info(format, atoms), kept here.
    logger.access_log = SimpleNamespace(info=lambda line, atoms: lines.append(line % atoms))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "RAW_URI": f"{path}?{query}" if query else path, "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT,
               "HTTP_REFERER": f"https://qr.example.com/wishlist/link/{SECRET}"}
    request = SimpleNamespace(headers=[("USER-AGENT", AGENT), ("X-FORWARDED-FOR", IP),
                                       ("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Set-Cookie", SECRET)])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    return "".join(f"{line}\n" for line in lines)


SECRET_PATHS = [f"/wishlist/link/{SECRET}", f"/pos/wishlist/{SECRET}",
                f"/alerts/confirm/{SECRET}", f"/alerts/unsubscribe/{SECRET}",
                f"/invitation/{SECRET}", f"/password/reset/{SECRET}", f"/coupon/{SECRET}"]


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_the_default_log_has_no_ip_agent_query_or_token(path):
    options = server.gunicorn_options("127.0.0.1:0", 1)
    line = _log_line(PrivateAccessLog, options, path, query=f"token={SECRET}&via=1")
    assert line.count("\n") == 1 and '"GET ' in line and " 200 " in line
    for private in (IP, "iPhone", SECRET, "token=", "via="):
        assert private not in line, line
    assert path.rsplit("/", 1)[0] + "/<token>" in line


def test_ordinary_paths_are_logged_as_they_are():
    line = _log_line(PrivateAccessLog, server.gunicorn_options("127.0.0.1:0", 1),
                     "/t/ABCD2345/alerts")
    assert '"GET /t/ABCD2345/alerts HTTP/1.1" 200 512' in line
    assert redact_path("/wishlist/link/abc/def") == "/wishlist/link/<token>/def"
    assert redact_path("/wishlist") == "/wishlist"
    assert redact_path("/pos/clientbook/abc/notes") == "/pos/clientbook/<token>/notes"


def test_every_route_with_a_token_is_redacted(app):
    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(routes) >= 6
    for rule in routes:
        path = rule.rule.replace("<token>", SECRET).replace("<code>", "ABCD1234")
        assert "<" not in path, rule.rule  # a route with more arguments: extend the test
        assert SECRET not in redact_path(path), rule.rule


def test_qrshop_serve_uses_the_private_log_unless_told(app, runner, monkeypatch):
    seen = {}

    def run(self):
        seen.update(logger=self.cfg.logger_class, format=self.cfg.access_log_format,
                    accesslog=self.cfg.accesslog)

    monkeypatch.setattr(server.QrshopServer, "run", run)
    assert runner.invoke(args=["serve", "--workers", "1"]).exit_code == 0
    assert seen["logger"] is PrivateAccessLog and seen["accesslog"] == "-"
    assert "%(h)s" not in seen["format"] and "%(a)s" not in seen["format"]
    app.config["ACCESS_LOG"] = "full"
    assert runner.invoke(args=["serve", "--workers", "1"]).exit_code == 0
    assert seen["logger"] is Logger and "%(h)s" in seen["format"]
    app.config["ACCESS_LOG"] = "off"
    assert runner.invoke(args=["serve", "--workers", "1"]).exit_code == 0
    assert seen["accesslog"] is None


def test_the_full_log_is_gunicorns_own():
    options = server.gunicorn_options("127.0.0.1:0", 1, access_log="full")
    line = _log_line(Logger, options, f"/wishlist/link/{SECRET}")
    assert IP in line and "iPhone" in line


def test_an_unknown_access_log_setting_is_refused():
    with pytest.raises(ValueError, match="private, full or off"):
        server.gunicorn_options("127.0.0.1:0", 1, access_log="verbose")
