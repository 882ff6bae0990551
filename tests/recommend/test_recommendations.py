"""Complete the look: curated items first, then co-scans, then the same vendor's items."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, func, select

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.recommend.services import refresh_co_scans
from qrshop.shopper.models import Scan
from qrshop.shopper.services import new_shopper
from qrshop.tags.services import create_tag
from tests.factories import login, make_shop, make_tag, make_user, make_vendor
from tests.helpers import form_fields, new_phone


def _scan(tag, shopper_id, at, *, is_bot=False):
    db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                        retailer_id=tag.listing.retailer_id, shopper_id=shopper_id,
                        scanned_at=at, is_bot=is_bot, is_repeat=False))


def _shown(client, tag) -> list[str]:
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    return re.findall(r'<a href="/t/([A-Z0-9]+)\?via=rec" data-rec', html)


def _curate(app, main, *picks):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    path = f"/console/items/{main.listing_id}/look"
    fields = form_fields(staff.get(path).get_data(as_text=True), path)
    return staff.post(path, data={**fields, "recommended": [str(t.listing_id) for t in picks]})


def _catalogue():
    """Items around one main item in NYC01, with scans of known shoppers."""
    shop = make_shop()
    luma = make_vendor("luma")
    tags = {
        "curated": make_tag(shop.retailer, shop.store, luma, name="Curated Scarf"),
        "curated_elsewhere": make_tag(shop.retailer, shop.other_store, luma,
                                      name="Boston Only Hat"),
        "co2": make_tag(shop.retailer, shop.store, luma, name="Popular Belt"),
        "co1": make_tag(shop.retailer, shop.store, luma, name="Also Socks"),
        "other_day": make_tag(shop.retailer, shop.store, luma, name="Next Day Gloves"),
        "bot_only": make_tag(shop.retailer, shop.store, luma, name="Bot Bag"),
        "vendor": make_tag(shop.retailer, shop.store, shop.vendor, name="Trail Bottle"),
        "vendor_elsewhere": make_tag(shop.retailer, shop.other_store, shop.vendor,
                                     name="Trail Tent"),
        "retired": make_tag(shop.retailer, shop.store, shop.vendor, name="Old Trail Cap"),
    }
    tags["retired"].retired_at = utcnow()
    # The Boston-only items are also tagged in NYC01 but retired there: still not carried.
    create_tag(tags["vendor_elsewhere"].listing, shop.store, "Back room").retired_at = utcnow()
    morning = utcnow().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=2)
    ann, bob, cat = (new_shopper(shop.retailer.id) for _ in range(3))
    for shopper in (ann, bob):
        _scan(shop.tag, shopper, morning)
        _scan(tags["co2"], shopper, morning + timedelta(hours=3))
    _scan(shop.tag, cat, morning)
    _scan(tags["co1"], cat, morning + timedelta(hours=1))
    _scan(tags["other_day"], cat, morning + timedelta(days=1))
    _scan(tags["bot_only"], cat, morning + timedelta(minutes=5), is_bot=True)
    _scan(tags["curated_elsewhere"], ann, morning)
    db.session.commit()
    # The hourly job: co-scans are counted off the scan path.
    assert refresh_co_scans() > 0
    db.session.commit()
    return shop.tag, tags


def test_curated_then_co_scanned_then_same_vendor_only_items_carried_here(app, client):
    main, tags = _catalogue()
    assert _curate(app, main, tags["curated"], tags["curated_elsewhere"]).status_code == 303
    shown = _shown(client, main)
    assert shown == [tags[name].code for name in ("curated", "co2", "co1", "vendor")]
    html = client.get(f"/t/{main.code}?via=test").get_data(as_text=True)
    assert "Complete the look" in html and "Curated Scarf" in html and "Bot Bag" not in html


def test_without_curation_co_scans_come_first_and_bots_and_other_days_never(app, client):
    main, tags = _catalogue()
    shown = _shown(client, main)
    assert shown == [tags[name].code for name in ("co2", "co1", "vendor")]


def test_following_a_recommendation_is_a_visit_not_a_shelf_scan(app, client):
    main, tags = _catalogue()
    (first, *_) = _shown(client, main)
    before = db.session.scalar(select(func.count()).select_from(Scan))
    assert client.get(f"/t/{first}?via=rec").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Scan)) == before


def test_curating_shows_at_once_and_stays_cheap_on_the_scan_path(app, client):
    main, tags = _catalogue()
    assert _shown(client, main)[0] == tags["co2"].code  # now cached
    _curate(app, main, tags["vendor"])
    assert _shown(client, main)[0] == tags["vendor"].code
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        _shown(client, main)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements and not any("curated_recommendations" in sql for sql in statements)


def test_curation_is_checked_and_limited_to_the_retailer(app, client):
    main, tags = _catalogue()
    response = _curate(app, main, main)
    assert response.status_code == 422
    assert "cannot complete its own look" in response.get_data(as_text=True)
    associate = new_phone(app)
    login(associate, make_user("associate", retailer_slug="acme", store_code="NYC01").email)
    assert associate.get(f"/console/items/{main.listing_id}/look").status_code == 403
