"""A discontinued listing gets no new tag: a tag made afterwards would scan as live."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.catalog.listings import discontinue_listing
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.tags.models import Tag
from qrshop.tags.services import create_tag
from tests.factories import (
    csrf_token,
    login,
    make_retailer,
    make_store,
    make_tag,
    make_user,
    make_vendor,
)


@pytest.fixture
def discontinued(app):
    """Acme's NYC01 with one tagged listing, discontinued; returns that listing."""
    retailer = make_retailer("acme")
    store = make_store(retailer, "NYC01")
    tag = make_tag(retailer, store, make_vendor("widgetco"), name="Old Widget")
    discontinue_listing(tag.listing, None)
    db.session.commit()
    return tag.listing


def _tag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Tag))


def test_create_tag_refuses_a_discontinued_listing(discontinued):
    with pytest.raises(InvalidInput, match="is discontinued"):
        create_tag(discontinued, discontinued.retailer.stores[0], "Aisle 9")


def test_cli_print_refuses_a_discontinued_sku_and_creates_nothing(runner, discontinued,
                                                                  tmp_path):
    before, out = _tag_count(), tmp_path / "never.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--sku", discontinued.sku,
                                 "--placement", "New spot", "--layout", "avery-5160",
                                 "--out", str(out)])
    assert result.exit_code == 1
    assert f"Discontinued at Acme: {discontinued.sku}." in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and _tag_count() == before


def test_print_page_refuses_a_discontinued_item_with_a_message(client, discontinued):
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    page = client.get("/console/tags/print").get_data(as_text=True)
    assert discontinued.sku not in page  # not offered
    before = _tag_count()
    response = client.post("/console/tags/print", data={
        "csrf_token": csrf_token(client, "/console/tags/print"), "store": "NYC01",
        "listings": [discontinued.id], "placement": "New spot", "layout": "avery-5160",
        "action": "download"})
    assert response.status_code == 422
    assert f"Discontinued at Acme: {discontinued.sku}." in response.get_data(as_text=True)
    assert _tag_count() == before


def test_a_tag_cannot_be_moved_onto_or_reactivated_for_a_discontinued_item(client, discontinued):
    retailer, store = discontinued.retailer, discontinued.retailer.stores[0]
    live_tag = make_tag(retailer, store, make_vendor("otherco"), name="Live Widget")
    db.session.commit()
    # Its tag was retired when the listing was discontinued.
    retired_code = db.session.scalar(select(Tag.code).where(Tag.listing_id == discontinued.id))
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/tags")
    moved = client.post(f"/console/tags/{live_tag.code}/reassign", data={
        "csrf_token": token, "listing": discontinued.id})
    assert moved.status_code == 422
    assert f"Listing {discontinued.sku} is discontinued" in moved.get_data(as_text=True)
    again = client.post(f"/console/tags/{retired_code}/reactivate", data={"csrf_token": token})
    assert again.status_code == 422
    assert "carry it again before giving it a tag" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tag, live_tag.id).listing_id == live_tag.listing_id
    assert client.get(f"/t/{retired_code}").status_code == 410
