"""`qrshop demo --no-serve`: the seeded FashionTown store, idempotent."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from qrshop.extensions import db
from tests.conftest import MOBILE_SAFARI


def _row_counts():
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_seeds_the_documented_store(runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    for email in ("admin@demo.qrshop.test", "merchandiser@demo.qrshop.test",
                  "associate.atl01@demo.qrshop.test", "vendor@trailforge.demo.qrshop.test",
                  "vendor@luma.demo.qrshop.test"):
        assert email in result.output
    tags = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)
    assert len(tags) == 15 and {tag["status"] for tag in tags} == {"active"}
    assert {tag["retailer"] for tag in tags} == {"fashiontown"}
    assert tags[0]["url"] in result.output
    clt = json.loads(runner.invoke(args=["tags", "list", "--store", "CLT01", "--format",
                                         "json"]).output)
    assert clt


def test_demo_twice_changes_nothing(runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    counts = _row_counts()
    tags = runner.invoke(args=["tags", "list", "--format", "json"]).output
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts
    assert runner.invoke(args=["tags", "list", "--format", "json"]).output == tags
    # Same logins printed both times (the passwords were kept, not re-made).
    assert first.output.split("Logins")[1].split("tags in")[0] == \
        second.output.split("Logins")[1].split("tags in")[0]


def test_every_demo_tag_gives_a_branded_page(runner, client):
    runner.invoke(args=["demo", "--no-serve"])
    tags = json.loads(runner.invoke(args=["tags", "list", "--format", "json"]).output)
    for tag in tags:
        path = tag["url"].split("/T/")[1]
        response = client.get(f"/T/{path}", headers={"User-Agent": MOBILE_SAFARI})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"<h1 data-product-name>{tag['product']}</h1>" in html
        assert 'alt="FashionTown"' in html and "--primary:#7a1f3d" in html
        assert "15% off your visit" in html and "Get coupon" in html
        logo = html.split('<img src="')[1].split('"')[0]
        with client.get(logo) as logo_response:
            assert logo_response.status_code == 200
            assert logo_response.mimetype == "image/png"
            assert "immutable" in logo_response.headers["Cache-Control"]
