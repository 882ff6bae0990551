"""Vendors add and edit their products, one by one or from a CSV they preview first."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Product
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user, make_vendor, valid_gtin13


@pytest.fixture
def vendor_client(app, client):
    """Widgetco's vendor user, logged in (the shop has its Trail Widget)."""
    make_shop()
    make_vendor("rivalco")
    db.session.commit()
    make_user("vendor", "v@widgetco.test", vendor_slug="widgetco")
    make_user("vendor", "v@rivalco.test", vendor_slug="rivalco")
    login(client, "v@widgetco.test")
    return client


def _count():
    return db.session.scalar(select(func.count(Product.id)))


def test_vendor_adds_and_renames_a_product(vendor_client):
    gtin = valid_gtin13()
    path = "/vendor/products/new"
    response = vendor_client.post(path, data={"csrf_token": csrf_token(vendor_client, path),
                                              "gtin": gtin, "name": "Ridge Cap", "brand": ""})
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Ridge Cap"))
    assert product.brand == "Widgetco" and product.gtin == gtin.zfill(14)
    edit = f"/vendor/products/{product.id}/edit"
    vendor_client.post(edit, data={"csrf_token": csrf_token(vendor_client, edit),
                                   "name": "Ridge Cap II", "brand": "Widgetco Pro"})
    assert "Ridge Cap II" in vendor_client.get("/vendor").get_data(as_text=True)


def test_wrong_check_digit_is_refused_with_the_right_one(vendor_client):
    path = "/vendor/products/new"
    response = vendor_client.post(path, data={"csrf_token": csrf_token(vendor_client, path),
                                              "gtin": "4006381333932", "name": "X"})
    assert response.status_code == 422
    assert "the last digit should be 1" in response.get_data(as_text=True)


def test_a_vendor_cannot_open_or_edit_another_vendors_product(vendor_client, app):
    product = db.session.scalar(select(Product))
    vendor_client.post("/logout", data={"csrf_token": csrf_token(vendor_client, "/vendor")})
    login(vendor_client, "v@rivalco.test")
    edit = f"/vendor/products/{product.id}/edit"
    assert vendor_client.get(edit).status_code == 404
    token = csrf_token(vendor_client, "/vendor/products/new")
    assert vendor_client.post(edit, data={"csrf_token": token, "name": "Mine now"}
                              ).status_code == 404
    db.session.expire_all()
    assert db.session.get(Product, product.id).name == "Trail Widget"


def _preview(client, text: str):
    path = "/vendor/products/import"
    return client.post(path, data={"csrf_token": csrf_token(client, path), "action": "preview",
                                   "file": (io.BytesIO(text.encode()), "products.csv")})


def test_csv_preview_reports_each_bad_row_and_saves_nothing(vendor_client):
    good = valid_gtin13()
    existing = db.session.scalar(select(Product.gtin))
    text = ("gtin,name,brand\n"
            f"{good},Trail Mug,\n"
            "4006381333932,Bad Digit,\n"
            f"{valid_gtin13()},,\n"
            f"{good},Again,\n"
            f"{existing},Taken,\n")
    before = _count()
    response = _preview(vendor_client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 row(s), 4 with errors" in html
    assert "the last digit should be 1" in html
    assert "Product name is required" in html
    assert "is also on line 2" in html
    assert "already in your catalog" in html
    assert "Import 5 products" not in html
    assert _count() == before


def test_csv_import_after_a_clean_preview(vendor_client):
    text = "gtin,name,brand\n" + "".join(f"{valid_gtin13()},Item {n},Luma\n" for n in range(3))
    preview = _preview(vendor_client, text).get_data(as_text=True)
    assert "Import 3 products" in preview and _count() == 1
    path = "/vendor/products/import"
    response = vendor_client.post(path, data={"csrf_token": csrf_token(vendor_client, path),
                                              "action": "import", "csv_text": text})
    assert response.status_code == 302 and _count() == 4


def test_csv_without_the_header_is_refused(vendor_client):
    response = _preview(vendor_client, "123,abc\n")
    assert response.status_code == 422
    assert "gtin,name,brand" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/vendor/products/new", "/vendor/products/import"])
def test_product_pages_are_for_vendors_only(app, client, path):
    make_shop()
    assert client.get(path).status_code == 302
    make_user("merchandiser", "m@acme.test", retailer_slug="acme")
    login(client, "m@acme.test")
    assert client.get(path).status_code == 403
