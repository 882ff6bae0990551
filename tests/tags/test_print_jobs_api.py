"""POST /api/v1/print-jobs: the PDF of a store's tags, by codes or by SKUs; every tag on it
decodes to its URL; bad selections are a 422 that prints (and creates) nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Listing
from qrshop.extensions import db
from qrshop.tags.api_files import MAX_PRINT_TAGS
from qrshop.tags.models import Tag
from qrshop.tags.services import retire_tag
from tests.api.helpers import bearer, decode_pdf
from tests.conftest import BASE_URL
from tests.factories import (
    Shop,
    make_many_listings,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
)


@pytest.fixture
def shop(app) -> Shop:
    return make_shop()


@pytest.fixture
def merch(shop) -> dict:
    return bearer(make_user("merchandiser", retailer_slug="acme"))


def _urls(codes) -> set[str]:
    return {f"{BASE_URL.upper()}/T/{code}" for code in codes}


def test_printing_codes_answers_a_pdf_whose_tags_decode(shop, client, merch):
    tags = [shop.tag] + [make_tag(shop.retailer, shop.store, shop.vendor) for _ in range(2)]
    db.session.commit()
    codes = [tag.code for tag in tags]
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "NYC01", "layout": "avery-5160", "codes": [code.lower() for code in codes]})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Tag-Codes"] == ",".join(codes)
    assert "NYC01-avery-5160-tags.pdf" in response.headers["Content-Disposition"]
    pages = decode_pdf(response.data)
    assert len(pages) == 1 and set(pages[0]) == _urls(codes)
    db.session.expire_all()
    assert all(db.session.get(Tag, tag.id).printed_at is not None for tag in tags)


def test_a_preview_does_not_mark_tags_printed(shop, client, merch):
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "NYC01", "layout": "poster-a4", "codes": [shop.tag.code], "preview": True})
    assert response.status_code == 200
    assert decode_pdf(response.data, dpi=150) == [[f"{BASE_URL.upper()}/T/{shop.tag.code}"]]
    db.session.expire_all()
    assert db.session.get(Tag, shop.tag.id).printed_at is None


def test_printing_skus_reuses_or_creates_the_stores_tags(shop, client, merch):
    other = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston item")
    db.session.commit()
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "BOS01", "layout": "avery-l7160",
        "skus": [other.listing.sku, shop.listing.sku]})
    assert response.status_code == 200
    codes = response.headers["X-Tag-Codes"].split(",")
    assert codes[0] == other.code and codes[1] != shop.tag.code  # a new tag at BOS01
    new = db.session.scalar(select(Tag).where(Tag.code == codes[1]))
    assert new.store_id == shop.other_store.id and new.listing_id == shop.listing.id
    assert set(decode_pdf(response.data)[0]) == _urls(codes)


@pytest.mark.parametrize("body, error, words", [
    ({"layout": "avery-9999"}, "unknown_layout", "layout"),
    ({"codes": ["ZZZZZZZZ"]}, "unknown_code", "codes"),
    ({"codes": ["{other_store}"]}, "unknown_code", "codes"),
    ({"codes": ["{other_retailer}"]}, "unknown_code", "codes"),
    ({"codes": ["{retired}"]}, "retired_tag", "codes"),
    ({"codes": None, "skus": ["NOPE-1"]}, "unknown_sku", "NOPE-1"),
    ({"store": "LA01"}, "unknown_store", "store"),
    ({"skus": ["X"]}, "invalid_input", "either codes or skus"),
    ({"codes": None}, "invalid_input", "either codes or skus"),
    ({"codes": []}, "invalid_input", "codes"),
    ({"codes": ["ZZZZZZZZ"] * (MAX_PRINT_TAGS + 1)}, "invalid_input", "codes"),
    ({"codes": None, "skus": ["X"] * (MAX_PRINT_TAGS + 1)}, "invalid_input", "skus"),
    ({"offset_x_mm": 11}, "invalid_input", "offset_x_mm"),
])
def test_bad_print_jobs_are_422_and_print_nothing(shop, client, merch, body, error, words):
    other_store_tag = make_tag(shop.retailer, shop.other_store, shop.vendor)
    bestmart = make_retailer("bestmart")
    other_retailer_tag = make_tag(bestmart, make_store(bestmart, "LA01"), shop.vendor)
    retired = make_tag(shop.retailer, shop.store, shop.vendor)
    retire_tag(retired)
    db.session.commit()
    names = {"other_store": other_store_tag.code, "other_retailer": other_retailer_tag.code,
             "retired": retired.code}
    job = {"store": "NYC01", "layout": "avery-5160", "codes": [shop.tag.code], **body}
    if job.get("codes"):
        job["codes"] = [code.format(**names) for code in job["codes"]]
    job = {key: value for key, value in job.items() if value is not None}
    tags_before = db.session.scalar(select(func.count()).select_from(Tag))
    response = client.post("/api/v1/print-jobs", headers=merch, json=job)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == error
    assert words in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Tag)) == tags_before
    assert db.session.get(Tag, shop.tag.id).printed_at is None


def test_the_maximum_job_prints(shop, client, merch):
    """MAX_PRINT_TAGS tags render in one synchronous answer."""
    ids = make_many_listings(shop.retailer, shop.vendor, MAX_PRINT_TAGS - 1)
    skus = [shop.listing.sku] + [db.session.get(Listing, i).sku for i in ids]
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "NYC01", "layout": "shelf-strip", "skus": skus, "preview": True})
    assert response.status_code == 200
    assert len(response.headers["X-Tag-Codes"].split(",")) == MAX_PRINT_TAGS


def test_other_parties_cannot_print(shop, client):
    job = {"store": "NYC01", "layout": "avery-5160", "codes": [shop.tag.code]}
    for role, links in (("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"})):
        response = client.post("/api/v1/print-jobs", json=job,
                               headers=bearer(make_user(role, **links)))
        assert response.status_code == 403
    other = make_retailer("bestmart")
    make_store(other, "NYC01")  # the same store code at another retailer
    db.session.commit()
    stranger = bearer(make_user("merchandiser", retailer_slug="bestmart"))
    response = client.post("/api/v1/print-jobs", json=job, headers=stranger)
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_code"


@pytest.mark.parametrize("layout", ["shelf-poster-a3", "look-poster-a4"])
def test_posters_print_through_the_api_with_a_title(shop, client, merch, layout):
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "NYC01", "layout": layout, "codes": [shop.tag.code],
        "title": "Trail season picks"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decode_pdf(response.data, dpi=150)[0] == [f"{BASE_URL.upper()}/T/{shop.tag.code}"]


def test_the_counter_card_is_not_a_print_job_of_tags(shop, client, merch):
    response = client.post("/api/v1/print-jobs", headers=merch, json={
        "store": "NYC01", "layout": "counter-card", "codes": [shop.tag.code]})
    assert response.status_code == 422
    assert "counter card" in response.get_json()["message"]
