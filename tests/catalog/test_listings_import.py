"""`qrshop listings import` and the console's upload -> preview -> confirm, all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import HouseVendor, Vendor
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.extensions import db
from tests.catalog.helpers import make_catalog_scene
from tests.factories import csrf_token, login

OWN_GTIN = "4006381333931"  # valid, supplied by no vendor


@pytest.fixture
def scene(app):
    return make_catalog_scene()


def _run(runner, tmp_path, text: str):
    path = tmp_path / "listings.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["listings", "import", "--retailer", "acme", str(path)])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cli_imports_matched_retailer_owned_and_updated_rows(scene, runner, tmp_path):
    text = (" SKU , Gtin ,PRICE, currency ,name,brand\n"
            f"TOTE-1,{scene.tote_gtin},49.99,usd,,\n"
            f"PEN-1,{OWN_GTIN},2.50,USD,Highlighter,Stabilo\n"
            f"{scene.listed_sku},{scene.listed_gtin},39.00,USD,,\n"
            "\n,,,,,\n\n")
    result = _run(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "Imported 2 listings, updated 1."
    tote = db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1"))
    assert (tote.price_cents, tote.currency, tote.product.name) == (4999, "USD", "Canvas Tote")
    pen = db.session.scalar(select(Listing).where(Listing.sku == "PEN-1"))
    assert pen.product.gtin == "0" + OWN_GTIN and pen.product.name == "Highlighter"
    house = db.session.get(HouseVendor, scene.retailer_id)
    assert pen.product.vendor_id == house.vendor_id
    assert db.session.get(Listing, scene.listing_id).price_cents == 3900
    again = _run(runner, tmp_path, text)
    assert again.output.strip().splitlines()[-1] == "Imported 0 listings, updated 3."


def test_cli_names_bad_lines_and_stores_nothing(scene, runner, tmp_path):
    before = (_count(Listing), _count(Product), _count(Vendor))
    text = ("sku,gtin,price,currency,name,brand\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD,,\n"
            "\n"
            "BAD-1,4006381333932,1.00,USD,Pen,Acme\n"
            f"GIZMO,{scene.rival_gtin},5.00,USD,,\n"
            f"NEW-1,96385074,1.00,USD,,\n"
            f"PEN-1,{OWN_GTIN},1.001,USD,Pen,Acme\n"
            f"LONG,{OWN_GTIN},1.00,USD,{'x' * 5000},Acme\n")
    result = _run(runner, tmp_path, text)
    assert result.exit_code != 0
    assert "line 4: GTIN '4006381333932' has a wrong check digit" in result.output
    assert "line 5:" in result.output and "not linked to Acme" in result.output
    assert "line 6:" in result.output and "give its name and brand" in result.output
    assert "line 7:" in result.output and "decimal places" in result.output
    assert "line 8:" in result.output and "longer than 200" in result.output
    assert "line 2:" not in result.output
    assert "Imported" not in result.output
    assert (_count(Listing), _count(Product), _count(Vendor)) == before


def test_cli_refuses_a_missing_column_and_an_unknown_retailer(scene, runner, tmp_path):
    result = _run(runner, tmp_path, "sku,gtin,price\nA,96385074,1\n")
    assert result.exit_code != 0 and "missing: currency" in result.output
    path = tmp_path / "x.csv"
    path.write_text("sku,gtin,price,currency\n")
    other = runner.invoke(args=["listings", "import", "--retailer", "nope", str(path)])
    assert other.exit_code != 0 and "nope" in other.output


def test_cli_refuses_duplicates_within_the_file(scene, runner, tmp_path):
    text = ("sku,gtin,price,currency\n"
            f"A-1,{scene.tote_gtin},1.00,USD\n"
            f"A-2,{scene.tote_gtin},1.00,USD\n"
            f"A-1,{scene.tote_gtin},2.00,USD\n")
    result = _run(runner, tmp_path, text)
    assert result.exit_code != 0
    assert "line 3: GTIN" in result.output and "also on line 2" in result.output
    assert "line 4: SKU A-1 is also on line 2" in result.output
    assert _count(Listing) == 2  # the scene's two


def test_stock_and_location_per_store(scene, runner, tmp_path, client):
    text = ("sku,gtin,price,currency,store,in_stock,location\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD,nyc01,4,Aisle 4 endcap\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD,BOS01,0,\n"
            f"{scene.listed_sku},{scene.listed_gtin},49.99,USD,,,\n")
    result = _run(runner, tmp_path, text)
    assert result.output.strip().splitlines()[-1] == "Imported 1 listings, updated 1."
    tote = db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1"))
    stock = {row.store.code: (row.in_stock, row.location) for row in db.session.scalars(
        select(ListingStock).where(ListingStock.listing_id == tote.id))}
    assert stock == {"NYC01": (4, "Aisle 4 endcap"), "BOS01": (0, "")}
    login(client, scene.merch_email)
    page = client.get(f"/console/listings/{tote.id}/edit").get_data(as_text=True)
    assert 'data-store="NYC01"' in page and "Aisle 4 endcap" in page


def test_unknown_store_and_bad_quantity_are_refused(scene, runner, tmp_path):
    text = ("sku,gtin,price,currency,store,in_stock,location\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD,LA01,4,\n"
            f"{scene.listed_sku},{scene.listed_gtin},49.99,USD,NYC01,-2,\n"
            f"{scene.listed_sku},{scene.listed_gtin},49.99,USD,,3,\n")
    result = _run(runner, tmp_path, text)
    assert result.exit_code != 0
    assert "line 2: Unknown store code 'LA01'" in result.output  # Bestmart's store
    assert "line 3: in_stock '-2'" in result.output
    assert "line 4: in_stock and location need a store code" in result.output
    assert _count(ListingStock) == 0


def _upload(client, text: str):
    path = "/console/listings/import"
    return client.post(path, data={
        "csrf_token": csrf_token(client, path), "action": "preview",
        "file": (io.BytesIO(text.encode()), "listings.csv")},
        content_type="multipart/form-data")


def test_console_import_previews_then_imports_all(scene, client):
    login(client, scene.merch_email)
    text = ("sku,gtin,price,currency,name,brand\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD,,\n"
            f"PEN-1,{OWN_GTIN},2.50,USD,Highlighter,Stabilo\n")
    preview = _upload(client, text)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-line="2"' in html and 'data-line="3"' in html
    assert "new, your own product" in html and "$49.99" in html
    assert db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1")) is None
    import re

    csv_text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', html).group(1)
    import html as html_module

    response = client.post("/console/listings/import", data={
        "csrf_token": csrf_token(client, "/console/listings/import"), "action": "import",
        "csv_text": html_module.unescape(csv_text)})
    assert response.status_code == 302
    assert db.session.scalar(select(Listing).where(Listing.sku == "PEN-1")) is not None
    listed = client.get("/console/listings").get_data(as_text=True)
    assert "Imported 2 listings, updated 0." in listed


def test_console_import_with_a_bad_row_imports_nothing(scene, client):
    login(client, scene.merch_email)
    text = ("sku,gtin,price,currency\n"
            f"TOTE-1,{scene.tote_gtin},49.99,USD\n"
            f"GIZMO,{scene.rival_gtin},5.00,USD\n")
    preview = _upload(client, text).get_data(as_text=True)
    assert "not linked to Acme" in preview and "nothing was saved" in preview
    assert 'value="import"' not in preview
    forced = client.post("/console/listings/import", data={
        "csrf_token": csrf_token(client, "/console/listings/import"), "action": "import",
        "csv_text": text})
    assert forced.status_code == 422
    assert db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1")) is None


def test_console_import_refuses_non_csv_and_merchandisers_only(scene, app, client):
    login(client, scene.merch_email)
    path = "/console/listings/import"
    bad = client.post(path, data={"csrf_token": csrf_token(client, path), "action": "preview",
                                  "file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "UTF-8" in bad.get_data(as_text=True)
    associate = app.test_client()
    login(associate, scene.associate_email)
    assert associate.post(path, data={"action": "import", "csv_text": "x"}).status_code in (
        400, 403)


def test_a_vendors_csv_takes_over_a_retailer_owned_gtin(scene, runner, tmp_path):
    from qrshop.catalog.imports import check_rows, import_rows

    result = _run(runner, tmp_path, "sku,gtin,price,currency,name,brand\n"
                                    f"PEN-1,{OWN_GTIN},2.50,USD,Highlighter,Stabilo\n")
    assert result.exit_code == 0
    rival = db.session.scalar(select(Vendor).where(Vendor.slug == "rivalco"))
    text = f"gtin,name,brand\n{OWN_GTIN},Boss Highlighter,Stabilo\n"
    assert [row.error for row in check_rows(rival, text)] == [None]
    import_rows(rival, text)
    db.session.commit()
    pen = db.session.scalar(select(Listing).where(Listing.sku == "PEN-1"))
    assert pen.product.vendor_id == rival.id and pen.product.name == "Boss Highlighter"
