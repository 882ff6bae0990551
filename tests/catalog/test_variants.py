"""Variants (sizes, colours): grouped by `variant_of` from the vendor's CSV and API and the
retailer's listing CSV, shown on the landing page as a selector with the stock here."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from qrshop.catalog import listings
from qrshop.catalog.models import Listing, Product
from qrshop.extensions import db
from qrshop.tags.services import create_tag
from tests.api.helpers import bearer
from tests.factories import (
    csrf_token,
    link_vendor,
    login,
    make_shop,
    make_user,
    valid_gtin13,
)

PATH = "/vendor/products/import"


@pytest.fixture
def shop(app):
    shop = make_shop()
    link_vendor(shop.retailer, shop.vendor)
    db.session.commit()
    return shop


@pytest.fixture
def vendor_client(shop, client):
    make_user("vendor", "v@widgetco.test", vendor_slug="widgetco")
    login(client, "v@widgetco.test")
    return client


def _upload(client, text: str):
    return client.post(PATH, data={"csrf_token": csrf_token(client, PATH), "action": "import",
                                   "csv_text": text})


def _product(gtin13: str) -> Product:
    return db.session.scalar(select(Product).where(Product.gtin == "0" + gtin13))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


def _carry_and_tag(shop, gtin13: str, sku: str, in_stock):
    listing, _ = listings.put_listing(shop.retailer, sku=sku, gtin=gtin13, price_cents=2500,
                                      currency="USD")
    if in_stock is not None:
        listings.set_stock(listing, shop.store, in_stock=in_stock, location="")
    tag = create_tag(listing, shop.store, "Rack 2")
    db.session.commit()
    return tag


def _chips(html: str) -> list[tuple[str, str, str]]:
    """(label, link or 'current' or '', stock text) of each variant in the selector."""
    nav = re.search(r'<nav class="variants".*?</nav>', html, re.S)
    chips = []
    for item in re.findall(r"<li>(.*?)</li>", nav.group(0), re.S) if nav else []:
        label = re.search(r'data-variant="([^"]*)"', item).group(1)
        link = re.search(r'href="([^"]+)"', item)
        where = "current" if 'aria-current="page"' in item else (link.group(1) if link else "")
        stock = re.search(r"<small>(.*?)</small>", item)
        chips.append((label, where, stock.group(1) if stock else ""))
    return chips


def test_vendor_csv_groups_variants_and_the_page_offers_them(shop, vendor_client, client):
    parent, medium, large = valid_gtin13(), valid_gtin13(), valid_gtin13()
    # The parent may come after its variants; GTIN-13 and GTIN-14 name the same product.
    text = ("gtin,name,brand,variant_of,size,colour\n"
            f"{medium},Trail Tee,Widgetco,{parent},M,Navy\n"
            f"{large},Trail Tee,Widgetco,0{parent},L,Navy\n"
            f"{parent},Trail Tee,Widgetco,,S,Navy\n")
    preview = vendor_client.post(PATH, data={
        "csrf_token": csrf_token(vendor_client, PATH),
        "file": (__import__("io").BytesIO(text.encode()), "tees.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200 and "M · Navy" in preview.get_data(as_text=True)
    assert _upload(vendor_client, text).status_code == 302
    group = {_product(gtin).variant_group for gtin in (parent, medium, large)}
    assert group == {"0" + parent}
    assert (_product(medium).size, _product(medium).colour) == ("M", "Navy")

    small_tag = _carry_and_tag(shop, parent, "TEE-S", 5)
    medium_tag = _carry_and_tag(shop, medium, "TEE-M", 0)
    large_tag = _carry_and_tag(shop, large, "TEE-L", 2)
    html = client.get(f"/t/{small_tag.code}").get_data(as_text=True)
    # In the order the vendor added them (the file's order).
    assert _chips(html) == [("M · Navy", f"/t/{medium_tag.code}?via=variant", "Out of stock"),
                            ("L · Navy", f"/t/{large_tag.code}?via=variant", "Low stock"),
                            ("S · Navy", "current", "In stock")]
    # The sibling's page: its own stock here, the same group, itself marked current.
    medium_page = client.get(f"/t/{medium_tag.code}?via=variant").get_data(as_text=True)
    assert "Out of stock at Store NYC01" in medium_page
    assert [chip[1] for chip in _chips(medium_page)][0] == "current"


def test_a_variant_the_store_has_no_tag_for_is_shown_without_a_link(shop, vendor_client,
                                                                     client):
    parent, other = valid_gtin13(), valid_gtin13()
    _upload(vendor_client, "gtin,name,variant_of,colour\n"
                           f"{parent},Cap,{parent},Red\n{other},Cap,{parent},Blue\n")
    tag = _carry_and_tag(shop, parent, "CAP-R", None)
    listing, _ = listings.put_listing(shop.retailer, sku="CAP-B", gtin=other, price_cents=900,
                                      currency="USD")
    listings.set_stock(listing, shop.store, in_stock=7, location="")
    db.session.commit()
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert _chips(html) == [("Red", "current", ""), ("Blue", "", "In stock")]


def test_a_product_without_variants_shows_no_selector(shop, client):
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert 'class="variants"' not in html


def test_bad_variant_of_in_a_csv_is_refused_per_line_and_nothing_is_stored(shop,
                                                                          vendor_client):
    before = _count()
    unknown = valid_gtin13()
    text = ("gtin,name,variant_of,size\n"
            f"{valid_gtin13()},Tee,{unknown},M\n"
            f"{valid_gtin13()},Tee,4006381333932,L\n"
            f"{valid_gtin13()},Tee,,XL\n")
    response = _upload(vendor_client, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    line2 = re.search(r'<tr data-line="2">.*?</tr>', page, re.S).group(0)
    assert f"variant_of 0{unknown} names no product of yours" in line2
    line3 = re.search(r'<tr data-line="3">.*?</tr>', page, re.S).group(0)
    assert "the last digit should be 1" in line3
    assert "OK" in re.search(r'<tr data-line="4">.*?</tr>', page, re.S).group(0)
    assert _count() == before


def test_another_vendors_gtin_is_not_a_parent(shop, vendor_client):
    from qrshop.catalog.services import create_product
    from tests.factories import make_vendor

    rival = create_product(make_vendor("rivalco"), gtin=valid_gtin13(), name="X", brand="R")
    db.session.commit()
    response = _upload(vendor_client, f"gtin,name,variant_of\n{valid_gtin13()},Tee,"
                                      f"{rival.gtin}\n")
    assert response.status_code == 422 and "names no product of yours" in \
        response.get_data(as_text=True)


def test_an_old_csv_without_the_variant_columns_still_imports(shop, vendor_client):
    gtin = valid_gtin13()
    assert _upload(vendor_client, f"gtin,name,brand\n{gtin},Plain Mug,Widgetco\n"
                   ).status_code == 302
    product = _product(gtin)
    assert (product.variant_group, product.size, product.colour) == (None, None, None)


def test_products_api_groups_variants_and_refuses_a_bad_reference_per_item(shop, client):
    from qrshop.accounts.services import user_by_email

    make_user("vendor", "api@widgetco.test", vendor_slug="widgetco")
    headers = bearer(user_by_email("api@widgetco.test"))
    parent, blue, stray = valid_gtin13(), valid_gtin13(), valid_gtin13()
    answer = client.post("/api/v1/products:bulk", headers=headers, json={"items": [
        {"gtin": parent, "name": "Scarf", "variant_of": parent, "colour": "Red"},
        {"gtin": blue, "name": "Scarf", "variant_of": parent, "colour": "Blue"},
        {"gtin": stray, "name": "Scarf", "variant_of": valid_gtin13(), "colour": "Green"},
        {"gtin": valid_gtin13(), "name": "Scarf", "size": "x" * 41},
    ]})
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert [item["status"] for item in results] == [201, 201, 422, 422]
    assert results[1]["data"]["variant_of"] == "0" + parent
    assert results[1]["data"]["colour"] == "Blue"
    assert results[2]["error"] == "unknown_variant_of"
    assert _product(stray) is None
    # A single create, and an old client's body without the fields.
    single = client.post("/api/v1/products", headers=headers,
                         json={"gtin": valid_gtin13(), "name": "Scarf",
                               "variant_of": "0" + blue, "colour": "Grey"})
    assert single.status_code == 201 and single.get_json()["variant_of"] == "0" + parent
    old = client.post("/api/v1/products", headers=headers,
                      json={"gtin": valid_gtin13(), "name": "Plain"})
    assert old.status_code == 201 and old.get_json()["variant_of"] is None
    bad = client.post("/api/v1/products", headers=headers,
                      json={"gtin": valid_gtin13(), "name": "Scarf", "variant_of": "123"})
    assert bad.status_code == 422 and "variant_of" in bad.get_json()["message"]


def _import_listings(runner, tmp_path, text):
    path = tmp_path / "listings.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["listings", "import", "--retailer", "acme", str(path)])


def test_listing_csv_groups_the_retailers_own_products(shop, runner, tmp_path, client):
    first, second = valid_gtin13(), valid_gtin13()
    result = _import_listings(runner, tmp_path, (
        "sku,gtin,price,currency,name,brand,store,in_stock,variant_of,size,colour\n"
        f"OWN-8,{first},30.00,USD,House Boot,Acme,NYC01,4,{first},8,\n"
        f"OWN-9,{second},30.00,USD,House Boot,Acme,NYC01,0,{first},9,\n"))
    assert result.exit_code == 0, result.output
    assert {_product(first).variant_group, _product(second).variant_group} == {"0" + first}
    listing = db.session.scalar(select(Listing).where(Listing.sku == "OWN-8"))
    tag = create_tag(listing, shop.store, "Shoe wall")
    db.session.commit()
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    assert [(label, stock) for label, _, stock in _chips(html)] == [("8", "In stock"),
                                                                    ("9", "Out of stock")]


def test_listing_csv_refuses_a_bad_variant_of_and_regrouping_a_vendors_product(
        shop, runner, tmp_path):
    before = db.session.scalar(select(func.count()).select_from(Listing))
    result = _import_listings(runner, tmp_path, (
        "sku,gtin,price,currency,name,brand,variant_of,size\n"
        f"OWN-1,{valid_gtin13()},30.00,USD,Boot,Acme,{valid_gtin13()},8\n"
        f"{shop.listing.sku},{shop.product.gtin},49.99,USD,,,,XXL\n"))
    assert result.exit_code == 1
    assert "line 2: variant_of" in result.output and "names no product you list" in \
        result.output
    assert "line 3: GTIN" in result.output and "set by its vendor" in result.output
    assert db.session.scalar(select(func.count()).select_from(Listing)) == before


def test_an_old_listing_csv_without_the_new_columns_still_imports(shop, runner, tmp_path):
    result = _import_listings(runner, tmp_path, (
        f"sku,gtin,price,currency\n{shop.listing.sku},{shop.product.gtin},45.00,USD\n"))
    assert result.exit_code == 0, result.output
    assert "updated 1" in result.output
