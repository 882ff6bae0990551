"""Content a retailer writes itself for a product no vendor on qrshop supplies."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from qrshop.catalog.models import Listing
from qrshop.content.models import AuditEntry, ContentRevision, Media, Review
from qrshop.extensions import db
from tests.catalog.helpers import make_catalog_scene
from tests.content.images import image_bytes
from tests.factories import csrf_token, login


@pytest.fixture
def own(app, client):
    """The scene, with a retailer-owned product listed and tagged, the merchandiser in."""
    from qrshop.accounts.models import Store
    from qrshop.tags.services import create_tag

    scene = make_catalog_scene()
    login(client, scene.merch_email)
    response = client.post("/console/listings/new", data={
        "csrf_token": csrf_token(client, "/console/listings/new"), "gtin": "4006381333931",
        "sku": "PEN-1", "price": "2.50", "currency": "USD", "name": "Highlighter",
        "brand": "Stabilo"})
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing).where(Listing.sku == "PEN-1"))
    store = db.session.scalar(select(Store).where(Store.code == "NYC01"))
    tag = create_tag(listing, store, "Till")
    db.session.commit()
    return scene, listing.id, tag.code


def _upload(client, listing_id, data: bytes, name: str):
    path = f"/console/listings/{listing_id}/content"
    return client.post(f"/console/listings/{listing_id}/media", data={
        "csrf_token": csrf_token(client, path), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_retailer_publishes_its_own_content_and_it_is_live_at_once(own, client):
    scene, listing_id, code = own
    assert _upload(client, listing_id, image_bytes("JPEG"), "pen.jpg").status_code == 302
    media = db.session.scalar(select(Media).where(Media.original_name == "pen.jpg"))
    path = f"/console/listings/{listing_id}/content"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "title": "The best highlighter",
        "hero_image": str(media.id),
        "description": "<p>Bright <script>alert(1)</script><strong>yellow</strong></p>"})
    assert response.status_code == 302
    listing = db.session.get(Listing, listing_id)
    db.session.refresh(listing)
    revision = db.session.get(ContentRevision, listing.live_revision_id)
    assert revision.slots["title"] == "The best highlighter"
    assert "<script>" not in revision.slots["description"]
    review = db.session.scalar(select(Review).where(Review.revision_id == revision.id))
    assert review.status == "approved" and review.retailer_id == scene.retailer_id
    actions = [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.revision_id == revision.id))]
    assert actions == ["revision.created", "review.approved"]
    page = client.get(f"/t/{code}").get_data(as_text=True)
    assert "The best highlighter" in page
    # The form opens with what is live.
    assert "The best highlighter" in client.get(path).get_data(as_text=True)


def test_missing_required_slot_and_foreign_media_are_refused(own, client):
    scene, listing_id, _ = own
    path = f"/console/listings/{listing_id}/content"
    missing = client.post(path, data={"csrf_token": csrf_token(client, path), "title": "T"})
    assert missing.status_code == 422 and "hero image" in missing.get_data(as_text=True)
    long_title = client.post(path, data={"csrf_token": csrf_token(client, path),
                                         "title": "x" * 5000})
    assert long_title.status_code == 400
    assert db.session.scalar(select(ContentRevision)) is None


def test_bad_upload_is_refused_with_the_same_checks(own, client):
    _, listing_id, _ = own
    response = _upload(client, listing_id, b"MZ not an image", "virus.exe")
    assert response.status_code == 415
    assert db.session.scalar(select(Media)) is None


def test_a_vendor_supplied_listing_has_no_retailer_content_page(own, client, app):
    scene, listing_id, _ = own
    assert client.get(f"/console/listings/{scene.listing_id}/content").status_code == 404
    other = app.test_client()
    login(other, scene.other_merch_email)
    assert other.get(f"/console/listings/{listing_id}/content").status_code == 404
    for email in (scene.vendor_email, scene.associate_email):
        someone = app.test_client()
        login(someone, email)
        assert someone.get(f"/console/listings/{listing_id}/content").status_code == 403


def test_a_real_vendor_later_takes_over_the_gtin(own, client, app):
    """A GTIN held by a retailer's house vendor does not block the vendor who makes it."""
    from qrshop.accounts.models import Vendor
    from qrshop.catalog.services import create_product

    scene, listing_id, code = own
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "rivalco"))
    product = create_product(vendor, gtin="4006381333931", name="Boss Highlighter",
                             brand="Stabilo")
    db.session.commit()
    listing = db.session.get(Listing, listing_id)
    assert listing.product_id == product.id and product.vendor_id == vendor.id
    assert client.get(f"/console/listings/{listing_id}/content").status_code == 404
    assert client.get(f"/t/{code}").status_code == 200


def test_house_vendors_are_not_listed_nor_linkable(own, app):
    from qrshop.accounts.models import HouseVendor, Retailer
    from qrshop.accounts.services import link_vendor
    from qrshop.errors import InvalidInput

    scene, _, _ = own
    house = db.session.get(HouseVendor, scene.retailer_id)
    other = db.session.scalar(select(Retailer).where(Retailer.slug == "bestmart"))
    with pytest.raises(InvalidInput):
        link_vendor(other, house.vendor)
    admin = app.test_client()
    login(admin, scene.admin_email)
    response = admin.get("/admin")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "widgetco" in html
    assert house.vendor.slug not in html


def test_the_console_page_takes_highlight_and_spec_rows_too(own, client):
    scene, listing_id, code = own
    assert _upload(client, listing_id, image_bytes("JPEG"), "pen.jpg").status_code == 302
    media = db.session.scalar(select(Media).where(Media.original_name == "pen.jpg"))
    path = f"/console/listings/{listing_id}/content"
    assert 'name="highlight"' in client.get(path).get_data(as_text=True)
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "title": "The best highlighter",
        "hero_image": str(media.id), "highlight": ["Bright", "", "Quick-dry"],
        "spec_name": ["Ink", ""], "spec_value": ["Water-based", ""],
        "description": "<h1>Why</h1><div>Bright<br><br>Dry</div>"})
    assert response.status_code == 302
    listing = db.session.get(Listing, listing_id)
    db.session.refresh(listing)
    slots = db.session.get(ContentRevision, listing.live_revision_id).slots
    assert slots["highlights"] == ["Bright", "Quick-dry"]
    assert slots["spec_table"] == [["Ink", "Water-based"]]
    assert slots["description"] == "<h3>Why</h3><p>Bright</p><p>Dry</p>"
    # The form opens with the rows filled, and blank ones ready.
    html = client.get(path).get_data(as_text=True)
    assert 'name="highlight" value="Quick-dry"' in html and 'name="spec_name" value="Ink"' in html
