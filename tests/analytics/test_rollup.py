"""Daily rollups plus today's live scans give exactly what counting the raw scan log gives."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qrshop.analytics import rollup, services
from qrshop.analytics.models import ScanDayRollup, ScanRollupProgress
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan, Shopper
from tests.factories import make_shop, make_store, make_tag

NEW_YORK, LOS_ANGELES = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")


def _scan(tag, at, shopper=None, *, bot=False, repeat=False):
    db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                        retailer_id=tag.listing.retailer_id, shopper_id=shopper, scanned_at=at,
                        is_bot=bot, bot_reason="crawler" if bot else None, is_repeat=repeat))


def _local(zone, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def _raw(stores, window):
    """The figures counted straight from the scan log, the slow obvious way."""
    zones = {store.id: ZoneInfo(store.timezone) for store in stores}
    scans = Counter()
    repeats = Counter()
    shoppers: dict[int, set] = {}
    per_store: dict[int, set] = {store.id: set() for store in stores}
    per_day, per_hour = Counter(), Counter()
    for scan in db.session.scalars(select(Scan).where(Scan.store_id.in_(zones))):
        local = scan.scanned_at.astimezone(zones[scan.store_id])
        if scan.is_bot or not window.start <= local.date() <= window.end:
            continue
        scans[scan.listing_id] += 1
        repeats[scan.listing_id] += scan.is_repeat
        per_day[local.date()] += 1
        per_hour[local.hour] += 1
        if scan.shopper_id:
            shoppers.setdefault(scan.listing_id, set()).add(scan.shopper_id)
            per_store[scan.store_id].add(scan.shopper_id)
    return scans, repeats, shoppers, per_store, per_day, per_hour


def _assert_matches_raw(retailer, stores, window):
    scans, repeats, shoppers, per_store, per_day, per_hour = _raw(stores, window)
    totals = services.scan_totals(stores, window)
    rows = services.listing_figures(retailer, stores, window, totals=totals)
    assert rows, "the scenario has listings"
    for row in rows:
        assert (row.scans, row.repeat_scans, row.unique_shoppers) == (
            scans[row.listing_id], repeats[row.listing_id],
            len(shoppers.get(row.listing_id, ())))
    series = services.scan_time_series(stores, window, totals=totals)
    assert series.per_day == {day: per_day[day] for day in window.days}
    assert series.per_hour == [per_hour[hour] for hour in range(24)]
    by_store = {row["store"]: row for row in services.store_comparison(stores, window,
                                                                       totals=totals)}
    for store in stores:
        assert by_store[store.code]["unique_shoppers"] == len(per_store[store.id])
    return rows


@pytest.fixture
def scene(app):
    """A New York and a Los Angeles store; scans 20 days ago, 5 days ago, and today."""
    shop = make_shop()
    scarf = make_tag(shop.retailer, shop.store, shop.vendor, name="Scarf")
    la = make_store(shop.retailer, "LAX01", timezone="America/Los_Angeles")
    la_jacket_tag = make_tag(shop.retailer, la, shop.vendor, name="LA Hat")
    for sid in ("s1", "s2", "s3", "s4"):
        db.session.add(Shopper(id=sid, retailer_id=shop.retailer.id))
    today = utcnow().astimezone(NEW_YORK).date()
    past, recent = today - timedelta(days=20), today - timedelta(days=5)
    _scan(shop.tag, _local(NEW_YORK, past, 0, 0), "s1")            # first instant of the day
    _scan(shop.tag, _local(NEW_YORK, past, 0, 10), "s1", repeat=True)
    _scan(shop.tag, _local(NEW_YORK, past, 23, 59), "s2")          # last minute of the day
    _scan(shop.tag, _local(NEW_YORK, past, 12), None, bot=True)
    _scan(scarf, _local(NEW_YORK, recent, 9), "s1")
    _scan(scarf, _local(NEW_YORK, recent, 9, 5), None)           # a person without a cookie
    _scan(shop.tag, _local(NEW_YORK, recent, 18), "s3")
    # 23:30 in Los Angeles: already the next day in UTC and in New York.
    _scan(la_jacket_tag, _local(LOS_ANGELES, recent, 23, 30), "s2")
    _scan(shop.tag, utcnow() - timedelta(seconds=30), "s1")        # today: read live
    _scan(shop.tag, utcnow() - timedelta(seconds=20), "s4")
    _scan(shop.tag, utcnow() - timedelta(seconds=10), None, bot=True)
    db.session.commit()
    return {"retailer": shop.retailer, "nyc": shop.store, "bos": shop.other_store, "la": la,
            "jacket": shop.tag, "scarf": scarf, "today": today, "past": past, "recent": recent}


def _window(scene, days=30):
    return services.Window(scene["today"] - timedelta(days=days - 1), scene["today"])


def test_rollup_plus_today_equals_the_raw_scans(scene):
    stores = [scene["nyc"], scene["bos"], scene["la"]]
    rows = {row.product: row for row in _assert_matches_raw(scene["retailer"], stores,
                                                              _window(scene))}
    # s1 scanned the jacket 20 days ago and today: one shopper, counted once.
    assert (rows["Trail Widget"].scans, rows["Trail Widget"].unique_shoppers) == (6, 4)
    db.session.commit()
    rolled = {day for day, in db.session.execute(select(ScanDayRollup.day))}
    assert scene["past"] in rolled and scene["recent"] in rolled
    assert scene["today"] not in rolled  # today is never rolled up: it is read live
    for store in stores:
        progress = db.session.get(ScanRollupProgress, store.id)
        assert progress.rolled_through < utcnow().astimezone(
            ZoneInfo(store.timezone)).date()
    # Single stores and windows that start or end on a rolled-up day agree too.
    for store in (scene["nyc"], scene["la"]):  # BOS01 has no tags
        _assert_matches_raw(scene["retailer"], [store], _window(scene))
    for first, last in ((scene["past"], scene["past"]), (scene["past"], scene["recent"]),
                        (scene["recent"], scene["today"]),
                        (scene["past"] - timedelta(days=3), scene["past"] - timedelta(days=1))):
        window = services.Window(first, last)
        _assert_matches_raw(scene["retailer"], [scene["nyc"], scene["la"]], window)


def test_days_and_hours_follow_the_store_time_zone_in_rollups(scene):
    # Up to yesterday: today's scans (made "now") would land in any hour, 23:00 included
    # when the suite runs just before midnight in New York.
    window = services.Window(scene["past"] - timedelta(days=1),
                             scene["today"] - timedelta(days=1))
    series = services.scan_time_series([scene["la"]], window)
    assert series.per_day[scene["recent"]] == 1 and series.per_hour[23] == 1
    new_york = services.scan_time_series([scene["nyc"]], window)
    assert new_york.per_hour[0] == 2 and new_york.per_hour[23] == 1
    assert new_york.per_day[scene["past"]] == 3


def test_reading_twice_rolls_up_once(scene):
    stores = [scene["nyc"], scene["la"]]
    first = services.listing_figures(scene["retailer"], stores, _window(scene))
    db.session.commit()
    count = db.session.query(ScanDayRollup).count()
    assert rollup.roll_up(stores) == 0
    assert services.listing_figures(scene["retailer"], stores, _window(scene)) == first
    assert db.session.query(ScanDayRollup).count() == count


def test_a_late_scan_of_a_rolled_up_day_is_counted(scene):
    stores = [scene["nyc"], scene["la"]]
    services.listing_figures(scene["retailer"], stores, _window(scene))
    db.session.commit()
    # Stored after the rollup but stamped on a rolled-up day (a clock behind, a slow commit).
    _scan(scene["jacket"], _local(NEW_YORK, scene["past"], 15), "s3")
    _scan(scene["scarf"], _local(NEW_YORK, scene["recent"], 10), "s1", repeat=True)
    _scan(scene["scarf"], _local(NEW_YORK, scene["past"], 11), None, bot=True)
    db.session.commit()
    rows = {row.product: row for row in _assert_matches_raw(scene["retailer"], stores,
                                                              _window(scene))}
    assert (rows["Trail Widget"].scans, rows["Trail Widget"].unique_shoppers) == (7, 4)
    assert (rows["Scarf"].scans, rows["Scarf"].repeat_scans) == (3, 1)
    db.session.commit()
    row = db.session.get(ScanDayRollup, (scene["nyc"].id, scene["past"],
                                         scene["jacket"].listing_id))
    assert (row.scans, row.shopper_ids) == (4, "s1,s2,s3")


def test_a_new_day_is_rolled_up_when_it_has_ended(scene):
    stores = [scene["nyc"]]
    # As if the rollup ran on `recent` at noon, for a report starting at `past`.
    assert rollup.roll_up(stores, now=_local(NEW_YORK, scene["recent"], 12),
                          back_to=scene["past"]) == 15
    db.session.commit()
    progress = db.session.get(ScanRollupProgress, scene["nyc"].id)
    assert (progress.rolled_from, progress.rolled_through) == (
        scene["past"], scene["recent"] - timedelta(days=1))
    # Until then, `recent` and later days are read from the scan log; the next read rolls on.
    _assert_matches_raw(scene["retailer"], stores, _window(scene))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ScanRollupProgress, scene["nyc"].id).rolled_through >= scene["recent"]


def test_a_read_rolls_up_only_its_own_window_and_earlier_days_stay_exact(scene):
    stores = [scene["nyc"], scene["la"]]
    week = services.Window(scene["recent"] - timedelta(days=1), scene["today"])
    _assert_matches_raw(scene["retailer"], stores, week)
    db.session.commit()
    progress = db.session.get(ScanRollupProgress, scene["nyc"].id)
    assert progress.rolled_from == week.start  # `past` is not rolled up yet: read live
    assert db.session.query(ScanDayRollup).filter(ScanDayRollup.day < week.start).count() == 0
    # A longer window reads the older days from the log... and rolls them up for next time.
    _assert_matches_raw(scene["retailer"], stores, _window(scene))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ScanRollupProgress, scene["nyc"].id).rolled_from == (
        _window(scene).start)
    _assert_matches_raw(scene["retailer"], stores, _window(scene))


def test_the_rollup_command_goes_back_to_the_first_scan_in_steps(runner, scene):
    result = runner.invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    for store in (scene["nyc"], scene["la"]):
        progress = db.session.get(ScanRollupProgress, store.id)
        assert progress.rolled_from <= scene["past"]
    rows = db.session.get(ScanDayRollup, (scene["nyc"].id, scene["past"],
                                          scene["jacket"].listing_id))
    assert (rows.scans, rows.repeat_scans, rows.shopper_ids) == (3, 1, "s1,s2")
    _assert_matches_raw(scene["retailer"], [scene["nyc"], scene["la"]], _window(scene))


def test_a_store_that_changes_time_zone_is_rolled_up_again(scene):
    stores = [scene["nyc"], scene["la"]]
    services.listing_figures(scene["retailer"], stores, _window(scene))
    db.session.commit()
    scene["la"].timezone = "America/New_York"
    db.session.commit()
    series = services.scan_time_series([scene["la"]], _window(scene))
    assert series.per_day[scene["recent"] + timedelta(days=1)] == 1 and series.per_hour[2] == 1
    _assert_matches_raw(scene["retailer"], stores, _window(scene))


def test_rollup_command(runner, scene):
    result = runner.invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    assert "Rolled up" in result.output
    db.session.expire_all()
    assert db.session.get(ScanRollupProgress, scene["nyc"].id) is not None
    assert runner.invoke(args=["analytics", "rollup"]).output.startswith("Rolled up 0 ")
