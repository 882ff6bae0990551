"""Junk in the admin edit forms and the new CLI commands: a 4xx or a one-line error."""

from __future__ import annotations

import pytest

from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def admin(client):
    shop = make_shop()
    login(client, make_user("admin").email)
    return shop


@pytest.mark.parametrize("timezone", ["../../etc/passwd", "/etc/localtime", "Nowhere/Land",
                                      "UTC\\x", ".", "America/../UTC", "", "x" * 64])
def test_store_time_zone_junk_is_refused(client, admin, timezone):
    path = f"/admin/stores/{admin.store.id}/edit"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "code": "NYC01", "name": "N",
                                       "timezone": timezone})
    assert 400 <= response.status_code < 500, response.status_code


def test_store_time_zone_is_stored_trimmed(client, admin):
    path = f"/admin/stores/{admin.store.id}/edit"
    token = csrf_token(client, path)
    client.post(path, data={"csrf_token": token, "code": "NYC01", "name": "N",
                            "timezone": " America/Chicago\r\n"})
    db.session.expire_all()
    assert admin.store.timezone == "America/Chicago"


@pytest.mark.parametrize("fields", [{"name": "n" * 5000}, {"name": ""}, {}, {"name": XSS}])
def test_retailer_and_vendor_edit_junk(client, admin, fields):
    for path in ("/admin/retailers/acme/edit", "/admin/vendors/widgetco/edit"):
        token = csrf_token(client, path)
        response = client.post(path, data={"csrf_token": token, **fields})
        assert response.status_code < 500, path
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(2)" not in page and "<img src=x" not in page
    page = client.get("/admin").get_data(as_text=True)
    assert "<script>alert(2)" not in page and "<img src=x" not in page


def test_admin_edit_forms_need_csrf(client, admin):
    for path in ("/admin/retailers/acme/edit", "/admin/vendors/widgetco/edit",
                 f"/admin/stores/{admin.store.id}/edit"):
        assert client.post(path, data={"name": "Hacked", "code": "HCK01",
                                       "timezone": "UTC"}).status_code == 400, path
    assert "Hacked" not in client.get("/admin").get_data(as_text=True)


@pytest.mark.parametrize("args", [
    ["retailers", "update", "acme", "--name", "n" * 5000],
    ["retailers", "update", "nope", "--name", "x"],
    ["retailers", "update", "a" * 5000, "--name", "x"],
    ["users", "invite", "a" * 5000 + "@example.com", "--role", "admin"],
    ["users", "invite", "x@example.com", "--role", "associate", "--retailer", "acme",
     "--store", "s" * 5000],
    ["users", "invite", "x@example.com", "--role", "vendor", "--vendor", "v" * 5000],
])
def test_cli_junk_is_one_line_and_exit_code_1(runner, admin, args):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and result.exception is None or isinstance(
        result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
