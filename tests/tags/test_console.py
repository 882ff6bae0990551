"""The merchandiser's tag pages: list, search, CSV, retire, reassign, print."""

from __future__ import annotations

import csv
import io

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.tags.models import Tag
from tests.conftest import BASE_URL
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


@pytest.fixture
def shop(client):
    base = make_shop()
    second = make_tag(base.retailer, base.store, base.vendor, name="Second Widget")
    boston = make_tag(base.retailer, base.other_store, base.vendor, name="Boston Widget")
    db.session.commit()
    merch = make_user("merchandiser", retailer_slug="acme")
    login(client, merch.email)
    return {"tag": base.tag, "second": second, "boston": boston, "store": base.store}


def test_tag_list_searches_and_filters(client, shop):
    html = client.get("/console/tags").get_data(as_text=True)
    assert shop["tag"].code in html and "Boston Widget" in html
    html = client.get("/console/tags?store=NYC01&q=second").get_data(as_text=True)
    assert "<td>Second Widget</td>" in html
    assert "<td>Trail Widget</td>" not in html and "<td>Boston Widget</td>" not in html


def test_tag_list_exports_csv(client, shop):
    response = client.get("/console/tags.csv?store=NYC01")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert {row["code"] for row in rows} == {shop["tag"].code, shop["second"].code}
    assert rows[0]["url"].startswith(BASE_URL.upper() + "/T/")


def test_retire_then_the_tag_answers_410(client, shop):
    token = csrf_token(client, "/console/tags")
    response = client.post(f"/console/tags/{shop['tag'].code}/retire",
                           data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 302
    assert client.get(f"/t/{shop['tag'].code}").status_code == 410
    assert client.post(f"/console/tags/{shop['second'].code}/retire").status_code == 400


def test_reassign_points_the_tag_at_another_item(client, shop):
    token = csrf_token(client, "/console/tags")
    target = shop["boston"].listing
    response = client.post(f"/console/tags/{shop['tag'].code}/reassign",
                           data={"csrf_token": token, "listing": target.id,
                                 "placement": "Aisle 9"})
    assert response.status_code == 302
    page = client.get(f"/t/{shop['tag'].code}").get_data(as_text=True)
    assert "Boston Widget" in page
    db.session.expire_all()
    assert db.session.get(Tag, shop["tag"].id).placement == "Aisle 9"


def test_preview_does_not_mark_printed_and_download_does(client, shop):
    token = csrf_token(client, "/console/tags/print")
    data = {"csrf_token": token, "store": "NYC01", "listings": [shop["tag"].listing_id],
            "layout": "avery-5160", "offset_x": "0", "offset_y": "0"}
    preview = client.post("/console/tags/print", data={**data, "action": "preview"})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline")
    db.session.expire_all()
    assert db.session.get(Tag, shop["tag"].id).printed_at is None
    download = client.post("/console/tags/print", data={**data, "action": "download"})
    assert download.headers["Content-Disposition"].startswith("attachment")
    image = pypdfium2.PdfDocument(download.data)[0].render(scale=300 / 72).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [
        f"{BASE_URL.upper()}/T/{shop['tag'].code}"]
    db.session.expire_all()
    assert db.session.get(Tag, shop["tag"].id).printed_at is not None


def test_printing_for_a_new_placement_creates_tags_once(client, shop):
    token = csrf_token(client, "/console/tags/print")
    data = {"csrf_token": token, "store": "NYC01", "listings": [shop["tag"].listing_id],
            "placement": "Fitting room", "layout": "square-1.5in", "action": "download"}
    before = db.session.scalar(select(func.count()).select_from(Tag))
    assert client.post("/console/tags/print", data=data).status_code == 200
    assert client.post("/console/tags/print", data=data).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Tag)) == before + 1


def test_print_refuses_another_retailers_items_and_creates_nothing(client, shop):
    rival = make_retailer("rival")
    rival_tag = make_tag(rival, make_store(rival, "RIV01"), make_vendor("rv"), name="Rival")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Tag))
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "NYC01", "listings": [rival_tag.listing_id],
        "layout": "avery-5160", "placement": "New", "action": "download"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Tag)) == before
    assert client.post(f"/console/tags/{rival_tag.code}/retire",
                       data={"csrf_token": token}).status_code == 404


def test_only_merchandisers_reach_the_tag_pages(app, shop):
    for role, links in (("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"})):
        client = app.test_client()
        login(client, make_user(role, **links).email)
        for path in ("/console/tags", "/console/tags.csv", "/console/tags/print"):
            assert client.get(path).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/console/tags").status_code == 302
