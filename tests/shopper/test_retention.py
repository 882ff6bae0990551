"""`qrshop scans prune --older-than MONTHS`: old scans go (whole partitions on PostgreSQL,
batched deletes on SQLite), the rollups stay, nonsense is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from qrshop.analytics.models import ScanDayRollup
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.partitions import (
    add_months,
    create_month,
    drop_months_before,
    first_of_month,
    partitions_of,
)
from qrshop.shopper.models import Scan
from tests.factories import make_shop


def _scan_at(shop, moment: datetime) -> None:
    db.session.execute(insert(Scan), [{
        "tag_id": shop.tag.id, "listing_id": shop.listing.id, "store_id": shop.store.id,
        "retailer_id": shop.retailer.id, "shopper_id": "s" * 22, "scanned_at": moment,
        "is_bot": False, "is_repeat": False}])


def _months_ago(months: int) -> datetime:
    month = add_months(first_of_month(utcnow()), -months)
    return datetime(month.year, month.month, 15, 12, tzinfo=UTC)


def _scan_months() -> list[date]:
    return sorted(first_of_month(moment) for moment in db.session.scalars(
        select(Scan.scanned_at)))


@pytest.fixture
def history(app):
    """Scans 30, 20, 13 and 2 months ago and today; a rollup row of the oldest day."""
    shop = make_shop()
    if db.engine.dialect.name == "postgresql":
        # Two of the old months get partitions (the migration made only this month's and
        # the next ones'): the others land in the default partition.
        with db.engine.begin() as connection:
            # Empty old partitions an earlier test made (the migration tests) go first.
            drop_months_before(connection, "scans", first_of_month(utcnow()))
            for months in (20, 13):
                create_month(connection, "scans", first_of_month(_months_ago(months)))
    for months in (30, 20, 13, 2):
        _scan_at(shop, _months_ago(months))
    _scan_at(shop, utcnow())
    db.session.add(ScanDayRollup(store_id=shop.store.id, day=_months_ago(30).date(),
                                 listing_id=shop.listing.id, scans=1, repeat_scans=0))
    db.session.commit()
    return shop


def test_prune_removes_old_months_and_keeps_rollups(runner, history):
    result = runner.invoke(args=["scans", "prune", "--older-than", "12"])
    assert result.exit_code == 0, result.output
    cutoff = add_months(first_of_month(utcnow()), -12)
    assert f"before {cutoff}; rollups kept." in result.output
    assert _scan_months() == [first_of_month(_months_ago(2)), first_of_month(utcnow())]
    assert db.session.scalar(select(func.sum(ScanDayRollup.scans))) == 1
    if db.engine.dialect.name == "postgresql":
        names = [part.name for part in partitions_of(db.session.connection(), "scans")]
        assert f"scans_{_months_ago(13):%Y_%m}" not in names
        assert f"scans_{_months_ago(20):%Y_%m}" not in names
        assert f"dropped partition scans_{_months_ago(13):%Y_%m}" in result.output
        assert "Removed 2 month partitions and 1 scans of the default partition" in result.output
    else:
        assert f"Removed 3 scans before {cutoff}" in result.output

    again = runner.invoke(args=["scans", "prune", "--older-than", "12"])
    assert again.exit_code == 0 and "Removed 0" in again.output


def test_a_dry_run_removes_nothing(runner, history):
    result = runner.invoke(args=["scans", "prune", "--older-than", "24", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would remove" in result.output
    assert len(_scan_months()) == 5


def test_the_sqlite_prune_deletes_in_batches(runner, history, monkeypatch):
    from qrshop.shopper import retention

    monkeypatch.setattr(retention, "BATCH", 1)
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL drops partitions (test_prune_removes_old_months_...)")
    result = runner.invoke(args=["scans", "prune", "--older-than", "1"])
    assert result.exit_code == 0, result.output
    assert "Removed 4 scans" in result.output
    assert _scan_months() == [first_of_month(utcnow())]


@pytest.mark.parametrize("raw", ["0", "-3", "twelve", "1.5", " ", "99999"])
def test_nonsense_months_are_refused(runner, history, raw):
    result = runner.invoke(args=["scans", "prune", "--older-than", raw])
    assert result.exit_code == 2
    assert "--older-than" in result.output
    assert len(_scan_months()) == 5


def test_recent_scans_stay_whatever_the_day(runner, history):
    # Scans of the month just before this one stay with --older-than 1.
    month = first_of_month(utcnow())
    _scan_at(history, datetime(month.year, month.month, 1, tzinfo=UTC) - timedelta(seconds=1))
    db.session.commit()
    runner.invoke(args=["scans", "prune", "--older-than", "1"])
    assert _scan_months() == [add_months(first_of_month(utcnow()), -1),
                              first_of_month(utcnow())]
