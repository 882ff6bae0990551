"""A chain's report reads its time zones' summed rows (scan_zone_rollups), and they always equal
the store rows they sum: after late scans, a store moving zone, a new store, and when a store
has not rolled a day up yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from qrshop.analytics import services, zones
from qrshop.analytics.models import ScanZoneRollup
from qrshop.extensions import db
from tests.analytics.test_rollup import (
    NEW_YORK,
    _assert_matches_raw,
    _local,
    _scan,
    _window,
    scene,  # noqa: F401  (the fixture)
)
from tests.factories import make_store, make_tag


def _all(scene):  # noqa: F811
    return [scene["nyc"], scene["bos"], scene["la"]]


def _zone_row(scene, kind, key, day, zone="America/New_York"):  # noqa: F811
    db.session.expire_all()
    return db.session.get(ScanZoneRollup, (scene["retailer"].id, zone, day, kind, key))


def test_a_chain_report_reads_zone_rows_equal_to_the_store_rows(scene):  # noqa: F811
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    # New York (NYC01, BOS01) and Los Angeles are summed separately, each a day at a time.
    day = _zone_row(scene, zones.DAY, 0, scene["past"])
    assert day.scans == 3
    jacket = _zone_row(scene, zones.LISTING, scene["jacket"].listing_id, scene["past"])
    assert (jacket.scans, jacket.repeat_scans) == (3, 1)
    assert jacket.shoppers == zones.shopper_hashes({"s1", "s2"}).tobytes()
    nyc = _zone_row(scene, zones.STORE, scene["nyc"].id, scene["recent"])
    assert (nyc.scans, nyc.shoppers) == (3, zones.shopper_hashes({"s1", "s3"}).tobytes())
    assert _zone_row(scene, zones.HOUR, 23, scene["past"]).scans == 1
    la = _zone_row(scene, zones.DAY, 0, scene["recent"], zone="America/Los_Angeles")
    assert la.scans == 1
    # The second read builds nothing more and still agrees.
    count = db.session.scalar(select(func.count()).select_from(ScanZoneRollup))
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ScanZoneRollup)) == count


def test_a_late_scan_forgets_its_zone_day_and_the_report_stays_exact(scene):  # noqa: F811
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    _scan(scene["jacket"], _local(NEW_YORK, scene["past"], 15), "s3")
    _scan(scene["scarf"], _local(NEW_YORK, scene["past"], 16), "s4", repeat=True)
    db.session.commit()
    rows = {row.product: row for row in _assert_matches_raw(scene["retailer"], _all(scene),
                                                              _window(scene))}
    assert (rows["Trail Widget"].scans, rows["Trail Widget"].unique_shoppers) == (7, 4)
    db.session.commit()
    assert _zone_row(scene, zones.DAY, 0, scene["past"]).scans == 5  # rebuilt with them
    assert _zone_row(scene, zones.STORE, scene["nyc"].id, scene["past"]).shoppers == (
        zones.shopper_hashes({"s1", "s2", "s3", "s4"}).tobytes())


def test_a_store_moving_zone_rebuilds_both_zones(scene):  # noqa: F811
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    scene["la"].timezone = "America/New_York"
    db.session.commit()
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    la_day = scene["recent"] + timedelta(days=1)  # 23:30 in LA is 02:30 next day in NY
    assert _zone_row(scene, zones.STORE, scene["la"].id, la_day).scans == 1
    assert db.session.scalar(select(func.count()).select_from(ScanZoneRollup).where(
        ScanZoneRollup.timezone == "America/Los_Angeles")) == 0


def test_a_new_store_of_the_zone_is_counted(scene):  # noqa: F811
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    newcomer = make_store(scene["retailer"], "JFK01")
    tag = make_tag(scene["retailer"], newcomer, scene["jacket"].listing.product.vendor,
                   name="Newcomer Hat")
    db.session.commit()
    _scan(tag, _local(NEW_YORK, scene["recent"], 11), "s9")
    db.session.commit()
    stores = _all(scene) + [newcomer]
    rows = {row.product: row for row in _assert_matches_raw(scene["retailer"], stores,
                                                              _window(scene))}
    assert rows["Newcomer Hat"].scans == 1
    db.session.commit()
    assert _zone_row(scene, zones.STORE, newcomer.id, scene["recent"]).scans == 1


def test_a_subset_of_a_zone_reads_store_rows(scene):  # noqa: F811
    # NYC01 without BOS01 is not the whole New York zone: no zone row is built for it.
    _assert_matches_raw(scene["retailer"], [scene["nyc"]], _window(scene))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ScanZoneRollup).where(
        ScanZoneRollup.timezone == "America/New_York")) == 0


def test_a_day_not_rolled_up_by_every_store_is_not_built(scene):  # noqa: F811
    # Only NYC01 has rolled the days up: BOS01 has no progress yet.
    services.listing_figures(scene["retailer"], [scene["nyc"]], _window(scene))
    db.session.commit()
    ids = [scene["nyc"].id, scene["bos"].id]
    assert zones.build_day(scene["retailer"].id, "America/New_York", ids,
                           scene["past"]) is False
    db.session.rollback()
    assert zones.ensure_days(scene["retailer"].id, "America/New_York", ids, scene["past"],
                             scene["recent"]) is None
    assert db.session.scalar(select(func.count()).select_from(ScanZoneRollup)) == 0


def test_the_rollup_command_sums_the_zones(runner, scene):  # noqa: F811
    result = runner.invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Rolled up ")
    assert "Summed " in result.output.splitlines()[1]
    assert _zone_row(scene, zones.DAY, 0, scene["past"]).scans == 3
    again = runner.invoke(args=["analytics", "rollup"])
    assert again.output.splitlines()[1].startswith("Summed 0 days")
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))


def test_shopper_hashes_and_their_union():
    hashes = zones.shopper_hashes({"s2", "s1", "s3"})
    assert hashes.dtype.str == "<i8" and len(hashes) == 3 and list(hashes) == sorted(hashes)
    assert len(zones.shopper_hashes(set())) == 0
    # Hash arrays (zone rows) and plain ids (store rows, today's scans) unite exactly.
    assert zones.distinct_shoppers([hashes, ["s3", "s4"], {"s4", "s5"}]) == 5
    assert zones.distinct_shoppers([["s1"], {"s1", "s2"}]) == 2
    assert zones.distinct_shoppers([]) == 0


def test_the_worker_rolls_up_and_sums_the_zones_each_hour(scene):  # noqa: F811
    import threading

    from qrshop.worker import Worker

    # A report once rolled the window up; the worker then brings in the days since and sums
    # every zone (as the first dashboard of the day would).
    services.listing_figures(scene["retailer"], _all(scene), _window(scene))
    db.session.query(ScanZoneRollup).delete()
    db.session.commit()
    retailer_id = scene["retailer"].id
    Worker((), 0.05, threading.Event()).roll_up_scans()  # ends with its own session
    for zone, scans in (("America/New_York", 3), ("America/Los_Angeles", 1)):
        row = db.session.get(ScanZoneRollup, (retailer_id, zone, scene["recent"], zones.DAY,
                                              0))
        assert row.scans == scans


def test_a_moved_store_leaves_no_stale_zone_to_a_report_without_it(scene):  # noqa: F811
    """Found in review: NYC01 moves to Los Angeles; a report on BOS01 alone (now the whole
    New York zone) must not read the New York days built with NYC01's scans in them."""
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    scene["nyc"].timezone = "America/Los_Angeles"
    db.session.commit()
    series = services.scan_time_series([scene["bos"]], _window(scene))
    assert sum(series.per_day.values()) == 0  # BOS01 has no scans
    _assert_matches_raw(scene["retailer"], [scene["la"]], _window(scene))
    # The chain's report re-rolls NYC01 in its new zone, and both zones are summed again.
    _assert_matches_raw(scene["retailer"], _all(scene), _window(scene))


def test_two_builders_of_one_zone_day_both_succeed(scene):  # noqa: F811
    """The second build of a day finds it built (PostgreSQL: an advisory lock per zone) or
    rebuilds it whole (SQLite: the write lock): never a duplicate key."""
    services.listing_figures(scene["retailer"], _all(scene), _window(scene))
    db.session.commit()
    ids = [scene["nyc"].id, scene["bos"].id]
    for _ in range(2):
        assert zones.build_day(scene["retailer"].id, "America/New_York", ids, scene["past"])
        db.session.commit()
    assert _zone_row(scene, zones.DAY, 0, scene["past"]).scans == 3
