"""/console/feedback: 50 items a page, search by product name or SKU, an empty state."""

from __future__ import annotations

import re

from sqlalchemy import insert

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.feedback.models import Feedback
from qrshop.shopper.models import Shopper
from tests.factories import login, make_many_listings, make_shop, make_user
from tests.helpers import new_phone


def _merchandiser(app):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    return staff


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-listing="(\d+)"', html)


def _feedback_on(retailer, listing_ids, comments_each=7):
    """Every listing gets comments_each shoppers' stars and comments."""
    now, shoppers, answers = utcnow(), [], []
    for listing_id in listing_ids:
        for n in range(comments_each):
            shopper_id = f"s{listing_id}x{n}"
            shoppers.append({"id": shopper_id, "retailer_id": retailer.id, "created_at": now})
            answers.append({"shopper_id": shopper_id, "listing_id": listing_id, "rating": 4,
                            "comment": f"Comment {n} on {listing_id}", "created_at": now,
                            "updated_at": now})
    db.session.execute(insert(Shopper), shoppers)
    db.session.execute(insert(Feedback), answers)
    db.session.commit()


def test_feedback_comes_50_items_a_page_with_the_latest_five_comments(app):
    shop = make_shop()
    ids = make_many_listings(shop.retailer, shop.vendor, 130)
    _feedback_on(shop.retailer, ids[:120])
    staff = _merchandiser(app)
    first = staff.get("/console/feedback").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "Items with feedback 1–50 of 120." in first
    assert 'href="/console/feedback?page=2"' in first
    assert first.count(f"on {ids[0]}”") == 5  # 7 comments, the latest 5 shown
    third = staff.get("/console/feedback?page=3").get_data(as_text=True)
    assert len(_rows(third)) == 20 and "<td>7</td><td>4.0</td>" in third


def test_feedback_is_found_by_product_name_or_sku(app):
    shop = make_shop()
    ids = make_many_listings(shop.retailer, shop.vendor, 60)
    _feedback_on(shop.retailer, ids + [shop.tag.listing_id], comments_each=1)
    staff = _merchandiser(app)
    found = staff.get("/console/feedback?q=Trail").get_data(as_text=True)
    assert _rows(found) == [str(shop.tag.listing_id)]
    sku = found.split(f'<tr data-listing="{shop.tag.listing_id}"><td>Trail Widget</td><td>')[1]
    assert _rows(staff.get(f"/console/feedback?q={sku.split('<')[0]}").get_data(
        as_text=True)) == [str(shop.tag.listing_id)]
    second = staff.get("/console/feedback?q=item&page=2").get_data(as_text=True)
    assert "Items with feedback 51–60 of 60 matching “item”." in second


def test_no_feedback_yet_says_where_it_comes_from(app):
    make_shop()
    html = _merchandiser(app).get("/console/feedback").get_data(as_text=True)
    assert "No feedback yet. Shoppers rate an item and comment from its landing page" in html
    assert 'href="/console/tags"' in html
