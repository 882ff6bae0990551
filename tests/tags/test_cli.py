"""`qrshop tags list`."""

from __future__ import annotations

import csv
import io
import json

from qrshop.extensions import db
from qrshop.tags.services import TAG_LIST_COLUMNS, retire_tag
from tests.conftest import BASE_URL
from tests.factories import make_retailer, make_shop, make_store, make_tag, make_vendor


def test_tags_list_csv_has_the_documented_columns(runner):
    tag = make_shop().tag
    result = runner.invoke(args=["tags", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert tuple(rows[0].keys()) == TAG_LIST_COLUMNS
    assert rows == [{
        "code": tag.code, "url": f"{BASE_URL.upper()}/T/{tag.code}", "retailer": "acme",
        "store": "NYC01", "sku": tag.listing.sku, "gtin": tag.listing.product.gtin,
        "product": "Trail Widget", "placement": "Aisle 1", "status": "active",
    }]


def test_tags_list_json_filters_and_shows_retired(runner):
    shop = make_shop()
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Widget")
    elsewhere = make_retailer("other")
    make_tag(elsewhere, make_store(elsewhere, "LAX01"), make_vendor("v2"), name="Other")
    retire_tag(boston)
    db.session.commit()

    result = runner.invoke(args=["tags", "list", "--retailer", "acme", "--format", "json"])
    rows = json.loads(result.output)
    assert [row["product"] for row in rows] == ["Boston Widget", "Trail Widget"]
    assert [row["status"] for row in rows] == ["retired", "active"]

    result = runner.invoke(args=["tags", "list", "--store", "bos01", "--format", "json"])
    assert [row["code"] for row in json.loads(result.output)] == [boston.code]


def test_tags_list_unknown_store_or_retailer_is_a_clear_error(runner):
    make_shop()
    result = runner.invoke(args=["tags", "list", "--store", "NOPE1"])
    assert result.exit_code != 0
    assert "No store with code 'NOPE1'" in result.output
    result = runner.invoke(args=["tags", "list", "--retailer", "nobody"])
    assert result.exit_code != 0
    assert "No retailer with slug 'nobody'" in result.output
