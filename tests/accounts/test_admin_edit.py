"""Admin edits of retailers, stores and vendors; length limits on every text field, in the
pages and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qrshop.accounts.models import Retailer, Store, Vendor
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user

LONG = "x" * 5000


def _admin(client):
    make_shop()
    login(client, make_user("admin").email)


def _store(code="NYC01") -> Store:
    db.session.expire_all()
    return db.session.scalar(select(Store).where(Store.code == code))


def test_admin_edits_a_retailer_a_store_and_a_vendor(client):
    _admin(client)
    assert 'href="/admin/retailers/acme/edit"' in client.get("/admin").get_data(as_text=True)
    token = csrf_token(client, "/admin/retailers/acme/edit")
    response = client.post("/admin/retailers/acme/edit",
                           data={"csrf_token": token, "name": "Acme Stores"})
    assert response.status_code == 303
    store = _store()
    page = client.get(f"/admin/stores/{store.id}/edit").get_data(as_text=True)
    assert 'value="NYC01"' in page and 'value="America/New_York"' in page
    response = client.post(f"/admin/stores/{store.id}/edit", data={
        "csrf_token": token, "code": "nyc02", "name": "Manhattan", "address": "1 Broadway",
        "timezone": "America/Chicago"})
    assert response.status_code == 303, response.get_data(as_text=True)
    store = _store("NYC02")
    assert (store.name, store.address, store.timezone) == ("Manhattan", "1 Broadway",
                                                           "America/Chicago")
    response = client.post("/admin/vendors/widgetco/edit",
                           data={"csrf_token": token, "name": "Widget Company"})
    assert response.status_code == 303
    assert db.session.scalar(select(Vendor.name)) == "Widget Company"
    assert db.session.scalar(select(Retailer.name)) == "Acme Stores"


@pytest.mark.parametrize("data, message", [
    ({"name": LONG}, "longer than 120"),
    ({"address": LONG}, "longer than 500"),
    ({"code": LONG}, "longer than 16"),
    ({"timezone": LONG}, "longer than 64"),
    ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
    ({"timezone": "../../etc/passwd"}, "Unknown time zone"),
    ({"code": "BOS01"}, "already has a store BOS01"),
    ({"code": "no spaces"}, "2-16 letters or digits"),
    ({"name": "  "}, "required"),
])
def test_bad_store_edits_are_refused_and_store_nothing(client, data, message):
    _admin(client)
    store = _store()
    token = csrf_token(client, f"/admin/stores/{store.id}/edit")
    form = {"csrf_token": token, "code": "NYC01", "name": "Renamed", "address": "Somewhere",
            "timezone": "America/Denver", **data}
    response = client.post(f"/admin/stores/{store.id}/edit", data=form)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    store = _store()
    assert (store.name, store.address, store.timezone) == ("Store NYC01", "", "America/New_York")


@pytest.mark.parametrize("path", ["/admin/retailers/acme/edit", "/admin/vendors/widgetco/edit"])
def test_a_5000_character_name_is_refused(client, path):
    _admin(client)
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "name": LONG})
    assert response.status_code == 400
    assert "longer than 120" in response.get_data(as_text=True)
    assert db.session.scalar(select(Retailer.name)) == "Acme"
    assert db.session.scalar(select(Vendor.name)) == "Widgetco"


@pytest.mark.parametrize("kind, data", [
    ("retailer", {"retailer-slug": "long", "retailer-name": LONG}),
    ("vendor", {"vendor-slug": "long", "vendor-name": LONG}),
    ("store", {"store-retailer": "acme", "store-code": "LNG01", "store-name": LONG,
               "store-timezone": "UTC"}),
    ("store", {"store-retailer": "acme", "store-code": "LNG01", "store-name": "Long",
               "store-address": LONG, "store-timezone": "UTC"}),
])
def test_create_forms_refuse_long_text(client, kind, data):
    _admin(client)
    token = csrf_token(client, "/admin")
    response = client.post(f"/admin/{kind}", data={"csrf_token": token, **data})
    assert response.status_code == 400 and "longer than" in response.get_data(as_text=True)
    assert db.session.scalar(select(Retailer).where(Retailer.slug == "long")) is None
    assert _store("LNG01") is None


def test_only_admins_edit_tenants(app, client):
    make_shop()
    store = _store()
    for role, links in [("merchandiser", {"retailer_slug": "acme"}),
                        ("vendor", {"vendor_slug": "widgetco"})]:
        other = app.test_client()
        login(other, make_user(role, **links).email)
        for path in ("/admin/retailers/acme/edit", f"/admin/stores/{store.id}/edit",
                     "/admin/vendors/widgetco/edit"):
            assert other.get(path).status_code == 403
    assert client.get("/admin/retailers/acme/edit").status_code == 302
    login(client, make_user("admin").email)
    assert client.get("/admin/retailers/nobody/edit").status_code == 404
    assert client.get("/admin/stores/999999/edit").status_code == 404


def test_cli_updates_and_refuses_long_text(runner):
    make_shop()
    result = runner.invoke(args=["retailers", "update", "acme", "--name", "Acme Stores"])
    assert result.exit_code == 0 and result.output == "Updated retailer acme (Acme Stores).\n"
    result = runner.invoke(args=["retailers", "update", "acme", "--name", LONG])
    assert result.exit_code != 0 and "longer than 120" in result.output
    result = runner.invoke(args=["retailers", "update", "nobody", "--name", "X"])
    assert result.exit_code != 0 and "No retailer with slug 'nobody'" in result.output
    assert runner.invoke(args=["retailers", "update", "acme"]).exit_code != 0
    result = runner.invoke(args=["retailers", "update-store", "acme", "nyc01",
                                 "--timezone", "Europe/Paris", "--address", "Rue 1"])
    assert result.exit_code == 0, result.output
    assert _store().timezone == "Europe/Paris"
    result = runner.invoke(args=["vendors", "update", "widgetco", "--name", "Widgets"])
    assert result.exit_code == 0 and "Widgets" in result.output
    for args in (["retailers", "add", "long", "--name", LONG],
                 ["vendors", "add", "long", "--name", LONG],
                 ["retailers", "add-store", "acme", "LNG01", "--name", "L", "--address", LONG],
                 ["retailers", "add-store", "acme", "LNG01", "--name", "L", "--timezone", LONG],
                 ["retailers", "update-store", "acme", "NYC01", "--name", LONG]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert "longer than" in result.output or "Unknown time zone" in result.output, args
        assert len(result.output) < 300
    db.session.expire_all()
    assert db.session.scalar(select(Retailer.name)) == "Acme Stores"
    assert _store("LNG01") is None and _store().name == "Store NYC01"
