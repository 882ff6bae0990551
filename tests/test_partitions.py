"""Month partitions of the scan log and the sales lines (PostgreSQL), `qrshop db partitions`
on both databases, and a resent sales line still "already known" across partitions."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from qrshop.analytics.models import SalesLine
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.partitions import (
    add_months,
    create_month,
    ensure_partitions,
    first_of_month,
    partitions_of,
)
from qrshop.shopper.models import Scan
from tests.api.engage import token_for
from tests.factories import make_shop

postgresql_only = pytest.mark.skipif(
    "postgresql" not in os.environ.get("QRSHOP_TEST_DATABASE_URL", ""),
    reason="partitions are PostgreSQL's; SQLite's side is tested by the *_on_sqlite tests")


def _names(table: str) -> list[str]:
    return [part.name for part in partitions_of(db.session.connection(), table)]


def _home(table: str, row_id: int) -> str:
    """The partition a row is stored in."""
    return db.session.scalar(text(f"SELECT tableoid::regclass::text FROM {table} "
                                  "WHERE id = :id"), {"id": row_id})


def test_db_partitions_on_sqlite_has_nothing_to_do(runner):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite's message")
    result = runner.invoke(args=["db", "partitions"])
    assert result.exit_code == 0
    assert "Nothing to do: on SQLite" in result.output


@postgresql_only
def test_the_migration_made_this_months_partitions_and_the_next_three(app):
    this_month = first_of_month(utcnow())
    for table in ("scans", "sales_lines"):
        names = _names(table)
        for step in range(4):
            assert f"{table}_{add_months(this_month, step):%Y_%m}" in names
        assert names[-1] == f"{table}_default"


@postgresql_only
def test_a_scan_lands_in_its_months_partition(client):
    shop = make_shop()
    assert client.get(f"/t/{shop.tag.code}").status_code == 200
    scan_id = db.session.scalar(select(Scan.id))
    assert _home("scans", scan_id) == f"scans_{utcnow():%Y_%m}"


@postgresql_only
def test_a_month_without_partition_goes_to_default_then_moves_in(app):
    shop = make_shop()
    far = datetime(2031, 5, 2, 8, tzinfo=UTC)
    scan_id = db.session.execute(insert(Scan).values(
        tag_id=shop.tag.id, store_id=shop.store.id, scanned_at=far, is_bot=False,
        is_repeat=False).returning(Scan.id)).scalar_one()
    db.session.commit()
    assert _home("scans", scan_id) == "scans_default"
    db.session.commit()  # the session's read locks would hold the ATTACH back
    with db.engine.begin() as connection:
        assert create_month(connection, "scans", first_of_month(far)) is True
        assert create_month(connection, "scans", first_of_month(far)) is False
    db.session.commit()
    assert _home("scans", scan_id) == "scans_2031_05"
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE scans_2031_05"))


@postgresql_only
def test_db_partitions_prints_what_it_created_or_found(runner):
    ahead = add_months(first_of_month(utcnow()), 5)
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS scans_{ahead:%Y_%m}"))
    result = runner.invoke(args=["db", "partitions", "--ahead", "5"])
    assert result.exit_code == 0, result.output
    assert f"created  scans_{ahead:%Y_%m}" in result.output
    assert f"found    scans_{first_of_month(utcnow()):%Y_%m}" in result.output
    again = runner.invoke(args=["db", "partitions", "--ahead", "5"])
    assert f"found    scans_{ahead:%Y_%m}" in again.output
    assert "0 partitions created, 12 already there." in again.output


@postgresql_only
def test_db_partitions_from_two_processes_at_once(app, database_url, tmp_path):
    months = [add_months(first_of_month(utcnow()), step) for step in range(6, 9)]
    with db.engine.begin() as connection:
        for month in months:
            for table in ("scans", "sales_lines"):
                connection.execute(text(f"DROP TABLE IF EXISTS {table}_{month:%Y_%m}"))
    env = {**os.environ, "QRSHOP_DATABASE_URL": database_url,
           "QRSHOP_INSTANCE_PATH": str(tmp_path / "instance"),
           "QRSHOP_SECRET_KEY": "test-secret-key-not-for-production"}
    command = [str(Path(sys.executable).parent / "qrshop"), "db", "partitions", "--ahead", "8"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    created = [line for out, _ in outputs for line in out.splitlines()
               if line.startswith("created")]
    assert sorted(created) == sorted(f"created  {table}_{month:%Y_%m}" for month in months
                                     for table in ("scans", "sales_lines"))
    for month in months:
        assert f"scans_{month:%Y_%m}" in _names("scans")


@postgresql_only
def test_a_resent_sales_line_is_known_whatever_its_month(client, app):
    shop = make_shop()
    merch = token_for("merchandiser", retailer_slug="acme")
    line = {"store": "NYC01", "sku": shop.listing.sku, "quantity": 1, "amount_cents": 4999,
            "currency": "USD", "line_id": "L-77", "sold_at": f"{utcnow():%Y-%m-%dT%H:%M:%S}Z"}
    first = client.post("/api/v1/sales", json={"items": [line]}, headers=merch).get_json()
    assert first["results"][0]["status"] == 201
    line_id = db.session.scalar(select(SalesLine.id))
    assert _home("sales_lines", line_id) == f"sales_lines_{utcnow():%Y_%m}"
    # The same line_id resent with another month's sold_at: another partition, still known.
    moved = {**line, "sold_at": "2025-01-15T10:00:00Z"}
    again = client.post("/api/v1/sales", json={"items": [moved, line]}, headers=merch).get_json()
    assert [r["data"]["duplicate"] for r in again["results"]] == [True, True]
    assert len(db.session.scalars(select(SalesLine.id)).all()) == 1


def test_ensure_partitions_does_nothing_on_sqlite(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite's side")
    with db.engine.begin() as connection:
        assert ensure_partitions(connection, utcnow()) == []


@postgresql_only
def test_the_worker_creates_the_coming_months(app):
    import threading

    from qrshop.worker import Worker

    ahead = add_months(first_of_month(utcnow()), 3)
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS scans_{ahead:%Y_%m}"))
    Worker((), 0.01, threading.Event()).create_partitions()
    assert f"scans_{ahead:%Y_%m}" in _names("scans")
