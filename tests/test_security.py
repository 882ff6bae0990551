"""Security headers, secure cookies, login lock-out and client addresses behind proxies."""

from __future__ import annotations

import pytest

from qrshop import create_app
from tests.conftest import _test_config
from tests.factories import PASSWORD, login, make_shop, make_user


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page", "/t/NOPE2345"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_landing_page_has_no_inline_script(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert "<script>" not in html and " on" + "click=" not in html


def test_hsts_and_secure_cookies_over_https(app, client):
    tag = make_shop().tag
    response = client.get(f"/t/{tag.code}", base_url="https://qr.example.com")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_cookie_is_secure_when_base_url_is_https(database_url, tmp_path):
    config = _test_config(database_url, tmp_path)
    config.pop("SESSION_COOKIE_SECURE")  # the suite turns it off for its http test client
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is True
    config["BASE_URL"] = "http://127.0.0.1:5000"
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is False


def test_account_locks_after_five_failed_logins(client):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    for _ in range(5):
        assert login(client, user.email, "wrong password").status_code == 401
    response = login(client, user.email, PASSWORD)  # even the right password
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.get_data(as_text=True)
    assert client.get("/console").status_code == 302


def test_successful_logins_do_not_count_towards_lockout(app):
    make_shop()
    user = make_user("admin")
    for _ in range(7):
        assert login(app.test_client(), user.email).status_code == 302


def test_forwarded_for_is_believed_only_from_trusted_proxies(database_url, tmp_path):
    seen = []
    for trusted, remote, forwarded, expected in [
        ("", "10.0.0.5", "198.51.100.7", "10.0.0.5"),
        ("10.0.0.0/8", "10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.0/8", "10.0.0.5", "203.0.113.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        ("10.0.0.0/8", "192.0.2.50", "198.51.100.7", "192.0.2.50"),
    ]:
        app = create_app({**_test_config(database_url, tmp_path), "TRUSTED_PROXIES": trusted})

        @app.get("/_whoami")
        def whoami():
            from flask import request

            return request.remote_addr

        response = app.test_client().get(
            "/_whoami", environ_base={"REMOTE_ADDR": remote},
            headers={"X-Forwarded-For": forwarded})
        seen.append(response.get_data(as_text=True))
        assert seen[-1] == expected, (trusted, remote, forwarded)


def test_bad_trusted_proxies_setting_is_refused(database_url, tmp_path):
    with pytest.raises(ValueError, match="QRSHOP_TRUSTED_PROXIES"):
        create_app({**_test_config(database_url, tmp_path), "TRUSTED_PROXIES": "not-an-ip"})


def test_coupon_claims_are_rate_limited_per_shopper(app, client):
    from tests.helpers import coupon_form, make_offer

    shop = make_shop()
    # A claim counts when it gets a coupon (an offer claimed again is refused, 409, and
    # refused requests give their hit back): one offer per claim.
    offers = [make_offer(shop.retailer, title=f"Offer {n}").id for n in range(21)]
    fields = coupon_form(client, shop.tag)
    statuses = [client.post(f"/t/{shop.tag.code}/coupon",
                            data={**fields, "offer": str(offer)}).status_code
                for offer in offers]
    assert statuses == [303] * 20 + [429]
