"""The demo store shows approved vendor content in all four templates."""

from __future__ import annotations

import json

from sqlalchemy import select

from qrshop.catalog.models import Listing
from qrshop.extensions import db


def test_demo_pages_show_approved_content_across_templates(runner, client):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    listings = db.session.scalars(select(Listing)).all()
    assert all(listing.live_revision_id for listing in listings)
    assert {listing.template or "spotlight" for listing in listings} == {
        "spotlight", "story", "specs", "look"}
    tags = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)
    html = client.get("/T/" + tags[0]["url"].split("/T/")[1]).get_data(as_text=True)
    assert 'type="image/webp"' in html and "made for every day" in html
