"""The console home's first-run checklist, where each role lands, and the print page's
empty states."""

from __future__ import annotations

import re

from qrshop.accounts.models import RetailerVendor
from qrshop.content.models import ContentRevision
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_retailer, make_shop, make_store, make_user

STEPS = ("theme", "stores", "vendors", "items", "content", "tags", "scans")


def _steps(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-done="(\w+)"', html))


def test_a_new_retailer_sees_every_step_to_do_with_where_to_do_it(client):
    make_retailer("fresh")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="fresh").email)
    html = client.get("/console").get_data(as_text=True)
    assert _steps(html) == dict.fromkeys(STEPS, "no")
    assert "Getting started: 0 of 7 done" in html
    for href in ("/console/theme", "/console/listings", "/console/reviews",
                 "/console/tags/print", "/console/analytics"):
        assert f'href="{href}"' in html
    assert html.count("Ask your qrshop administrator") >= 2
    assert "No stores yet" in html


def test_checklist_links_follow_the_apps_mount_point(client):
    make_retailer("fresh")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="fresh").email)
    # Served under a prefix (a proxy's SCRIPT_NAME): every link carries it.
    html = client.get("/console", base_url="http://localhost/shop").get_data(as_text=True)
    for href in ("/console/theme", "/console/listings", "/console/reviews",
                 "/console/tags/print", "/console/analytics"):
        assert f'href="/shop{href}"' in html


def test_steps_tick_as_the_retailer_sets_up(client):
    make_shop()  # themed, stores, an item, a tag
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    steps = _steps(client.get("/console").get_data(as_text=True))
    assert steps == {"theme": "yes", "stores": "yes", "vendors": "no", "items": "yes",
                     "content": "no", "tags": "no", "scans": "no"}


def test_a_finished_retailer_sees_no_checklist(client):
    shop = make_shop()
    db.session.add(RetailerVendor(retailer_id=shop.retailer.id, vendor_id=shop.vendor.id))
    revision = ContentRevision(product_id=shop.listing.product_id, number=1,
                               slots={"title": "Trail Widget"}, submitted_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    shop.listing.live_revision_id = revision.id
    shop.tag.printed_at = utcnow()
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    assert "Getting started: 6 of 7 done" in client.get("/console").get_data(as_text=True)
    assert client.get(f"/t/{shop.tag.code}").status_code == 200  # the first scan
    html = client.get("/console").get_data(as_text=True)
    assert "data-checklist" not in html and "Getting started" not in html
    assert "NYC01" in html


def test_an_associate_lands_on_the_till_and_sees_no_checklist(client):
    make_shop()
    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    response = login(client, associate.email)
    assert response.status_code == 302 and response.headers["Location"] == "/pos"
    assert client.get("/pos").status_code == 200
    html = client.get("/console").get_data(as_text=True)
    assert "data-checklist" not in html and "BOS01" not in html and "NYC01" in html


def test_print_page_of_a_retailer_without_items_says_where_to_add_them(client):
    retailer = make_retailer("fresh")
    make_store(retailer, "NEW01")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="fresh").email)
    html = client.get("/console/tags/print").get_data(as_text=True)
    assert "No items to label yet" in html and 'href="/console/listings"' in html


def test_printing_a_store_without_active_tags_says_what_to_do_next(client):
    make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "BOS01", "layout": "avery-5160", "action": "download"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "no active tags to print" in html.lower()
    assert 'href="/console/listings"' in html and 'href="#items"' in html
    assert 'name="listings"' in html  # the items to tick are right there
