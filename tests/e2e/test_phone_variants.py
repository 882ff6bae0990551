"""A phone at the shelf: the tee's sizes, each with its stock here; picking one opens its
page, which says whether this store has it and, if not, the nearest store that does."""

from __future__ import annotations

import pytest

from qrshop.catalog import listings
from qrshop.catalog.services import create_product
from qrshop.extensions import db
from qrshop.tags.services import create_tag
from tests.e2e.conftest import ARTIFACTS
from tests.factories import link_vendor, make_shop, make_store, valid_gtin13

pytestmark = pytest.mark.slow


def _tees(app) -> dict[str, str]:
    """Trail Tee in S (5 here), M (none here, 6 in Boston) and L (2 here); tag codes by size."""
    shop = make_shop()
    link_vendor(shop.retailer, shop.vendor)
    shop.store.latitude, shop.store.longitude = 40.7128, -74.0060
    shop.other_store.latitude, shop.other_store.longitude = 42.3601, -71.0589
    shop.other_store.name = "Boston Downtown"
    make_store(shop.retailer, "CHI01", name="Chicago Loop", latitude=41.88, longitude=-87.63)
    parent = valid_gtin13()
    codes = {}
    for size, here, boston in (("S", 5, 0), ("M", 0, 6), ("L", 2, 1)):
        gtin = parent if size == "S" else valid_gtin13()
        product = create_product(shop.vendor, gtin=gtin, name="Trail Tee", brand="Widgetco")
        product.variant_group, product.size, product.colour = "0" + parent, size, "Navy"
        listing, _ = listings.put_listing(shop.retailer, sku=f"TEE-{size}", gtin=gtin,
                                          price_cents=2900, currency="USD")
        listings.set_stock(listing, shop.store, in_stock=here, location="")
        listings.set_stock(listing, shop.other_store, in_stock=boston, location="")
        codes[size] = create_tag(listing, shop.store, "Rack 2, by the fitting rooms").code
    db.session.commit()
    return codes


def test_a_shopper_picks_a_size_and_sees_if_this_store_has_it(app, live_server, phone):
    codes = _tees(app)
    phone.goto(f"{live_server}/t/{codes['S']}")
    chips = phone.locator("nav.variants li")
    assert chips.all_inner_texts() == ["S · Navy\nIn stock", "M · Navy\nOut of stock",
                                       "L · Navy\nLow stock"]
    assert phone.locator("[aria-current=page]").inner_text().startswith("S · Navy")
    assert phone.locator("[data-stock]").inner_text() == "In stock at Store NYC01"
    assert phone.locator("[data-placement]").inner_text() == \
        "Where to find it: Rack 2, by the fitting rooms"
    # A chip is a comfortable tap target (WCAG 2.2 asks 24x24 px at least).
    box = phone.locator("nav.variants a").first.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    phone.locator("nav.variants a", has_text="M · Navy").tap()
    phone.wait_for_url(f"**/t/{codes['M']}?via=variant")
    assert phone.locator("[aria-current=page]").inner_text().startswith("M · Navy")
    assert phone.locator("[data-stock]").inner_text() == "Out of stock at Store NYC01"
    assert phone.locator("[data-nearby] li").all_inner_texts() == ["Boston Downtown · 190 mi"]
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "landing-variant-out-here.png"), full_page=True)

    phone.locator("nav.variants a", has_text="L · Navy").tap()
    phone.wait_for_url(f"**/t/{codes['L']}?via=variant")
    assert phone.locator("[data-stock]").inner_text() == "Low stock at Store NYC01: 2 left"
