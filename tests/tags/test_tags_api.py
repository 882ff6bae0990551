"""/api/v1/tags: create, list by cursor, get, retire and reactivate, QR images, per party."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from qrshop.catalog.listings import discontinue_listing
from qrshop.extensions import db
from qrshop.tags.models import Tag
from tests.api.helpers import bearer, decode_png, decode_svg
from tests.conftest import BASE_URL
from tests.factories import Shop, make_retailer, make_shop, make_store, make_tag, make_user


@dataclass
class Scene:
    """Acme (make_shop: NYC01 with a tag, BOS01) and Bestmart (LA01 with a tag)."""

    shop: Shop
    merch: dict
    other_tag_code: str


@pytest.fixture
def scene(app) -> Scene:
    shop = make_shop()
    other = make_retailer("bestmart")
    other_tag = make_tag(other, make_store(other, "LA01"), shop.vendor)
    db.session.commit()
    merch = make_user("merchandiser", retailer_slug="acme")
    return Scene(shop, bearer(merch), other_tag.code)


def _tag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Tag))


def test_create_answers_201_with_code_and_url(scene, client):
    response = client.post("/api/v1/tags", headers=scene.merch, json={
        "sku": scene.shop.listing.sku, "store": "bos01", "placement": "Aisle 4 endcap"})
    assert response.status_code == 201
    tag = response.get_json()
    assert tag["url"] == f"{BASE_URL.upper()}/T/{tag['code']}"
    assert {key: tag[key] for key in ("sku", "store", "placement", "status", "product")} == {
        "sku": scene.shop.listing.sku, "store": "BOS01", "placement": "Aisle 4 endcap",
        "status": "active", "product": "Trail Widget"}
    assert tag["created_at"] and tag["printed_at"] is None and tag["retired_at"] is None
    # The new tag scans: its landing page shows the product.
    assert client.get(f"/t/{tag['code']}").status_code == 200


@pytest.mark.parametrize("body, field, error", [
    ({"sku": "NOPE", "store": "NYC01"}, "sku", "unknown_sku"),
    ({"sku": "{sku}", "store": "XX99"}, "store", "unknown_store"),
    ({"sku": "{sku}", "store": "LA01"}, "store", "unknown_store"),  # Bestmart's store
    ({"sku": "{sku}"}, "store", "invalid_input"),
    ({"sku": "{sku}", "store": "NYC01", "placement": "x" * 121}, "placement", "invalid_input"),
    ({"sku": "{sku}", "store": "NYC01", "colour": "red"}, "colour", "invalid_input"),
])
def test_create_refuses_bad_input_naming_the_field(scene, client, body, field, error):
    body = {key: value.format(sku=scene.shop.listing.sku) if isinstance(value, str) else value
            for key, value in body.items()}
    before = _tag_count()
    response = client.post("/api/v1/tags", headers=scene.merch, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"] == error
    assert response.get_json()["message"].startswith(field)
    assert _tag_count() == before


def test_no_tag_for_a_discontinued_listing(scene, client):
    discontinue_listing(scene.shop.listing, None)
    db.session.commit()
    response = client.post("/api/v1/tags", headers=scene.merch,
                           json={"sku": scene.shop.listing.sku, "store": "NYC01"})
    assert response.status_code == 422 and "discontinued" in response.get_json()["message"]


def test_list_pages_by_cursor_without_repeats(scene, client):
    for number in range(4):
        make_tag(scene.shop.retailer, scene.shop.other_store, scene.shop.vendor,
                 name=f"Item {number}")
    db.session.commit()
    first = client.get("/api/v1/tags?limit=3", headers=scene.merch).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get(f"/api/v1/tags?limit=3&cursor={first['next_cursor']}",
                        headers=scene.merch).get_json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    codes = [tag["code"] for tag in first["items"] + second["items"]]
    assert len(set(codes)) == 5 and scene.other_tag_code not in codes
    assert client.get("/api/v1/tags?limit=101", headers=scene.merch).status_code == 422


def test_list_filters_by_store_and_status(scene, client):
    moved = make_tag(scene.shop.retailer, scene.shop.other_store, scene.shop.vendor)
    db.session.commit()
    by_store = client.get("/api/v1/tags?store=BOS01", headers=scene.merch).get_json()
    assert [tag["code"] for tag in by_store["items"]] == [moved.code]
    client.post(f"/api/v1/tags/{moved.code}/retire", headers=scene.merch)
    retired = client.get("/api/v1/tags?status=retired", headers=scene.merch).get_json()
    assert [tag["code"] for tag in retired["items"]] == [moved.code]
    active = client.get("/api/v1/tags?status=active", headers=scene.merch).get_json()
    assert [tag["code"] for tag in active["items"]] == [scene.shop.tag.code]
    for query in ("store=LA01", "status=gone"):
        assert client.get(f"/api/v1/tags?{query}", headers=scene.merch).status_code == 422


def test_get_a_tag_in_any_case_and_never_another_retailers(scene, client):
    code = scene.shop.tag.code
    response = client.get(f"/api/v1/tags/{code.lower()}", headers=scene.merch)
    assert response.status_code == 200 and response.get_json()["code"] == code
    for path in (f"/api/v1/tags/{scene.other_tag_code}",
                 f"/api/v1/tags/{scene.other_tag_code}/qr.png",
                 f"/api/v1/tags/{scene.other_tag_code}/qr.svg",
                 "/api/v1/tags/NOT-A-CODE"):
        refused = client.get(path, headers=scene.merch)
        assert refused.status_code == 404 and refused.get_json()["error"] == "not_found"
    for action in ("retire", "reactivate"):
        assert client.post(f"/api/v1/tags/{scene.other_tag_code}/{action}",
                           headers=scene.merch).status_code == 404
    assert db.session.get(Tag, db.session.scalar(
        select(Tag.id).where(Tag.code == scene.other_tag_code))).retired_at is None


def test_retire_answers_410_on_the_tag_page_and_reactivate_undoes_it(scene, client):
    code = scene.shop.tag.code
    retired = client.post(f"/api/v1/tags/{code}/retire", headers=scene.merch)
    assert retired.status_code == 200
    assert retired.get_json()["status"] == "retired" and retired.get_json()["retired_at"]
    assert client.get(f"/t/{code}").status_code == 410
    again = client.post(f"/api/v1/tags/{code}/retire", headers=scene.merch)
    assert again.status_code == 200 and again.get_json()["status"] == "retired"
    back = client.post(f"/api/v1/tags/{code}/reactivate", headers=scene.merch)
    assert back.status_code == 200 and back.get_json()["status"] == "active"
    assert back.get_json()["retired_at"] is None
    assert client.get(f"/t/{code}").status_code == 200


def test_a_tag_of_a_discontinued_listing_is_not_reactivated(scene, client):
    discontinue_listing(scene.shop.listing, None)  # retires its tags
    db.session.commit()
    response = client.post(f"/api/v1/tags/{scene.shop.tag.code}/reactivate",
                           headers=scene.merch)
    assert response.status_code == 422 and "discontinued" in response.get_json()["message"]


def test_qr_images_decode_to_the_tags_url(scene, client):
    code = scene.shop.tag.code
    url = client.get(f"/api/v1/tags/{code}", headers=scene.merch).get_json()["url"]
    png = client.get(f"/api/v1/tags/{code}/qr.png?size=300", headers=scene.merch)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert decode_png(png.data) == [url]
    svg = client.get(f"/api/v1/tags/{code}/qr.svg", headers=scene.merch)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert decode_svg(svg.data) == [url]
    too_big = client.get(f"/api/v1/tags/{code}/qr.png?size=5000", headers=scene.merch)
    assert too_big.status_code == 422 and "size" in too_big.get_json()["message"]


def test_only_merchandisers_use_tags(scene, client):
    """Associates have no tag pages in the console, vendors and admins no retailer."""
    code = scene.shop.tag.code
    for role, links in (("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"}), ("admin", {})):
        headers = bearer(make_user(role, **links))
        for method, path in (("get", "/api/v1/tags"), ("get", f"/api/v1/tags/{code}"),
                             ("get", f"/api/v1/tags/{code}/qr.png"),
                             ("post", f"/api/v1/tags/{code}/retire")):
            response = getattr(client, method)(path, headers=headers)
            assert response.status_code == 403, (role, path)
            assert response.get_json()["error"] == "forbidden"
    assert client.get("/api/v1/tags").status_code == 401


def test_tokens_need_the_tags_scopes(scene, client):
    merch = make_user("merchandiser", retailer_slug="acme")
    reader = bearer(merch, "tags:read")
    code = scene.shop.tag.code
    assert client.get(f"/api/v1/tags/{code}/qr.svg", headers=reader).status_code == 200
    for path, body in (("/api/v1/tags", {"sku": scene.shop.listing.sku, "store": "NYC01"}),
                       (f"/api/v1/tags/{code}/retire", None),
                       ("/api/v1/tags:bulk", {"items": [{"sku": "X", "store": "NYC01"}]}),
                       ("/api/v1/print-jobs", {"store": "NYC01", "layout": "avery-5160",
                                               "codes": [code]})):
        refused = client.post(path, headers=reader, json=body)
        assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
        assert "tags:write" in refused.get_json()["message"]
    writer = bearer(merch, "tags:write")
    refused = client.get("/api/v1/tags", headers=writer)
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"


def test_a_gs1_style_retailer_gets_digital_link_urls_and_qr(scene, client):
    from biip.gs1_digital_link_uris import GS1DigitalLinkURI

    from qrshop.accounts.services import update_retailer

    update_retailer(scene.shop.retailer, tag_url_style="gs1")
    db.session.commit()
    response = client.post("/api/v1/tags", headers=scene.merch, json={
        "sku": scene.shop.listing.sku, "store": "NYC01"})
    assert response.status_code == 201
    tag = response.get_json()
    assert tag["url"].startswith(f"{BASE_URL.upper()}/T/{tag['code']}/01/")
    parsed = GS1DigitalLinkURI.parse(tag["url"])
    assert parsed.as_gs1_message().element_strings[0].value.endswith(tag["gtin"][-13:])
    assert client.get(f"/api/v1/tags/{tag['code']}", headers=scene.merch).get_json()["url"] \
        == tag["url"]
    svg = client.get(f"/api/v1/tags/{tag['code']}/qr.svg", headers=scene.merch)
    assert decode_svg(svg.data) == [tag["url"]]
