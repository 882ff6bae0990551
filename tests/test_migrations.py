"""Migrations: the schema they build is the models' schema, and they go down and up cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from qrshop.extensions import db
from qrshop.partitions import is_partition_name
from qrshop.shopper.models import Scan, Shopper
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            # PostgreSQL's month partitions of scans and sales_lines are not models.
            "include_name": lambda name, type_, parents: not (
                type_ == "table" and is_partition_name(name)),
        })
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(app):
    tables = set(db.metadata.tables)
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert tables <= set(inspect(db.engine).get_table_names())


def _shopper_foreign_keys() -> list:
    return [key for key in inspect(db.engine).get_foreign_keys("scans")
            if key["referred_table"] == "shoppers"]


def test_the_shopper_foreign_key_comes_back_with_the_shoppers_scans_name(app, client):
    shop = make_shop()
    retailer_id = shop.retailer.id
    client.get(f"/t/{shop.tag.code}", headers={"User-Agent": MOBILE_SAFARI})
    shopper_id = db.session.scalar(select(Scan.shopper_id))
    assert db.session.get(Shopper, shopper_id) is None  # a scan writes no shoppers row
    assert _shopper_foreign_keys() == []
    db.session.remove()

    downgrade(revision="3c9e1a7d5b20")

    with db.engine.connect() as connection:
        owner = connection.scalar(text("SELECT retailer_id FROM shoppers WHERE id = :id"),
                                  {"id": shopper_id})
    assert owner == retailer_id
    assert len(_shopper_foreign_keys()) == 1
    upgrade()
    assert _shopper_foreign_keys() == []


def _scan_foreign_keys() -> list[str]:
    return sorted(key["referred_table"] for key in inspect(db.engine).get_foreign_keys("scans"))


def test_the_scan_log_keeps_only_the_tags_foreign_key_and_gets_the_others_back(app, client):
    # listing_id, store_id and retailer_id are the tag's copies (8869c79a36c0): a scan's
    # INSERT checks the tag only. Scans stored meanwhile satisfy the keys the downgrade adds.
    shop = make_shop()
    client.get(f"/t/{shop.tag.code}", headers={"User-Agent": MOBILE_SAFARI})
    assert _scan_foreign_keys() == ["tags"]
    db.session.remove()

    downgrade(revision="e2a8c4f6b913")

    assert _scan_foreign_keys() == ["listings", "retailers", "stores", "tags"]
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM scans")) == 1
    upgrade()
    assert _scan_foreign_keys() == ["tags"]


def _landing_data_version_triggers() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with db.engine.connect() as connection:
        return {name for (name,) in connection.execute(text(query))
                if name.startswith("landing_data_version_")}


def test_the_landing_data_version_triggers_come_back_on_downgrade(app):
    # The scan path keeps a tag's page for a second instead (shopper/scan.py); no trigger
    # is left that a table rebuild (Alembic's batch mode on SQLite) could silently drop.
    assert _landing_data_version_triggers() == set()
    assert "landing_data_version" not in inspect(db.engine).get_table_names()
    db.session.remove()

    downgrade(revision="c5a7e3f19d42")

    assert len(_landing_data_version_triggers()) == 28  # 9 tables x 3 events + runs-out
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM landing_data_version")) == 1
    upgrade()
    assert _landing_data_version_triggers() == set()
    assert "landing_data_version" not in inspect(db.engine).get_table_names()


def test_the_partitioning_migration_keeps_rows_and_line_ids(app, client):
    # Rows stored before b7e2c4a9d315 survive it both ways: scans of an old month and of
    # this one, a sales line whose line_id stays known (sales_line_keys is filled from them).
    from qrshop.partitions import partitions_of

    shop = make_shop()
    ids = {"tag": shop.tag.id, "store": shop.store.id, "retailer": shop.retailer.id,
           "listing": shop.listing.id}
    code = shop.tag.code
    client.get(f"/t/{code}", headers={"User-Agent": MOBILE_SAFARI})
    db.session.remove()
    downgrade(revision="f8b2d6a4c913")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO scans (tag_id, store_id, scanned_at, is_bot, is_repeat) "
            "VALUES (:tag, :store, '2024-03-05 10:00:00+00', false, false)"),
            ids)
        connection.execute(text(
            "INSERT INTO sales_lines (retailer_id, line_id, store_id, listing_id, sold_at, day, "
            "quantity, amount_cents, currency, created_at) VALUES (:retailer, 'OLD-1', :store, "
            ":listing, '2026-11-10 12:00:00+00', '2026-11-10', 1, 100, 'USD', "
            "'2026-11-10 12:00:00+00')"),
            ids)
    upgrade()
    with db.engine.begin() as connection:
        scanned = sorted(connection.scalars(text("SELECT scanned_at FROM scans")).all())
        assert len(scanned) == 2 and str(scanned[0]).startswith("2024-03-05")
        assert connection.scalar(text("SELECT line_id FROM sales_line_keys")) == "OLD-1"
        if db.engine.dialect.name == "postgresql":
            names = [part.name for part in partitions_of(connection, "scans")]
            assert names[0] == "scans_2024_03" and "scans_2025_06" in names
            home = connection.scalar(text(
                "SELECT tableoid::regclass::text FROM scans ORDER BY scanned_at LIMIT 1"))
            assert home == "scans_2024_03"
    # The sequence goes on past the copied rows.
    client.get(f"/t/{code}", headers={"User-Agent": MOBILE_SAFARI})
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 3
