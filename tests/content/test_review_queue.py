"""The reviews queue: paginated and searchable; and issue 13's pilot from an empty database."""

from __future__ import annotations

import re

from sqlalchemy import select

from qrshop.accounts.services import (
    create_retailer,
    create_store,
    create_vendor,
    link_vendor,
)
from qrshop.catalog.models import Product
from qrshop.catalog.services import create_product
from qrshop.content.models import ContentRevision, Review, RevisionStatus
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.factories import csrf_token, login, make_user, valid_gtin13


def test_a_pilot_from_an_empty_database(app, client):
    """Admin sets up, the merchandiser carries the vendor's product, the vendor submits."""
    retailer = create_retailer("pilotmart", "Pilot Mart")
    create_store(retailer, code="PIL01", name="Pilot One")
    vendor = create_vendor("makerco", "Maker Co")
    link_vendor(retailer, vendor)
    db.session.commit()
    vendor_email = make_user("vendor", vendor_slug="makerco").email
    merch_email = make_user("merchandiser", retailer_slug="pilotmart").email
    maker = app.test_client()
    login(maker, vendor_email)
    gtin = valid_gtin13()
    added = maker.post("/vendor/products/new", data={
        "csrf_token": csrf_token(maker, "/vendor/products/new"), "gtin": gtin,
        "name": "Maker Lamp", "brand": "Maker"})
    assert added.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Maker Lamp"))
    login(client, merch_email)
    found = client.get("/console/listings/new?q=lamp").get_data(as_text=True)
    assert "Maker Lamp" in found
    carried = client.post("/console/listings/new", data={
        "csrf_token": csrf_token(client, "/console/listings/new"), "gtin": product.gtin,
        "sku": "LAMP-1", "price": "49.99", "currency": "USD"})
    assert carried.status_code == 302
    path = f"/vendor/products/{product.id}/revisions/new"
    draft = maker.post(path, data={"csrf_token": csrf_token(maker, path), "title": "Lamp",
                                   "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"})
    assert draft.status_code == 302
    revision = db.session.scalar(select(ContentRevision).where(
        ContentRevision.product_id == product.id))
    submit_path = f"/vendor/revisions/{revision.id}"
    retailer.default_template = "story"  # a video page: the draft has no hero image
    db.session.commit()
    submitted = maker.post(f"/vendor/revisions/{revision.id}/submit",
                           data={"csrf_token": csrf_token(maker, submit_path)})
    assert submitted.status_code == 302  # no more 409 "No retailer carries this product yet"
    db.session.refresh(revision)
    assert revision.status == RevisionStatus.SUBMITTED
    queue = client.get("/console/reviews").get_data(as_text=True)
    assert "Maker Lamp" in queue


def _submit_many(scene, count: int):
    from qrshop.accounts.models import Retailer, Vendor
    from qrshop.accounts.services import user_by_email
    from qrshop.catalog.services import create_listing
    from qrshop.content.services import create_draft, submit_revision

    retailer = db.session.get(Retailer, scene.retailer.id)
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "widgetco"))
    author = user_by_email(scene.vendor_email)
    for n in range(count):
        product = create_product(vendor, gtin=valid_gtin13(), name=f"Queued item {n:02d}",
                                 brand="Widgetco")
        create_listing(retailer, product, sku=f"Q-{n:02d}", price_cents=100)
        revision = create_draft(product, author, {"title": f"Item {n}",
                                                  "hero_image": str(scene.hero.id)})
        submit_revision(revision, author)
    db.session.commit()


def test_review_queue_is_paginated_and_searchable(app, client):
    scene = make_scene()
    _submit_many(scene, 53)
    login(client, scene.merch_email)
    first = client.get("/console/reviews").get_data(as_text=True)
    ids = re.findall(r'data-review="(\d+)"', first)
    assert len(ids) == 50 and "Page 1 of 2" in first
    second = client.get("/console/reviews?page=2").get_data(as_text=True)
    assert len(re.findall(r'data-review="(\d+)"', second)) == 3
    found = client.get("/console/reviews?q=queued item 07").get_data(as_text=True)
    assert re.findall(r'data-review="(\d+)"', found) and "Queued item 07" in found
    assert "Queued item 08" not in found
    by_vendor = client.get("/console/reviews?q=widgetco").get_data(as_text=True)
    assert len(re.findall(r'data-review="(\d+)"', by_vendor)) == 50
    nothing = client.get("/console/reviews?q=zzzz").get_data(as_text=True)
    assert "Nothing waiting matches" in nothing
    assert client.get("/console/reviews?show=decided&page=x").status_code == 200
    assert db.session.scalar(select(Review.id)) is not None
