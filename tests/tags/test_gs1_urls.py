"""gs1-style tag URLs: GS1 Digital Link URIs that biip parses to the product's GTIN."""

from __future__ import annotations

import json

import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from stdnum import ean

from qrshop.accounts.services import update_retailer
from qrshop.catalog.services import create_listing, create_product
from qrshop.extensions import db
from qrshop.tags import qr
from qrshop.tags.codes import is_alphanumeric_mode, tag_url
from qrshop.tags.services import create_tag, tag_print_url
from tests.conftest import BASE_URL
from tests.factories import make_retailer, make_store, make_vendor


def _gtin(length: int, stem: int) -> str:
    body = f"{stem:0{length - 1}d}"[-(length - 1):]
    return body + ean.calc_check_digit(body)


# GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) and GTIN-14 (a case of a trade item).
GTINS = [_gtin(8, 9638507), _gtin(12, 3600029145), _gtin(13, 400638133393),
         _gtin(14, 1400638133393)]


@pytest.fixture
def gs1_tags(app):
    retailer = make_retailer("gs1shop")
    store = make_store(retailer, "GS101")
    vendor = make_vendor("gs1vendor")
    tags = []
    for n, gtin in enumerate(GTINS):
        product = create_product(vendor, gtin=gtin, name=f"Item {n}", brand="B")
        listing = create_listing(retailer, product, sku=f"G-{n}", price_cents=999)
        tags.append(create_tag(listing, store, "Shelf"))
    update_retailer(retailer, tag_url_style="gs1")
    db.session.commit()
    return tags


def test_every_gs1_url_parses_with_biip_to_the_products_gtin(gs1_tags):
    for tag, gtin in zip(gs1_tags, GTINS, strict=True):
        url = tag_print_url(tag, BASE_URL)
        assert url == f"{BASE_URL.upper()}/T/{tag.code}/01/{gtin.zfill(14)}"
        element = GS1DigitalLinkURI.parse(url).element_strings.get(ai="01")
        assert element.gtin is not None, element.gtin_error
        assert element.gtin.value == gtin.zfill(14) == tag.listing.product.gtin
        assert is_alphanumeric_mode(url)
        # one QR version more than the short URL, and still small
        assert qr.encode(url).version <= qr.encode(tag_url(BASE_URL, tag.code)).version + 1
        assert qr.encode(url).version <= 3


def test_tags_list_shows_the_gs1_url_and_switching_back_keeps_both_working(runner, client,
                                                                          gs1_tags):
    rows = json.loads(runner.invoke(args=["tags", "list", "--retailer", "gs1shop",
                                          "--format", "json"]).output)
    assert {row["url"] for row in rows} == {tag_print_url(tag, BASE_URL) for tag in gs1_tags}
    for row in rows:
        assert GS1DigitalLinkURI.parse(row["url"]).element_strings.get(ai="01").value == \
            row["gtin"]
    printed = {row["code"]: row["url"] for row in rows}
    update_retailer(gs1_tags[0].store.retailer, tag_url_style="short")
    db.session.commit()
    rows = json.loads(runner.invoke(args=["tags", "list", "--retailer", "gs1shop",
                                          "--format", "json"]).output)
    assert all(row["url"] == f"{BASE_URL.upper()}/T/{row['code']}" for row in rows)
    agent = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile Safari/537.36"}
    for code, url in printed.items():  # tags printed in the gs1 style keep resolving
        assert client.get(url[len(BASE_URL):], headers=agent).status_code == 200
        assert client.get(f"/T/{code}", headers=agent).status_code == 200


def test_tag_image_encodes_the_style(client, gs1_tags):
    tag = gs1_tags[2]
    svg_gs1 = client.get(f"/tags/{tag.code}.svg").data
    assert svg_gs1 == client.get(f"/tags/{tag.code}.svg?style=gs1").data
    assert svg_gs1 != client.get(f"/tags/{tag.code}.svg?style=short").data
    assert client.get(f"/tags/{tag.code}.svg?style=long").status_code == 400


def test_retailers_update_sets_the_style(runner, gs1_tags):
    result = runner.invoke(args=["retailers", "update", "gs1shop", "--tag-url-style", "short"])
    assert result.exit_code == 0, result.output
    assert "short" in result.output
    assert gs1_tags[0].store.retailer.tag_url_style == "short"
    result = runner.invoke(args=["retailers", "update", "gs1shop", "--tag-url-style", "gs1"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert tag_print_url(gs1_tags[0], BASE_URL).endswith(f"/01/{GTINS[0].zfill(14)}")
    bad = runner.invoke(args=["retailers", "update", "gs1shop", "--tag-url-style", "long"])
    assert bad.exit_code != 0 and "short" in bad.output and "gs1" in bad.output
    assert runner.invoke(args=["retailers", "update", "nobody", "--tag-url-style",
                               "gs1"]).exit_code != 0
