"""The console's listings: a merchandiser carries, edits and discontinues products."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Listing, Product
from qrshop.content.models import AuditEntry
from qrshop.extensions import db
from qrshop.tags.models import Tag
from tests.catalog.helpers import make_catalog_scene
from tests.factories import csrf_token, login, make_retailer, make_user


@pytest.fixture
def scene(app):
    return make_catalog_scene()


def _listings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def _add(client, **fields):
    data = {"csrf_token": csrf_token(client, "/console/listings/new"), "currency": "USD"}
    data.update(fields)
    return client.post("/console/listings/new", data=data)


ROUTES = ["/console/listings", "/console/listings/new", "/console/listings/import"]


@pytest.mark.parametrize("path", ROUTES)
def test_only_merchandisers_open_the_listing_pages(scene, app, client, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    for email in (scene.associate_email, scene.vendor_email, scene.admin_email):
        other = app.test_client()
        login(other, email)
        assert other.get(path).status_code == 403, email
    login(client, scene.merch_email)
    assert client.get(path).status_code == 200


def test_another_retailers_listing_is_not_found(scene, client):
    login(client, scene.merch_email)
    other = scene.other_listing_id
    assert client.get(f"/console/listings/{other}/edit").status_code == 404
    assert client.get(f"/console/listings/{other}/discontinue").status_code == 404
    token = csrf_token(client, "/console/listings/new")
    response = client.post(f"/console/listings/{other}/discontinue", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.session.get(Listing, other).discontinued_at is None


def test_empty_listings_page_says_what_to_do(app, client):
    make_retailer("emptyco")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="emptyco").email)
    html = client.get("/console/listings").get_data(as_text=True)
    assert 'data-empty="listings"' in html
    assert "Add a listing" in html and "Import a CSV" in html
    assert "No vendor is linked to you yet" in html


def test_search_finds_linked_vendors_products_only(scene, client):
    login(client, scene.merch_email)
    html = client.get("/console/listings/new?q=tote").get_data(as_text=True)
    assert "Canvas Tote" in html and f'data-gtin="{scene.tote_gtin}"' in html
    assert "Rival Gizmo" not in client.get("/console/listings/new?q=gizmo").get_data(
        as_text=True)
    by_gtin = client.get(f"/console/listings/new?q={scene.tote_gtin[-8:]}")
    assert "Canvas Tote" in by_gtin.get_data(as_text=True)
    carried = client.get("/console/listings/new?q=trail").get_data(as_text=True)
    assert f"Carried as {scene.listed_sku}" in carried


def test_merchandiser_carries_a_linked_vendors_product(scene, client):
    login(client, scene.merch_email)
    response = _add(client, gtin=scene.tote_gtin, sku="TOTE-1", price="49.99", currency="EUR")
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing).where(Listing.sku == "TOTE-1"))
    assert (listing.price_cents, listing.currency, listing.product.name) == \
        (4999, "EUR", "Canvas Tote")
    html = client.get("/console/listings?q=tote-1").get_data(as_text=True)
    assert 'data-sku="TOTE-1"' in html and "€49.99" in html


@pytest.mark.parametrize("fields, message", [
    ({"gtin": "4006381333932"}, "last digit should be 1"),
    ({"price": "49.999"}, "more than 2 decimal places"),
    ({"price": "-1"}, "zero or more"),
    ({"price": "lots"}, "not a number"),
    ({"sku": "bad sku/1"}, "may hold only"),
    ({"currency": "XXX"}, "Not a valid choice"),
    ({"name": "x" * 5000, "brand": "Acme"}, "200"),
])
def test_bad_listing_input_is_refused_and_nothing_is_stored(scene, client, fields, message):
    login(client, scene.merch_email)
    before = _listings_count()
    data = {"gtin": scene.tote_gtin, "sku": "NEW-1", "price": "10.00"}
    data.update(fields)
    response = _add(client, **data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert _listings_count() == before


def test_an_unlinked_vendors_product_is_refused_saying_so(scene, client):
    login(client, scene.merch_email)
    response = _add(client, gtin=scene.rival_gtin, sku="GIZMO", price="5")
    assert response.status_code == 422
    assert "not linked to Acme" in response.get_data(as_text=True)
    assert db.session.scalar(select(Listing).where(Listing.sku == "GIZMO")) is None


def test_an_unknown_gtin_with_name_and_brand_becomes_the_retailers_own_product(scene, client):
    login(client, scene.merch_email)
    response = _add(client, gtin="4006381333931", sku="PEN-1", price="2.50",
                    name="Highlighter", brand="Stabilo")
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing).where(Listing.sku == "PEN-1"))
    assert listing.product.gtin == "04006381333931"
    page = client.get(f"/console/listings/{listing.id}/edit").get_data(as_text=True)
    assert "your own product" in page and "Edit page content" in page
    missing_brand = _add(client, gtin="96385074", sku="PEN-2", price="1")
    assert missing_brand.status_code == 422
    assert "give its name and brand" in missing_brand.get_data(as_text=True)


def test_an_existing_sku_is_not_added_twice(scene, client):
    login(client, scene.merch_email)
    response = _add(client, gtin=scene.listed_gtin, sku=scene.listed_sku, price="1")
    assert response.status_code == 409
    assert "edit it instead" in response.get_data(as_text=True)


def test_merchandiser_edits_sku_and_price(scene, client):
    login(client, scene.merch_email)
    path = f"/console/listings/{scene.listing_id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'value="49.99"' in page
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "sku": "TRAIL-9", "price": "39.50", "currency": "USD"})
    assert response.status_code == 302
    listing = db.session.get(Listing, scene.listing_id)
    db.session.refresh(listing)
    assert (listing.sku, listing.price_cents) == ("TRAIL-9", 3950)
    refused = client.post(path, data={"csrf_token": csrf_token(client, path),
                                      "sku": "TRAIL-9", "price": "1e9", "currency": "USD"})
    assert refused.status_code == 422
    db.session.refresh(listing)
    assert listing.price_cents == 3950


def test_discontinue_asks_first_then_retires_the_tags(scene, client):
    login(client, scene.merch_email)
    path = f"/console/listings/{scene.listing_id}/discontinue"
    question = client.get(path).get_data(as_text=True)
    assert "retired" in question and "no longer here" in question
    assert db.session.get(Listing, scene.listing_id).discontinued_at is None
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    listing = db.session.get(Listing, scene.listing_id)
    db.session.refresh(listing)
    assert listing.status == "discontinued"
    tag = db.session.scalar(select(Tag).where(Tag.code == scene.tag_code))
    db.session.refresh(tag)
    assert tag.status == "retired"
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "listing.discontinued")) is not None
    # The retired tag's page (the shopper feature's "no longer here" page), not the live one.
    landing = client.get(f"/t/{scene.tag_code}").get_data(as_text=True)
    assert "has moved or sold out" in landing
    listed = client.get("/console/listings").get_data(as_text=True)
    assert "Discontinued" in listed


def test_discontinue_without_the_form_token_changes_nothing(scene, client):
    login(client, scene.merch_email)
    response = client.post(f"/console/listings/{scene.listing_id}/discontinue", data={})
    assert response.status_code == 400
    assert db.session.get(Listing, scene.listing_id).discontinued_at is None


def test_listings_page_is_paginated_and_searchable(scene, client):
    from qrshop.accounts.models import Retailer, Vendor
    from qrshop.catalog.services import create_listing, create_product
    from tests.factories import valid_gtin13

    retailer = db.session.get(Retailer, scene.retailer_id)
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "widgetco"))
    for n in range(55):
        product = create_product(vendor, gtin=valid_gtin13(), name=f"Bulk item {n:02d}",
                                 brand="Widgetco")
        create_listing(retailer, product, sku=f"BULK-{n:02d}", price_cents=100)
    db.session.commit()
    login(client, scene.merch_email)
    first = client.get("/console/listings").get_data(as_text=True)
    assert first.count("data-listing=") == 50 and "Page 1 of 2" in first
    second = client.get("/console/listings?page=2").get_data(as_text=True)
    assert second.count("data-listing=") == 6
    assert client.get("/console/listings?page=abc").status_code == 200
    found = client.get("/console/listings?q=bulk-07").get_data(as_text=True)
    assert found.count("data-listing=") == 1
    assert db.session.scalar(select(func.count()).select_from(Product)) >= 57


def test_a_discontinued_listing_gets_no_new_reviews(scene, client):
    from qrshop.accounts.services import user_by_email
    from qrshop.catalog.listings import discontinue_listing
    from qrshop.content.services import carrying_listings

    listing = db.session.get(Listing, scene.listing_id)
    discontinue_listing(listing, user_by_email(scene.merch_email))
    db.session.commit()
    assert listing.id not in [row.id for row in carrying_listings(listing.product_id)]
    login(client, scene.merch_email)
    path = f"/console/listings/{listing.id}/reinstate"
    response = client.post(path, data={"csrf_token": csrf_token(
        client, f"/console/listings/{listing.id}/edit")})
    assert response.status_code == 302
    db.session.refresh(listing)
    assert listing.status == "active"
    tag = db.session.scalar(select(Tag).where(Tag.code == scene.tag_code))
    assert tag.status == "retired"  # retired tags stay retired


def test_a_huge_listing_id_is_not_found(scene, client):
    login(client, scene.merch_email)
    assert client.get("/console/listings/99999999999/edit").status_code == 404
    assert client.get("/console/listings/99999999999/content").status_code == 404


@pytest.mark.parametrize("typed, expected", [("%", {"PCT-1"}), ("_", {"UND-1"}),
                                             ("50%", {"PCT-1"}), ("a_b", {"UND-1"})])
def test_percent_and_underscore_in_the_listing_search_match_only_themselves(
        scene, client, typed, expected):
    from qrshop.accounts.models import Retailer, Vendor
    from qrshop.catalog.services import create_listing, create_product
    from tests.factories import valid_gtin13

    retailer = db.session.get(Retailer, scene.retailer_id)
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "widgetco"))
    for sku, name in (("PCT-1", "Sale 50% tote"), ("UND-1", "Strap a_b"),
                      ("PLAIN-1", "Plain 50 tote"), ("PLAIN-2", "Strap axb")):
        product = create_product(vendor, gtin=valid_gtin13(), name=name, brand="Widgetco")
        create_listing(retailer, product, sku=sku, price_cents=100)
    db.session.commit()
    login(client, scene.merch_email)
    html = client.get("/console/listings", query_string={"q": typed}).get_data(as_text=True)
    shown = set(re.findall(r'data-sku="([^"]+)"', html))
    assert shown == expected
