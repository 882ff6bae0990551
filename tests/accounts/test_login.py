"""Logging in and out, and which party reaches which page."""

from __future__ import annotations

import pytest

from tests.factories import csrf_token, login, make_shop, make_user


@pytest.fixture
def users(app):
    make_shop()
    return {
        "admin": make_user("admin"),
        "merchandiser": make_user("merchandiser", retailer_slug="acme"),
        "associate": make_user("associate", retailer_slug="acme", store_code="NYC01"),
        "vendor": make_user("vendor", vendor_slug="widgetco"),
    }


HOMES = {"admin": "/admin", "merchandiser": "/console", "associate": "/pos",
         "vendor": "/vendor"}
# An associate lands on the till and may still open the console home (their store's tags).
ALSO_REACHES = {"associate": ("/console",)}


@pytest.mark.parametrize("role", HOMES)
def test_login_takes_each_role_to_its_home(client, users, role):
    response = login(client, users[role].email)
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role]
    page = client.get(HOMES[role])
    assert page.status_code == 200
    assert users[role].email in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin", "/console", "/vendor"])
@pytest.mark.parametrize("role", HOMES)
def test_each_role_reaches_only_its_own_surface(client, users, role, path):
    login(client, users[role].email)
    expected = 200 if path in (HOMES[role], *ALSO_REACHES.get(role, ())) else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("path", ["/admin", "/console", "/vendor"])
def test_anonymous_users_are_sent_to_login(client, users, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_wrong_password_is_refused_without_saying_which_part(client, users):
    response = login(client, users["vendor"].email, "not the password")
    assert response.status_code == 401
    assert "Email or password is wrong." in response.get_data(as_text=True)
    response = login(client, "nobody@example.com")
    assert response.status_code == 401
    assert client.get("/vendor").status_code == 302


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"email": users["admin"].email,
                                           "password": "a long test password"})
    assert response.status_code == 400
    assert client.get("/admin").status_code == 302


def test_login_follows_only_local_next(client, users):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": users["admin"].email,
            "password": "a long test password"}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/admin"


def test_logout_needs_a_post(client, users):
    login(client, users["merchandiser"].email)
    assert client.get("/logout").status_code == 405
    assert client.get("/console").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})
    assert response.status_code == 302
    assert client.get("/console").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, users):
    response = login(client, users["admin"].email)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_associate_console_shows_only_their_store(client, users):
    login(client, users["associate"].email)
    page = client.get("/console").get_data(as_text=True)
    assert "NYC01" in page and "BOS01" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})
    login(client, users["merchandiser"].email)
    page = client.get("/console").get_data(as_text=True)
    assert "NYC01" in page and "BOS01" in page


def test_vendor_sees_only_their_products(client, users, app):
    from tests.factories import make_retailer, make_store, make_tag, make_vendor

    other = make_vendor("othervendor")
    retailer = make_retailer("second")
    make_tag(retailer, make_store(retailer, "SEA01"), other, name="Not Yours")
    from qrshop.extensions import db

    db.session.commit()
    login(client, users["vendor"].email)
    page = client.get("/vendor").get_data(as_text=True)
    assert "Trail Widget" in page and "Not Yours" not in page
