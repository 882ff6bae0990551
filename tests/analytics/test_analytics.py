"""Analytics agree with the raw events: bots, repeats and orphans never inflate scans."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from qrshop.accounts.services import create_api_token
from qrshop.analytics import services
from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper
from tests.factories import (
    login,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
    make_vendor,
)

NOV = date(2026, 11, 1)


def _shopper(retailer, sid):
    db.session.add(Shopper(id=sid, retailer_id=retailer.id))
    return sid


def _scan(tag, at, shopper=None, *, bot=False, repeat=False):
    db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                        retailer_id=tag.listing.retailer_id, shopper_id=shopper, scanned_at=at,
                        is_bot=bot, bot_reason="crawler" if bot else None, is_repeat=repeat))


@pytest.fixture
def shop(app):
    """Acme with NYC01 (New York) and BOS01; a LA store; known scans in November 2026."""
    base = make_shop()
    scarf = make_tag(base.retailer, base.store, base.vendor, name="Scarf")
    boston_jacket = make_tag(base.retailer, base.other_store, base.vendor, name="Boston Jacket")
    la = make_store(base.retailer, "LAX01", timezone="America/Los_Angeles")
    la_tag = make_tag(base.retailer, la, base.vendor, name="LA Hat")
    a, b, c = (_shopper(base.retailer, s) for s in ("shopper-a", "shopper-b", "shopper-c"))
    at = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York
    _scan(base.tag, at, a)
    _scan(base.tag, at + timedelta(minutes=5), a, repeat=True)
    _scan(base.tag, at + timedelta(hours=1), b)
    _scan(base.tag, at + timedelta(hours=2), None, bot=True)       # a link preview
    _scan(base.tag, at + timedelta(hours=2), None, bot=True)
    _scan(scarf, at, c)
    _scan(boston_jacket, at, a)
    # 23:30 on 9 November in Los Angeles, already 10 November in UTC.
    _scan(la_tag, datetime(2026, 11, 10, 7, 30, tzinfo=UTC), b)
    db.session.add(Scan(orphan_code="ZZZZ2222", scanned_at=at, is_bot=False, is_repeat=False))
    db.session.add(Scan(orphan_code="ZZZZ2222", scanned_at=at, is_bot=False, is_repeat=False))
    db.session.add(Scan(orphan_code="BOTCODE", scanned_at=at, is_bot=True, is_repeat=False))
    db.session.commit()
    return {"retailer": base.retailer, "nyc": base.store, "bos": base.other_store, "la": la,
            "jacket": base.tag, "scarf": scarf, "la_tag": la_tag, "vendor": base.vendor}


def _by_product(rows):
    return {row.product: row for row in rows}


def test_listing_figures_match_the_raw_scans(shop):
    window = services.Window(NOV, date(2026, 11, 30))
    rows = _by_product(services.listing_figures(shop["retailer"], [shop["nyc"]], window))
    jacket = rows["Trail Widget"]
    assert (jacket.scans, jacket.repeat_scans, jacket.unique_shoppers) == (3, 1, 2)
    assert (rows["Scarf"].scans, rows["Scarf"].unique_shoppers) == (1, 1)
    assert "Boston Jacket" not in rows  # tagged only in BOS01


def test_days_follow_each_stores_time_zone(shop):
    la_only = services.Window(date(2026, 11, 9), date(2026, 11, 9))
    rows = _by_product(services.listing_figures(shop["retailer"], [shop["la"]], la_only))
    assert rows["LA Hat"].scans == 1
    series = services.scan_time_series([shop["la"]], services.Window(NOV, date(2026, 11, 30)))
    assert series.per_day[date(2026, 11, 9)] == 1 and series.per_day[date(2026, 11, 10)] == 0
    assert series.per_hour[23] == 1
    ny = services.scan_time_series([shop["nyc"]], services.Window(NOV, date(2026, 11, 30)))
    assert ny.per_day[date(2026, 11, 10)] == 4
    assert ny.per_hour[10] == 3 and ny.per_hour[11] == 1  # bots at 12:00 not counted


def test_store_comparison_and_orphans(shop):
    window = services.Window(NOV, date(2026, 11, 30))
    per_store = {row["store"]: row for row in services.store_comparison(
        [shop["nyc"], shop["bos"], shop["la"]], window)}
    assert per_store["NYC01"]["scans"] == 4 and per_store["NYC01"]["unique_shoppers"] == 3
    assert per_store["BOS01"]["scans"] == 1 and per_store["LAX01"]["scans"] == 1
    total, top = services.orphan_scans(window)
    assert total == 2 and top == [("ZZZZ2222", 2)]


def test_silent_tags_are_the_active_unscanned_ones_at_busy_stores(shop):
    now = datetime(2026, 11, 20, tzinfo=UTC)
    for tag in (shop["jacket"], shop["scarf"], shop["la_tag"]):
        tag.created_at = datetime(2026, 10, 1, tzinfo=UTC)
    db.session.commit()
    silent = services.silent_tags([shop["nyc"], shop["la"]], now)
    assert silent == []  # both NYC tags were scanned within 14 days
    later = datetime(2026, 11, 30, tzinfo=UTC)
    _scan(shop["jacket"], datetime(2026, 11, 29, tzinfo=UTC), "shopper-a")
    db.session.commit()
    silent = services.silent_tags([shop["nyc"], shop["la"]], later)
    assert [row["product"] for row in silent] == ["Scarf"]  # LAX01 had no scans: not busy


def test_bad_ranges_are_refused():
    today = date(2026, 11, 22)
    assert services.parse_window(None, None, today) == services.Window(
        date(2026, 10, 24), today)
    for raw_from, raw_to, message in [("2026-13-01", None, "year-month-day"),
                                      ("2026-11-10", "2026-11-01", "after the end"),
                                      ("2020-01-01", "2026-01-01", "at most 366 days"),
                                      ("9999-12-31", "9999-12-31", "between 2000-01-01"),
                                      ("0001-01-01", "0001-01-02", "between 2000-01-01")]:
        with pytest.raises(services.InvalidInput, match=message):
            services.parse_window(raw_from, raw_to, today)


def test_dates_at_the_edges_of_the_calendar_are_refused_not_overflowed():
    today = date(2026, 11, 22)
    for raw_from, raw_to in [(None, "0001-01-01"), ("9999-12-31", None),
                             ("0001-01-01", None), (None, "9999-12-31")]:
        with pytest.raises(services.InvalidInput, match="between 2000-01-01"):
            services.parse_window(raw_from, raw_to, today)


def test_out_of_range_dates_answer_422_on_the_api_and_the_dashboard(client, shop):
    merch = make_user("merchandiser", retailer_slug="acme")
    token = create_api_token(merch, "bi")[1]
    db.session.commit()
    login(client, merch.email)
    for query in ("to=0001-01-01", "from=9999-12-31", "from=0001-01-01", "to=9999-12-31"):
        api = client.get(f"/api/v1/analytics/listings?{query}",
                         headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 422, query
        assert "between 2000-01-01 and 2099-12-31" in api.get_json()["message"]
        page = client.get(f"/console/analytics?{query}")
        assert page.status_code == 422, query
        assert "between 2000-01-01 and 2099-12-31" in page.get_data(as_text=True)
        assert client.get(f"/console/analytics/listings.csv?{query}").status_code == 422


def test_dashboard_shows_the_figures_and_exports_csv(client, shop):
    merch = make_user("merchandiser", retailer_slug="acme")
    login(client, merch.email)
    page = client.get("/console/analytics?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Trail Widget" in html and "ZZZZ2222" in html
    assert "<script" not in html
    response = client.get("/console/analytics/listings.csv?from=2026-11-01&to=2026-11-30"
                          "&store=NYC01")
    assert response.mimetype == "text/csv"
    rows = {row["product"]: row for row in csv.DictReader(io.StringIO(response.get_data(
        as_text=True)))}
    assert rows["Trail Widget"]["scans"] == "3" and rows["Trail Widget"]["repeat_scans"] == "1"
    for table in ("stores", "days", "hours", "silent", "orphans"):
        assert client.get(f"/console/analytics/{table}.csv").status_code == 200
    assert client.get("/console/analytics/nope.csv").status_code == 404
    assert client.get("/console/analytics?from=garbage").status_code == 422
    assert client.get("/console/analytics?store=NOPE").status_code == 404


def test_api_listings_returns_integer_fields(client, shop):
    merch = make_user("merchandiser", retailer_slug="acme")
    token = create_api_token(merch, "bi")[1]
    db.session.commit()
    response = client.get("/api/v1/analytics/listings?store=NYC01&from=2026-11-01&to=2026-11-30",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    jacket = next(row for row in body["listings"] if row["product"] == "Trail Widget")
    for key in ("scans", "repeat_scans", "unique_shoppers", "wishlist_adds", "coupons_claimed",
                "coupons_redeemed", "sales_cents"):
        assert isinstance(jacket[key], int)
    assert (jacket["scans"], jacket["repeat_scans"], jacket["unique_shoppers"]) == (3, 1, 2)
    bad = client.get("/api/v1/analytics/listings?from=nope",
                     headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_input"


def test_retailers_see_only_their_own_data(client, shop):
    other = make_retailer("rival")
    make_store(other, "RIV01")
    rival = make_user("merchandiser", retailer_slug="rival")
    token = create_api_token(rival, "bi")[1]
    db.session.commit()
    body = client.get("/api/v1/analytics/listings?from=2026-11-01&to=2026-11-30",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["listings"] == []
    missing = client.get("/api/v1/analytics/listings?store=NYC01",
                         headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404
    login(client, rival.email)
    html = client.get("/console/analytics?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "Trail Widget" not in html


def test_associate_api_is_limited_to_their_store(client, shop):
    associate = make_user("associate", retailer_slug="acme", store_code="BOS01")
    token = create_api_token(associate, "till")[1]
    db.session.commit()
    body = client.get("/api/v1/analytics/listings?from=2026-11-01&to=2026-11-30",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [row["product"] for row in body["listings"]] == ["Boston Jacket"]
    assert client.get("/console/analytics").status_code in (302, 403)


def test_vendor_sees_own_products_per_retailer_without_shoppers(client, shop):
    vendor_user = make_user("vendor", vendor_slug="widgetco")
    other_vendor = make_vendor("rivalgoods")
    make_tag(shop["retailer"], shop["nyc"], other_vendor, name="Rival Thing")
    db.session.commit()
    login(client, vendor_user.email)
    html = client.get("/vendor/analytics?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "Trail Widget" in html and "Rival Thing" not in html
    assert "shopper-a" not in html
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/vendor/analytics.csv?from=2026-11-01&to=2026-11-30").get_data(as_text=True))))
    jacket = next(row for row in rows if row["product"] == "Trail Widget")
    assert jacket["retailer"] == "Acme" and jacket["scans"] == "3"
    assert not any("shopper" in key and key != "unique_shoppers" for key in rows[0])
    assert client.get("/console/analytics").status_code == 403


def test_engagement_figures_follow_real_shopper_actions(app, client):
    """Two phones scan; one saves and claims; the till redeems: the dashboard agrees."""
    from qrshop.db import utcnow
    from tests.helpers import claim_coupon, form_fields, make_offer, new_phone

    shop = make_shop()
    make_offer(shop.retailer)
    first, second = new_phone(app), new_phone(app)
    html = first.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    first.post(f"/t/{shop.tag.code}/save", data={**form_fields(html, f"/t/{shop.tag.code}/save"),
                                                 "action": "save"})
    code = claim_coupon(first, shop.tag)
    second.get(f"/t/{shop.tag.code}")
    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    token = create_api_token(associate, "till")[1]
    db.session.commit()
    response = client.post("/api/v1/redemptions", headers={"Authorization": f"Bearer {token}"},
                           json={"code": code, "store": "NYC01", "sale_amount_cents": 4999})
    assert response.status_code == 201, response.get_data(as_text=True)

    today = utcnow().astimezone(services.ZoneInfo("America/New_York")).date()
    window = services.Window(today - timedelta(days=1), today)
    [row] = services.listing_figures(shop.retailer, [shop.store], window)
    # The first phone opened the page twice (once more before tapping "Get coupon").
    assert (row.scans, row.repeat_scans, row.unique_shoppers) == (3, 1, 2)
    assert (row.wishlist_adds, row.coupons_claimed, row.coupons_redeemed, row.sales_cents) == (
        1, 1, 1, 4999)
    assert row.conversion == pytest.approx(1 / row.scans)
    assert services.funnel([row]) == [("Scans", row.scans), ("Saved or claimed", 2),
                                      ("Redeemed", 1)]
    # Nothing happened in Boston.
    assert services.listing_figures(shop.retailer, [shop.other_store], window) == []
