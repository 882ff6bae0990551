"""The shelf (stock, nearby stores, variants) costs the scan nothing: it is read with the
tag's page data, kept like it, and the page stays under 14 KB compressed in every template."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import event

from qrshop.catalog import listings
from qrshop.catalog.services import create_listing, create_product
from qrshop.extensions import db
from qrshop.tags.services import create_tag
from tests.content.helpers import go_live, make_scene
from tests.factories import make_store, valid_gtin13
from tests.shopper.helpers import count_scan_statements, freeze_scan_clock


def _variants_out_here(scene, count: int = 6) -> None:
    """Six sizes of the scene's product, out here and in stock in three other stores."""
    product, shop_listing = scene.product, scene.tag.listing
    product.variant_group, product.size, product.colour = product.gtin, "XS", "Forest Green"
    retailer, store = shop_listing.retailer, scene.tag.store
    store.latitude, store.longitude = 40.71, -74.0
    others = [make_store(retailer, f"ST{n:02d}", name=f"Store number {n} downtown",
                         latitude=40.0 + n / 10, longitude=-75.0) for n in range(4)]
    listings.set_stock(shop_listing, store, in_stock=0, location="Back wall, bay 12")
    for other in others:
        listings.set_stock(shop_listing, other, in_stock=5, location="")
    for n, size in enumerate(("S", "M", "L", "XL", "XXL")[:count - 1]):
        gtin = valid_gtin13()
        sibling = create_product(product.vendor, gtin=gtin, name=product.name, brand="W")
        sibling.variant_group, sibling.size, sibling.colour = product.gtin, size, "Forest Green"
        listing = create_listing(retailer, sibling, sku=f"V-{size}", price_cents=4999)
        listings.set_stock(listing, store, in_stock=n, location="")
        create_tag(listing, store, "Rack")
    db.session.commit()


@pytest.mark.parametrize("template", ["spotlight", "story", "specs", "look"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_a_page_with_variants_and_nearby_stores_stays_under_14_kb(app, client, template,
                                                                  language):
    scene = make_scene()
    go_live(scene, template)
    _variants_out_here(scene)
    response = client.get(f"/t/{scene.tag.code}", headers={"Accept-Language": language})
    html = response.get_data()
    assert b'class="variants"' in html and b"data-nearby" in html
    assert html.count(b"data-variant=") == 6
    assert len(gzip.compress(html)) <= 14 * 1024


def test_a_kept_tag_reads_no_stock_or_variants_per_scan(app, client, monkeypatch):
    scene = make_scene()
    go_live(scene, "spotlight")
    _variants_out_here(scene)
    url = f"/t/{scene.tag.code}"
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    count_scan_statements(monkeypatch, statements)
    freeze_scan_clock(app)  # the scanner keeps the tag it reads for a second
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = client.get(url, headers={"User-Agent": "Googlebot/2.1"})
        first_statements, statements[:] = list(statements), []
        again = client.get(url, headers={"User-Agent": "Googlebot/2.1"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert b"Out of stock at" in first.get_data() and b"Out of stock at" in again.get_data()
    shelf_reads = [s for s in first_statements if "variant_group" in s or
                   "listing_stock.in_stock > " in s]
    # The page's query (stock here joined), the variants' and the nearby stores' SELECTs.
    assert len(shelf_reads) == 3
    # The next scan of the kept tag: its INSERT only.
    assert [s.split()[0].upper() for s in statements] == ["INSERT"]
