"""A catalogue scene: a retailer with a linked and an unlinked vendor, people of every role."""

from __future__ import annotations

from dataclasses import dataclass

from qrshop.catalog.services import create_product
from qrshop.extensions import db
from tests.factories import (
    link_vendor,
    make_retailer,
    make_shop,
    make_store,
    make_user,
    make_vendor,
    valid_gtin13,
)


@dataclass
class CatalogScene:
    """Acme links Widgetco (Trail Widget is listed and tagged, Canvas Tote is not);
    Rivalco is not linked to Acme; Bestmart is another retailer."""

    retailer_id: int
    listing_id: int
    listed_sku: str
    listed_gtin: str
    tag_code: str
    tote_gtin: str
    rival_gtin: str
    merch_email: str
    other_merch_email: str
    associate_email: str
    vendor_email: str
    admin_email: str
    other_listing_id: int


def make_catalog_scene() -> CatalogScene:
    """Build and commit the scene."""
    from qrshop.catalog.services import create_listing

    shop = make_shop()
    link_vendor(shop.retailer, shop.vendor)
    tote = create_product(shop.vendor, gtin=valid_gtin13(), name="Canvas Tote", brand="Widgetco")
    rival = make_vendor("rivalco")
    gizmo = create_product(rival, gtin=valid_gtin13(), name="Rival Gizmo", brand="Rivalco")
    other = make_retailer("bestmart")
    make_store(other, "LA01")
    link_vendor(other, shop.vendor)
    other_listing = create_listing(other, tote, sku="BM-TOTE", price_cents=1500)
    db.session.commit()
    scene = CatalogScene(
        retailer_id=shop.retailer.id, listing_id=shop.listing.id, listed_sku=shop.listing.sku,
        listed_gtin=shop.product.gtin, tag_code=shop.tag.code, tote_gtin=tote.gtin,
        rival_gtin=gizmo.gtin,
        merch_email=make_user("merchandiser", retailer_slug="acme").email,
        other_merch_email=make_user("merchandiser", retailer_slug="bestmart").email,
        associate_email=make_user("associate", retailer_slug="acme", store_code="NYC01").email,
        vendor_email=make_user("vendor", vendor_slug="widgetco").email,
        admin_email=make_user("admin").email,
        other_listing_id=other_listing.id,
    )
    return scene
