"""The platform admin's pages and CLI: retailers, stores, vendors, links."""

from __future__ import annotations

from sqlalchemy import select

from qrshop.accounts.models import Retailer, RetailerVendor, Store, Vendor
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_user


def test_admin_creates_retailer_store_vendor_and_link(client, app):
    admin = make_user("admin")
    login(client, admin.email)
    token = csrf_token(client, "/admin")
    steps = [
        ("/admin/retailer", {"retailer-slug": "shoeco", "retailer-name": "ShoeCo"}),
        ("/admin/store", {"store-retailer": "shoeco", "store-code": "den01",
                          "store-name": "Denver", "store-timezone": "America/Denver"}),
        ("/admin/vendor", {"vendor-slug": "laces", "vendor-name": "Laces Inc"}),
        ("/admin/link", {"link-retailer": "shoeco", "link-vendor": "laces"}),
    ]
    for path, data in steps:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/admin").get_data(as_text=True)
    assert "ShoeCo" in page and "DEN01" in page and "Laces Inc → ShoeCo" in page
    store = db.session.scalar(select(Store).where(Store.code == "DEN01"))
    assert store.timezone == "America/Denver"


def test_admin_bad_input_gets_a_message_and_stores_nothing(client, app):
    admin = make_user("admin")
    login(client, admin.email)
    token = csrf_token(client, "/admin")
    response = client.post("/admin/retailer", data={
        "csrf_token": token, "retailer-slug": "Bad Slug!", "retailer-name": "X"})
    assert response.status_code == 422
    assert "must be 2-63 lower-case letters" in response.get_data(as_text=True)
    client.post("/admin/retailer", data={"csrf_token": token, "retailer-slug": "ok-shop",
                                         "retailer-name": "OK"})
    response = client.post("/admin/store", data={
        "csrf_token": token, "store-retailer": "ok-shop", "store-code": "X1",
        "store-name": "Somewhere", "store-timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Unknown time zone" in response.get_data(as_text=True)
    assert db.session.scalars(select(Retailer.slug)).all() == ["ok-shop"]
    assert db.session.scalars(select(Store)).all() == []
    assert client.post("/admin/retailer", data={"retailer-slug": "x", "retailer-name": "y"}
                       ).status_code == 400


def test_non_admins_cannot_create_anything(client, app):
    from tests.factories import make_shop

    make_shop()
    merchandiser = make_user("merchandiser", retailer_slug="acme")
    response = client.post("/admin/retailer", data={"retailer-slug": "x", "retailer-name": "y"})
    assert response.status_code == 400  # anonymous: no CSRF token, no session
    login(client, merchandiser.email)
    token = csrf_token(client, "/console")
    response = client.post("/admin/retailer", data={
        "csrf_token": token, "retailer-slug": "sneaky", "retailer-name": "Sneaky"})
    assert response.status_code == 403
    assert db.session.scalars(select(Retailer.slug)).all() == ["acme"]


def test_admin_cli_creates_and_links(runner):
    for args in (["retailers", "add", "shoeco", "--name", "ShoeCo"],
                 ["retailers", "add-store", "shoeco", "den01", "--name", "Denver",
                  "--timezone", "America/Denver"],
                 ["vendors", "add", "laces", "--name", "Laces"],
                 ["vendors", "link", "laces", "--retailer", "shoeco"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    assert db.session.scalar(select(RetailerVendor)) is not None
    result = runner.invoke(args=["vendors", "link", "laces", "--retailer", "nobody"])
    assert result.exit_code != 0 and "No retailer with slug 'nobody'" in result.output
    result = runner.invoke(args=["vendors", "add", "laces", "--name", "Again"])
    assert result.exit_code != 0 and "already exists" in result.output
    assert len(db.session.scalars(select(Vendor)).all()) == 1
