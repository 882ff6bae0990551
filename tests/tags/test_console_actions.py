"""Acting on tags from the console: retire with confirmation, reactivate, reassign through
the picker page, and bulk print / retire / move on a selection (all or nothing)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import Store
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from qrshop.tags.models import Tag
from tests.factories import (
    csrf_token,
    login,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
    make_vendor,
)


@dataclass
class Shop:
    """Three tags of retailer acme (two at NYC01, one at BOS01) and one of a rival."""

    tag: Tag
    second: Tag
    boston: Tag
    rival: Tag
    token: str


@pytest.fixture
def shop(client):
    base = make_shop()
    second = make_tag(base.retailer, base.store, base.vendor, name="Second Widget")
    boston = make_tag(base.retailer, base.other_store, base.vendor, name="Boston Widget")
    rival_retailer = make_retailer("rival")
    rival = make_tag(rival_retailer, make_store(rival_retailer, "RIV01"), make_vendor("rv"),
                     name="Rival Widget")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    return Shop(base.tag, second, boston, rival, csrf_token(client, "/console/tags"))


def _fresh(tag: Tag) -> Tag:
    db.session.expire_all()
    return db.session.get(Tag, tag.id)


def _counted_scans(tag: Tag) -> int:
    return db.session.scalar(select(func.count(Scan.id)).where(
        Scan.tag_id == tag.id, Scan.is_bot.is_(False)))


# --- retire and reactivate ----------------------------------------------------------------


def test_retire_asks_first_and_changes_nothing_until_confirmed(client, shop):
    page = client.get(f"/console/tags/{shop.tag.code}/retire")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Retire tag {shop.tag.code}?" in html
    assert 'name="confirm" value="yes"' in html and "Trail Widget" in html
    # An old client posting the bare button gets the same question, not a retired tag.
    response = client.post(f"/console/tags/{shop.tag.code}/retire",
                           data={"csrf_token": shop.token})
    assert response.status_code == 200 and "Yes, retire it" in response.get_data(as_text=True)
    assert _fresh(shop.tag).retired_at is None
    response = client.post(f"/console/tags/{shop.tag.code}/retire",
                           data={"csrf_token": shop.token, "confirm": "yes"})
    assert response.status_code == 302
    assert _fresh(shop.tag).retired_at is not None


def test_retire_goes_back_to_the_list_page_it_came_from(client, shop):
    response = client.post(f"/console/tags/{shop.tag.code}/retire", data={
        "csrf_token": shop.token, "confirm": "yes", "back": "?sort=code&page=2"})
    assert response.headers["Location"] == "/console/tags?sort=code&page=2"
    response = client.post(f"/console/tags/{shop.second.code}/retire", data={
        "csrf_token": shop.token, "confirm": "yes", "back": "https://evil.example/"})
    assert response.headers["Location"] == "/console/tags"


def test_a_reactivated_tag_shows_its_item_and_counts_scans_again(client, shop):
    code = shop.tag.code
    client.post(f"/console/tags/{code}/retire",
                data={"csrf_token": shop.token, "confirm": "yes"})
    assert client.get(f"/t/{code}").status_code == 410
    before = _counted_scans(shop.tag)
    response = client.post(f"/console/tags/{code}/reactivate",
                           data={"csrf_token": shop.token})
    assert response.status_code == 302
    assert "is active again" in client.get("/console/tags").get_data(as_text=True)
    page = client.get(f"/T/{code}")
    assert page.status_code == 200 and "Trail Widget" in page.get_data(as_text=True)
    assert _counted_scans(shop.tag) == before + 1
    assert _fresh(shop.tag).retired_at is None


def test_the_list_offers_reactivate_for_retired_tags_only(client, shop):
    client.post(f"/console/tags/{shop.tag.code}/retire",
                data={"csrf_token": shop.token, "confirm": "yes"})
    html = client.get("/console/tags").get_data(as_text=True)
    assert f"/console/tags/{shop.tag.code}/reactivate" in html
    assert f"/console/tags/{shop.second.code}/reactivate" not in html
    assert f"/console/tags/{shop.second.code}/retire" in html


def test_retire_and_reactivate_refuse_a_missing_token_and_another_retailers_tag(client, shop):
    assert client.post(f"/console/tags/{shop.tag.code}/reactivate").status_code == 400
    for path in (f"/console/tags/{shop.rival.code}/retire",
                 f"/console/tags/{shop.rival.code}/reactivate"):
        assert client.post(path, data={"csrf_token": shop.token, "confirm": "yes"}
                           ).status_code == 404
    assert client.get(f"/console/tags/{shop.rival.code}/retire").status_code == 404
    assert _fresh(shop.rival).retired_at is None


# --- reassign -----------------------------------------------------------------------------


def test_reassign_page_searches_listings_and_the_post_keeps_its_fields(client, shop):
    page = client.get(f"/console/tags/{shop.tag.code}/reassign?q=boston")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Boston Widget" in html
    assert "Second Widget" not in html and "<select" not in html
    assert f'value="{shop.boston.listing_id}"' in html
    response = client.post(f"/console/tags/{shop.tag.code}/reassign", data={
        "csrf_token": shop.token, "listing": shop.boston.listing_id, "placement": "Aisle 9"})
    assert response.status_code == 302
    tag = _fresh(shop.tag)
    assert tag.listing_id == shop.boston.listing_id and tag.placement == "Aisle 9"


def test_reassign_pages_through_many_listings(client, shop):
    retailer = shop.tag.store.retailer
    vendor = shop.tag.listing.product.vendor
    for n in range(30):
        make_tag(retailer, shop.tag.store, vendor, name=f"Zebra {n:02d}")
    db.session.commit()
    first = client.get(f"/console/tags/{shop.tag.code}/reassign").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('type="radio"') == 20
    second = client.get(f"/console/tags/{shop.tag.code}/reassign?page=2").get_data(
        as_text=True)
    assert "Zebra 29" in second and second.count('type="radio"') == 13


def test_reassign_refuses_another_retailers_item_and_a_missing_choice(client, shop):
    response = client.post(f"/console/tags/{shop.tag.code}/reassign", data={
        "csrf_token": shop.token, "listing": shop.rival.listing_id})
    assert response.status_code == 404
    response = client.post(f"/console/tags/{shop.tag.code}/reassign",
                           data={"csrf_token": shop.token})
    assert response.status_code == 400
    assert "Choose an item" in response.get_data(as_text=True)
    assert _fresh(shop.tag).listing_id == shop.tag.listing_id
    assert client.get(f"/console/tags/{shop.rival.code}/reassign").status_code == 404


# --- bulk actions -------------------------------------------------------------------------


def _bulk(client, shop, action, codes, **extra):
    return client.post("/console/tags/bulk", data={
        "csrf_token": shop.token, "action": action, "codes": codes, **extra})


def test_bulk_retire_confirms_then_retires_every_ticked_tag(client, shop):
    codes = [shop.tag.code, shop.boston.code]
    response = _bulk(client, shop, "retire", codes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Retire 2 tags?" in html
    assert "Trail Widget" in html and "Boston Widget" in html
    assert _fresh(shop.tag).retired_at is None
    response = _bulk(client, shop, "retire", codes, confirm="yes")
    assert response.status_code == 302
    assert _fresh(shop.tag).retired_at is not None and _fresh(shop.boston).retired_at
    assert _fresh(shop.second).retired_at is None
    assert client.get(f"/t/{shop.boston.code}").status_code == 410


def test_bulk_action_with_another_retailers_code_changes_nothing(client, shop):
    codes = [shop.tag.code, shop.rival.code]
    assert _bulk(client, shop, "retire", codes, confirm="yes").status_code == 404
    assert _fresh(shop.tag).retired_at is None and _fresh(shop.rival).retired_at is None
    assert _bulk(client, shop, "move", codes, store="BOS01").status_code == 404
    assert _fresh(shop.tag).store.code == "NYC01"
    assert _bulk(client, shop, "print", codes).status_code == 404
    assert _bulk(client, shop, "retire", [shop.tag.code, "NOSUCHCODE"],
                 confirm="yes").status_code == 404
    assert _fresh(shop.tag).retired_at is None


def test_bulk_move_keeps_each_tags_item_and_refuses_another_retailers_store(client, shop):
    listing_id = shop.tag.listing_id
    response = _bulk(client, shop, "move", [shop.tag.code, shop.second.code], store="RIV01")
    assert response.status_code == 404
    assert _fresh(shop.tag).store.code == "NYC01"
    response = _bulk(client, shop, "move", [shop.tag.code, shop.second.code], store="bos01")
    assert response.status_code == 302
    tag = _fresh(shop.tag)
    assert tag.store.code == "BOS01" and tag.listing_id == listing_id and tag.code
    assert _fresh(shop.second).store.code == "BOS01"
    assert "2 tags moved to BOS01" in client.get("/console/tags").get_data(as_text=True)
    assert _bulk(client, shop, "move", [shop.tag.code]).status_code == 400


def test_bulk_print_opens_the_print_page_with_the_ticked_tags(client, shop):
    response = _bulk(client, shop, "print", [shop.tag.code, shop.boston.code])
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/console/tags/print?codes=")
    html = client.get(location).get_data(as_text=True)
    assert "Print 2 ticked tags" in html and "Second Widget" not in html
    token = csrf_token(client, location)
    pdf = client.post("/console/tags/print", data={
        "csrf_token": token, "codes": [shop.tag.code, shop.boston.code],
        "layout": "avery-5160", "action": "download"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert _fresh(shop.tag).printed_at is not None and _fresh(shop.boston).printed_at
    assert _fresh(shop.second).printed_at is None
    # The ticked tags of two stores on one shelf poster; the counter card takes no tags.
    poster = client.post("/console/tags/print", data={
        "csrf_token": token, "codes": [shop.tag.code, shop.boston.code],
        "layout": "shelf-poster-letter", "heading": "Both stores", "action": "preview"})
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"
    card = client.post("/console/tags/print", data={
        "csrf_token": token, "codes": [shop.tag.code], "layout": "counter-card",
        "action": "download"})
    assert card.status_code == 422 and b"carries no items" in card.data
    refused = client.post("/console/tags/print", data={
        "csrf_token": token, "codes": [shop.tag.code, shop.rival.code],
        "layout": "avery-5160", "action": "download"})
    assert refused.status_code == 404
    client.post(f"/console/tags/{shop.second.code}/retire",
                data={"csrf_token": token, "confirm": "yes"})
    retired = client.get(f"/console/tags/print?codes={shop.second.code}")
    assert retired.status_code == 422 and "Reactivate" in retired.get_data(as_text=True)


def test_bulk_without_ticks_or_with_an_unknown_action_says_so(client, shop):
    response = _bulk(client, shop, "retire", [])
    assert response.status_code == 302
    assert "Tick at least one tag" in client.get("/console/tags").get_data(as_text=True)
    assert _bulk(client, shop, "explode", [shop.tag.code]).status_code == 400
    assert client.post("/console/tags/bulk", data={
        "action": "retire", "codes": [shop.tag.code], "confirm": "yes"}).status_code == 400
    assert _fresh(shop.tag).retired_at is None


def test_select_all_ticks_every_row_of_the_page(client, shop):
    html = client.get("/console/tags?select=page").get_data(as_text=True)
    assert html.count('form="bulk" checked') == 3
    assert "Clear the ticks" in html


@pytest.mark.parametrize("role, links", [
    ("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
    ("vendor", {"vendor_slug": "widgetco"}),
])
def test_only_merchandisers_may_act_on_tags(app, shop, role, links):
    client = app.test_client()
    login(client, make_user(role, **links).email)
    token = csrf_token(client, "/pos" if role == "associate" else "/vendor/media")
    code = shop.tag.code
    for method, path in (("post", "/console/tags/bulk"), ("post", f"/console/tags/{code}/retire"),
                         ("get", f"/console/tags/{code}/retire"),
                         ("post", f"/console/tags/{code}/reactivate"),
                         ("get", f"/console/tags/{code}/reassign"),
                         ("post", f"/console/tags/{code}/reassign")):
        response = getattr(client, method)(path, data={
            "csrf_token": token, "action": "retire", "codes": [code], "confirm": "yes"})
        assert response.status_code == 403, (role, path)
    assert _fresh(shop.tag).retired_at is None
    assert db.session.scalar(select(func.count(Store.id))) == 3
    anonymous = app.test_client()
    assert anonymous.get(f"/console/tags/{code}/reassign").status_code == 302
