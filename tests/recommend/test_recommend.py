""""Complete the look": curated first, then co-scanned (same shopper, same day, no bots),
then same vendor; only items tagged at this store; never the item itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qrshop.extensions import db
from qrshop.recommend.services import compute, set_curated
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.services import retire_tag
from tests.factories import csrf_token, login, make_shop, make_tag, make_user, make_vendor


def _scan(tag, shopper, at, bot=False):
    db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                        retailer_id=tag.listing.retailer_id, shopper_id=shopper,
                        scanned_at=at, is_bot=bot, is_repeat=False))


def _names(recommendations):
    return [(item.name, item.reason) for item in recommendations]


def test_order_is_curated_then_co_scanned_then_same_vendor(app):
    retailer, nyc, bos, vendor, jacket = make_shop()
    other_vendor = make_vendor("othergoods")
    scarf = make_tag(retailer, nyc, other_vendor, name="Scarf")
    boots = make_tag(retailer, nyc, other_vendor, name="Boots")
    hat = make_tag(retailer, nyc, other_vendor, name="Hat")
    make_tag(retailer, nyc, vendor, name="Belt")  # same vendor as the jacket
    boston_only = make_tag(retailer, bos, other_vendor, name="Boston Only")
    gone = make_tag(retailer, nyc, other_vendor, name="Gone")
    for shopper in ("a", "b", "c"):
        db.session.add(Shopper(id=shopper, retailer_id=retailer.id))
    day = datetime.now(UTC) - timedelta(days=2)
    # Two shoppers scanned the jacket and the boots the same day; one the hat.
    for shopper in ("a", "b"):
        _scan(jacket, shopper, day)
        _scan(boots, shopper, day + timedelta(hours=1))
    _scan(jacket, "c", day)
    _scan(hat, "c", day + timedelta(minutes=5))
    _scan(gone, "c", day + timedelta(minutes=6))
    _scan(scarf, "c", day + timedelta(days=1))  # another day: not co-scanned
    _scan(scarf, None, day, bot=True)  # bots never count
    retire_tag(gone)
    set_curated(jacket.listing, [scarf.listing, boston_only.listing])
    db.session.commit()

    result = compute(jacket.listing_id, nyc.id, vendor.id)
    assert _names(result) == [("Scarf", "curated"), ("Boots", "co-scanned"),
                              ("Hat", "co-scanned"), ("Belt", "same vendor")]
    assert all(item.code != jacket.code for item in result)


def test_landing_page_links_recommendations_as_visits(client):
    retailer, nyc, bos, vendor, jacket = make_shop()
    belt = make_tag(retailer, nyc, vendor, name="Belt")
    db.session.commit()
    html = client.get(f"/t/{jacket.code}").get_data(as_text=True)
    assert "Complete the look" in html
    assert f'href="/t/{belt.code}?via=rec"' in html


def test_merchandiser_curates_picks(client):
    retailer, nyc, bos, vendor, jacket = make_shop()
    scarf = make_tag(retailer, nyc, make_vendor("x"), name="Scarf")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, f"/console/looks?listing={jacket.listing_id}")
    response = client.post("/console/looks", data={"csrf_token": token,
                                                   "listing": jacket.listing_id,
                                                   "related": [scarf.listing_id]})
    assert response.status_code == 302
    html = client.get(f"/t/{jacket.code}").get_data(as_text=True)
    assert f'href="/t/{scarf.code}?via=rec"' in html
    too_many = client.post("/console/looks", data={
        "csrf_token": token, "listing": jacket.listing_id,
        "related": [scarf.listing_id] * 5})
    assert too_many.status_code == 422
