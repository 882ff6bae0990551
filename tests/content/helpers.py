"""A content scene: two retailers, two vendors, their people, and library images."""

from __future__ import annotations

from dataclasses import dataclass

from qrshop.accounts.services import user_by_email
from qrshop.catalog.services import create_listing, create_product
from qrshop.content.media import ingest
from qrshop.content.services import create_draft, decide_review, submit_revision
from qrshop.extensions import db
from tests.content.images import image_bytes
from tests.factories import (
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
    make_vendor,
    valid_gtin13,
)


@dataclass
class Scene:
    """Everything a content test needs, committed."""

    retailer: object
    tag: object
    product: object
    other_retailer: object
    other_tag: object
    rival_product: object
    hero: object
    photo: object
    rival_image: object
    vendor_email: str
    rival_email: str
    merch_email: str
    other_merch_email: str
    associate_email: str


def make_scene() -> Scene:
    """Acme and Bestbuy both carry Widgetco's Trail Widget; Rivalco's item is only at Acme."""
    shop = make_shop()
    product = shop.product
    other = make_retailer("bestmart", primary_colour="#0b3d2e")
    other_store = make_store(other, "LA01")
    other_listing = create_listing(other, product, sku="BM-1", price_cents=5299)
    from qrshop.tags.services import create_tag

    other_tag = create_tag(other_listing, other_store, "Aisle 9")
    rival = make_vendor("rivalco")
    rival_tag = make_tag(shop.retailer, shop.store, rival, name="Rival Gizmo")
    hero = ingest(image_bytes("JPEG", size=(1100, 700)), "hero-shot.jpg", shop.vendor.id)
    photo = ingest(image_bytes("PNG", size=(800, 800), colour=(1, 2, 3)), "detail.png",
                   shop.vendor.id)
    rival_image = ingest(image_bytes("JPEG", size=(700, 500), colour=(9, 9, 9)), "rival.jpg",
                         rival.id)
    hero.alt_text, photo.alt_text = "The gizmo from the front", "The gizmo's dial, close up"
    rival_image.alt_text = "A rival gizmo"
    db.session.commit()
    scene = Scene(shop.retailer, shop.tag, product, other, other_tag, rival_tag.listing.product,
                  hero, photo, rival_image, "vendor@widgetco.test", "vendor@rivalco.test",
                  "merch@acme.test", "merch@bestmart.test", "associate@acme.test")
    make_user("vendor", scene.vendor_email, vendor_slug="widgetco")
    make_user("vendor", scene.rival_email, vendor_slug="rivalco")
    make_user("merchandiser", scene.merch_email, retailer_slug="acme")
    make_user("merchandiser", scene.other_merch_email, retailer_slug="bestmart")
    make_user("associate", scene.associate_email, retailer_slug="acme", store_code="NYC01")
    return scene


LONG_DESCRIPTION = "<h3>Made to last</h3>" + "<p>Seam-sealed, <em>tested</em> in rain.</p>" * 12


def go_live(scene, template: str, **slots):
    """The vendor drafts full content for the scene's product; Acme approves it (committed)."""
    vendor = user_by_email(scene.vendor_email)
    merch = user_by_email(scene.merch_email)
    scene.tag.listing.template = template
    revision = create_draft(scene.product, vendor, {
        "title": "Built for wet trails", "tagline": "Grip that holds",
        "hero_image": str(scene.hero.id), "gallery": [str(scene.photo.id), str(scene.hero.id)],
        "video_url": "https://vimeo.com/76979871", "description": LONG_DESCRIPTION,
        "highlights": "Waterproof\nRecycled nylon\nLifetime repairs",
        "spec_table": "\n".join(f"Spec {n}: value {n}" for n in range(12)), **slots})
    reviews = submit_revision(revision, vendor)
    decide_review(reviews[0], merch, approve=True, comment="")
    db.session.commit()
    return revision


def unused_gtin() -> str:
    """A GTIN no product has yet."""
    return valid_gtin13()


__all__ = ["LONG_DESCRIPTION", "Scene", "create_product", "go_live", "make_scene", "unused_gtin"]
