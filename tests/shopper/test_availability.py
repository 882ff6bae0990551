"""The landing page's shelf: in stock / low / out here, where it is, and the nearest stores
of the retailer that have it when this one is out."""

from __future__ import annotations

import re

import pytest

from qrshop.catalog import listings
from qrshop.extensions import db
from qrshop.shopper.shelf import LOW_STOCK_THRESHOLD
from tests.factories import make_shop, make_store


def _stock(shop, store, in_stock, location=""):
    listings.set_stock(shop.listing, store, in_stock=in_stock, location=location)
    db.session.commit()


def _page(client, code, **headers) -> str:
    response = client.get(f"/t/{code}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _availability(html: str) -> str:
    match = re.search(r'data-availability="([a-z]+)"', html)
    return match.group(1) if match else ""


def _nearby(html: str) -> list[str]:
    block = re.search(r"<ul class=\"nearby\" data-nearby>(.*?)</ul>", html, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", block.group(1))] if block else []


@pytest.mark.parametrize("in_stock, level, words", [
    (12, "in", "In stock at Store NYC01"),
    (LOW_STOCK_THRESHOLD, "low", f"Low stock at Store NYC01: {LOW_STOCK_THRESHOLD} left"),
    (1, "low", "Low stock at Store NYC01: 1 left"),
    (0, "out", "Out of stock at Store NYC01"),
])
def test_the_page_says_how_much_this_store_has(app, client, in_stock, level, words):
    shop = make_shop()
    _stock(shop, shop.store, in_stock)
    html = _page(client, shop.tag.code)
    assert _availability(html) == level
    assert words in html


def test_unknown_stock_claims_nothing_but_the_placement_still_shows(app, client):
    shop = make_shop()  # the tag's placement is "Aisle 1"; no stock row
    html = _page(client, shop.tag.code)
    assert _availability(html) == "unknown"
    assert "In stock" not in html and "Out of stock" not in html
    assert "Where to find it: Aisle 1" in html


def test_the_tags_placement_comes_first_then_the_stock_rows_location(app, client):
    shop = make_shop()
    _stock(shop, shop.store, 5, location="Back wall, bay 3")
    assert "Where to find it: Aisle 1" in _page(client, shop.tag.code)
    shop.tag.placement = ""
    db.session.commit()
    assert "Where to find it: Back wall, bay 3" in _page(client, shop.tag.code)


def test_out_here_lists_the_nearest_stores_that_have_it_nearest_first(app, client):
    shop = make_shop()
    shop.store.latitude, shop.store.longitude = 40.7128, -74.0060  # New York
    shop.other_store.latitude, shop.other_store.longitude = 42.3601, -71.0589  # Boston
    shop.other_store.name = "Boston Downtown"
    philly = make_store(shop.retailer, "PHL01", name="Philadelphia Center",
                        latitude=39.9526, longitude=-75.1652)
    far = make_store(shop.retailer, "CHI01", name="Chicago Loop",
                     latitude=41.8781, longitude=-87.6298)
    unplaced = make_store(shop.retailer, "POP01", name="A Pop-up Store")
    empty = make_store(shop.retailer, "DC01", name="Washington", latitude=38.9, longitude=-77.0)
    _stock(shop, shop.store, 0)
    for store in (shop.other_store, philly, far, unplaced):
        _stock(shop, store, 4)
    _stock(shop, empty, 0)  # out there too: never listed
    html = _page(client, shop.tag.code)
    assert _availability(html) == "out"
    assert "Nearby stores that have it" in html
    # Philadelphia 130 km (81 mi), Boston 306 km (190 mi), Chicago 1145 km: three at most,
    # so the pop-up store without a location is left out.
    assert _nearby(html) == ["Philadelphia Center · 81 mi", "Boston Downtown · 190 mi",
                             "Chicago Loop · 711 mi"]
    spanish = _page(client, shop.tag.code, **{"Accept-Language": "es-MX"})
    assert _nearby(spanish)[0] == "Philadelphia Center · 130 km"
    assert "Agotado en Store NYC01" in spanish


def test_stores_without_a_location_are_listed_by_name(app, client):
    shop = make_shop()  # no store has a location
    zed = make_store(shop.retailer, "ZED01", name="Zed Street")
    _stock(shop, shop.store, 0)
    _stock(shop, zed, 2)
    _stock(shop, shop.other_store, 9)
    assert _nearby(_page(client, shop.tag.code)) == ["Store BOS01", "Zed Street"]


def test_out_everywhere_says_so(app, client):
    shop = make_shop()
    _stock(shop, shop.store, 0)
    html = _page(client, shop.tag.code)
    assert "No other store has it in stock right now." in html
    assert _nearby(html) == []


def test_a_stock_change_shows_on_the_next_read_of_the_tag(app, client):
    shop = make_shop()  # tests keep a tag's data for 0 s: every scan reads it
    _stock(shop, shop.store, 10)
    assert _availability(_page(client, shop.tag.code)) == "in"
    _stock(shop, shop.store, 2)
    assert _availability(_page(client, shop.tag.code)) == "low"


def test_stock_imported_by_csv_shows_on_the_page(app, client, runner, tmp_path):
    shop = make_shop()
    path = tmp_path / "stock.csv"
    path.write_text("sku,gtin,price,currency,store,in_stock,location\n"
                    f"{shop.listing.sku},{shop.product.gtin},49.99,USD,NYC01,2,Endcap 7\n"
                    f"{shop.listing.sku},{shop.product.gtin},49.99,USD,BOS01,8,\n")
    result = runner.invoke(args=["listings", "import", "--retailer", "acme", str(path)])
    assert result.exit_code == 0, result.output
    html = _page(client, shop.tag.code)
    assert "Low stock at Store NYC01: 2 left" in html


def test_distances_read_as_the_shoppers_language_does():
    from qrshop.i18n import format_distance

    assert format_distance(3.7, "en") == "2.3 mi"
    assert format_distance(3.7, "fr") == "3,7\u202fkm"  # a narrow no-break space
    assert format_distance(129.7, "es") == "130 km"


def test_stock_changes_show_once_the_kept_tag_is_a_second_old(app, client):
    from tests.shopper.helpers import freeze_scan_clock

    shop = make_shop()
    _stock(shop, shop.store, 10)
    clock = freeze_scan_clock(app, max_age=1.0)
    assert _availability(_page(client, shop.tag.code)) == "in"
    _stock(shop, shop.store, 0)  # sold out (a POS feed, the CSV, the API)
    clock.advance(0.5)
    assert _availability(_page(client, shop.tag.code)) == "in"  # kept, as a price is
    clock.advance(0.6)
    assert _availability(_page(client, shop.tag.code)) == "out"
