"""The 30-day dashboard reads completed days from the rollups: a fixed number of queries
whatever the number of listings (no N+1), shopper ids read once (the previous period's chart
reads daily and hourly sums only), and the raw scan log only through its indexes, for today
and the index probes of silent tags and unknown codes."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, text

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import (
    Shop,
    login,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
    make_vendor,
)

MAX_QUERIES = 50


@contextmanager
def _statements():
    """Every SQL statement run in the block, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _seed(shop, listings: int) -> None:
    """`listings` tagged listings, each scanned every day of the last 70 days."""
    tags = [shop.tag] + [make_tag(shop.retailer, shop.store, shop.vendor, name=f"Item {n}")
                         for n in range(listings - 1)]
    now = utcnow()
    db.session.execute(Scan.__table__.insert(), [
        {"tag_id": tag.id, "listing_id": tag.listing_id, "store_id": tag.store_id,
         "retailer_id": shop.retailer.id, "shopper_id": None, "is_bot": False,
         "is_repeat": False, "scanned_at": now - timedelta(days=day, minutes=5)}
        for tag in tags for day in range(70)])
    db.session.commit()


def _dashboard_statements(client, shop, listings: int, slug: str = "acme"
                          ) -> list[tuple[str, object]]:
    """The statements of the 30-day dashboard (the second request: days rolled up)."""
    _seed(shop, listings)
    login(client, make_user("merchandiser", retailer_slug=slug).email)
    assert client.get("/console/analytics?days=30").status_code == 200  # rolls the days up
    with _statements() as seen:
        page = client.get("/console/analytics?days=30")
    assert page.status_code == 200
    return seen


def test_dashboard_query_count_does_not_grow_with_listings(app, client):
    few = _dashboard_statements(client, make_shop(), 3)
    db.session.execute(text("DELETE FROM scans"))
    db.session.commit()
    other = app.test_client()
    many = _dashboard_statements(other, make_shop_again(), 30, slug="acme-two")
    assert len(few) <= MAX_QUERIES
    assert len(many) == len(few)


def make_shop_again():
    """A second shop in the same test (its own retailer, stores and vendor)."""
    retailer = make_retailer("acme-two")
    store = make_store(retailer, "NYC02")
    other = make_store(retailer, "BOS02")
    vendor = make_vendor("widgetco-two")
    tag = make_tag(retailer, store, vendor, name="Trail Widget")
    db.session.commit()
    return Shop(retailer, store, other, vendor, tag)


def test_dashboard_reads_shopper_ids_once_and_the_scan_log_by_index(app, client):
    seen = _dashboard_statements(client, make_shop(), 5)
    # The rolled-up days' shopper ids are read once, for both stores (the retailer's whole
    # time zone: its zone rows, built by the first request): the current period's; the
    # previous period's chart reads the daily and hourly totals only.
    assert sum("scan_zone_rollups.shoppers" in statement for statement, _ in seen) == 1
    assert not any("scan_day_rollups.shopper_ids" in statement for statement, _ in seen)
    raw = [(statement, parameters) for statement, parameters in seen
           if re.search(r"\bFROM scans\b", statement)]
    assert raw, "today and the silent tags' probes do read the scan log"
    if db.engine.dialect.name != "sqlite":
        return
    # Every read of the scan log goes through an index or the primary key: never a scan of
    # the whole table (SQLite's plan says SCAN scans for that).
    for statement, parameters in raw:
        plan = _plan(statement, parameters)
        assert not any(re.match(r"SCAN scans\b", step) for step in plan), (statement, plan)


def _plan(statement: str, parameters) -> list[str]:
    """SQLite's query plan steps of a statement with its positional parameters."""
    connection = db.engine.raw_connection()
    try:
        return [row[3] for row in connection.cursor().execute(
            "EXPLAIN QUERY PLAN " + statement, parameters).fetchall()]
    finally:
        connection.close()



def test_the_dashboards_queries_do_not_grow_with_the_number_of_stores(app, client):
    """Stores sharing a time zone are read together: 30 stores cost the dashboard the same
    statements as 2 (issue 22: 200 stores sent some 2,800 queries a request)."""
    few = _dashboard_statements(client, make_shop(), 3)
    db.session.execute(text("DELETE FROM scans"))
    db.session.commit()
    shop = make_shop_again()
    for n in range(28):
        make_store(shop.retailer, f"X{n:02d}", timezone=shop.store.timezone)
    db.session.commit()
    many = _dashboard_statements(app.test_client(), shop, 3, slug="acme-two")
    assert len(many) <= len(few) + 2, (len(few), len(many))
