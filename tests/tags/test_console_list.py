"""The tag list at chain scale: pages, sorting, searching, filters, CSV, silent tags."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import (
    login,
    make_retailer,
    make_store,
    make_tag,
    make_user,
    make_vendor,
)


def _codes(html: str) -> list[str]:
    """The codes of the tag rows on a list page, in order."""
    return re.findall(r'<tr data-tag="([^"]+)"', html)


@pytest.fixture
def chain(client):
    """120 tags at two stores of one retailer: products A000..A119, some printed, every
    seventh retired; a merchandiser logged in."""
    retailer = make_retailer("acme")
    nyc, bos = make_store(retailer, "NYC01"), make_store(retailer, "BOS01")
    vendor = make_vendor()
    tags = []
    for n in range(120):
        tag = make_tag(retailer, nyc if n % 2 == 0 else bos, vendor, name=f"Item A{n:03d}",
                       placement=f"Aisle {n % 9}")
        if n % 3 == 0:
            tag.printed_at = utcnow() - timedelta(days=n)
        if n % 7 == 0:
            tag.retired_at = utcnow()
        tags.append(tag)
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    return {"tags": tags, "retailer": retailer}


def test_the_list_shows_fifty_tags_a_page_and_links_the_next(client, chain):
    html = client.get("/console/tags").get_data(as_text=True)
    assert len(_codes(html)) == 50
    assert "Tags 1–50 of 120" in html and "Page 1 of 3" in html
    assert 'href="?page=2" rel="next"' in html
    third = client.get("/console/tags?page=3").get_data(as_text=True)
    assert len(_codes(third)) == 20 and "Tags 101–120 of 120" in third
    every = set(_codes(html)) | set(_codes(client.get("/console/tags?page=2").get_data(
        as_text=True))) | set(_codes(third))
    assert every == {tag.code for tag in chain["tags"]}


def test_a_page_past_the_end_or_unreadable_shows_a_page(client, chain):
    assert "Page 3 of 3" in client.get("/console/tags?page=99").get_data(as_text=True)
    assert "Page 1 of 3" in client.get("/console/tags?page=abc").get_data(as_text=True)
    html = client.get("/console/tags?per_page=100&page=2").get_data(as_text=True)
    assert len(_codes(html)) == 20


def test_sorting_by_product_both_ways(client, chain):
    ascending = client.get("/console/tags?sort=product").get_data(as_text=True)
    by_name = sorted(chain["tags"], key=lambda tag: tag.listing.product.name)
    assert _codes(ascending) == [tag.code for tag in by_name[:50]]
    descending = client.get("/console/tags?sort=product&dir=desc").get_data(as_text=True)
    assert _codes(descending) == [tag.code for tag in by_name[::-1][:50]]
    assert 'aria-sort="descending"' in descending


def test_sorting_by_printed_puts_never_printed_last(client, chain):
    html = client.get("/console/tags?sort=printed&dir=desc&per_page=100").get_data(
        as_text=True)
    printed = sorted((tag for tag in chain["tags"] if tag.printed_at),
                     key=lambda tag: tag.printed_at, reverse=True)
    assert _codes(html)[:len(printed)] == [tag.code for tag in printed]


@pytest.mark.parametrize("sort", ["code", "store", "placement", "status", "created", "nope"])
def test_every_sort_shows_every_tag_once(client, chain, sort):
    seen = []
    for page in (1, 2, 3):
        seen += _codes(client.get(f"/console/tags?sort={sort}&page={page}").get_data(
            as_text=True))
    assert sorted(seen) == sorted(tag.code for tag in chain["tags"])


def test_status_sort_lists_active_tags_first(client, chain):
    html = client.get("/console/tags?sort=status&per_page=100&page=2").get_data(as_text=True)
    retired = {tag.code for tag in chain["tags"] if tag.retired_at}
    assert set(_codes(html)[-len(retired):]) == retired


def test_search_finds_by_product_sku_code_and_placement(client, chain):
    target = chain["tags"][42]
    for text in ("item a042", target.listing.sku, target.code.lower()):
        assert target.code in _codes(client.get(f"/console/tags?q={text}").get_data(
            as_text=True)), text
    placed = client.get("/console/tags?q=aisle 4&per_page=100").get_data(as_text=True)
    assert set(_codes(placed)) == {t.code for t in chain["tags"] if t.placement == "Aisle 4"}
    html = client.get("/console/tags?q=100%25").get_data(as_text=True)
    assert "No tags match these filters." in html


def test_filters_by_store_and_status_and_keeps_them_in_page_links(client, chain):
    html = client.get("/console/tags?store=NYC01&status=active&per_page=25").get_data(
        as_text=True)
    wanted = [t for t in chain["tags"] if t.store.code == "NYC01" and not t.retired_at]
    assert f"of {len(wanted)}" in html
    assert set(_codes(html)) <= {t.code for t in wanted}
    assert "store=NYC01&amp;status=active&amp;per_page=25&amp;page=2" in html


def test_csv_exports_every_page_with_the_filters(client, chain):
    response = client.get("/console/tags.csv?status=retired")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["code"] for row in rows} == {t.code for t in chain["tags"] if t.retired_at}
    assert {row["status"] for row in rows} == {"retired"}
    assert all(row["retired_at"] for row in rows)
    every = client.get("/console/tags.csv").get_data(as_text=True)
    assert len(every.strip().splitlines()) == 121


def test_the_list_names_tags_possibly_missing_from_the_shelf(client, chain):
    tags = chain["tags"]
    old = utcnow() - timedelta(days=30)
    for tag in tags:
        tag.created_at = old
    db.session.execute(insert(Scan), [
        {"tag_id": tag.id, "listing_id": tag.listing_id, "store_id": tag.store_id,
         "retailer_id": chain["retailer"].id, "shopper_id": f"s{tag.id}",
         "scanned_at": utcnow() - timedelta(days=1), "is_bot": False, "is_repeat": False}
        for tag in tags if tag is not tags[1]])
    db.session.commit()
    html = client.get("/console/tags?page=2").get_data(as_text=True)
    assert "Possibly missing from the shelf" in html
    assert f"<strong>{tags[1].code}</strong>" in html
    assert "1 active tag with no scans for 14 days" in html


def test_the_list_builds_only_the_silent_tags_it_shows_but_counts_them_all(client, chain):
    from qrshop.analytics import services

    tags = chain["tags"]
    for tag in tags:
        tag.created_at = utcnow() - timedelta(days=30)
    db.session.execute(insert(Scan), [{  # one recent scan: NYC01 is busy, its other tags silent
        "tag_id": tags[0].id, "listing_id": tags[0].listing_id, "store_id": tags[0].store_id,
        "retailer_id": chain["retailer"].id, "shopper_id": "s0",
        "scanned_at": utcnow() - timedelta(days=1), "is_bot": False, "is_repeat": False}])
    db.session.commit()
    stores = [tags[0].store]
    expected = sum(1 for tag in tags[1:] if tag.store_id == tags[0].store_id
                   and tag.retired_at is None)
    assert services.silent_tag_count(stores, utcnow()) == expected > 20
    first = services.silent_tags(stores, utcnow(), limit=20)
    assert first == services.silent_tags(stores, utcnow())[:20]
    html = client.get("/console/tags").get_data(as_text=True)
    assert f"{expected} active tags with no scans for 14 days" in html
    assert "(the first 20 below)" in html
    silent_csv = client.get("/console/analytics/silent.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(silent_csv)))) == expected


def test_a_page_stays_small_whatever_the_number_of_listings(client, chain):
    html = client.get("/console/tags").get_data(as_text=True)
    longer = client.get("/console/tags?per_page=100").get_data(as_text=True)
    # No dropdown of every item per row (the page that used to weigh 36 MB).
    assert html.count("<option") == longer.count("<option") < 40
    assert len(html.encode()) < 80_000


def test_a_new_retailer_is_told_how_to_make_its_first_tags(client):
    make_retailer("fresh")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="fresh").email)
    html = client.get("/console/tags").get_data(as_text=True)
    assert "No tags yet" in html
    assert 'href="/console/tags/print"' in html and 'href="/console/listings"' in html


def test_another_retailers_tags_never_show(client, chain):
    rival = make_retailer("rival")
    rival_tag = make_tag(rival, make_store(rival, "RIV01"), make_vendor("rv"), name="Rival")
    db.session.commit()
    html = client.get(f"/console/tags?q={rival_tag.code}").get_data(as_text=True)
    assert _codes(html) == [] and "No tags match these filters." in html
    assert client.get("/console/tags?store=RIV01").status_code == 404


@pytest.mark.parametrize("query", [
    "page=-3", "page=99999999999999999999999", "per_page=0", "per_page=100000", "sort=%00",
    "dir=sideways", "status=lost", "q=" + "x" * 5000, "q=%25%5F%5C", "select=everything",
])
def test_odd_list_queries_still_show_a_page(client, chain, query):
    response = client.get(f"/console/tags?{query}")
    assert response.status_code == 200
    assert client.get(f"/console/tags.csv?{query}").status_code == 200


@pytest.mark.parametrize("path", [
    "/console/tags?store=NOPE", "/console/tags/" + "A" * 40 + "/retire",
    "/console/tags/%E2%9C%93/reassign", "/console/tags/print?codes=" + "Z" * 40,
])
def test_odd_codes_and_stores_answer_404(client, chain, path):
    assert client.get(path).status_code == 404
