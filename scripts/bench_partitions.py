"""PostgreSQL side of scripts/bench_analytics.py: a chain's volume in the partitioned scan log.

seed_postgresql() empties the given database and seeds a chain: 200 stores, 100 listings
tagged in every store (20,000 tags), and N scans spread over the last two years, streamed
with COPY into the month partitions (created first, like the worker does ahead of time).
empty_twin() makes the `<name>_empty` database next to it, for the scan-cost comparison.
partition_plan() records the SQL of one dashboard request, and prints the EXPLAIN of its
slowest query over a range of scans: it should read the range's partitions only.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

STORES = 200
LISTINGS = 100  # each tagged in every store: 20,000 tags
DAYS = 730
NULL = "\\N"  # COPY's text format


def empty_twin(url: str) -> str:
    """Create (afresh) the database `<name>_empty` on the same server; return its URL."""
    parsed = make_url(url)
    twin = parsed.set(database=f"{parsed.database}_empty")
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{twin.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{twin.database}"'))
    engine.dispose()
    return twin.render_as_string(hide_password=False)


def upgrade_seeded(url: str) -> str:
    """Bring a chain seeded by an earlier run (and its `<name>_empty` twin) to the current
    migrations; return the twin's URL (--no-seed)."""
    from flask_migrate import upgrade

    from qrshop import create_app

    parsed = make_url(url)
    twin = parsed.set(database=f"{parsed.database}_empty").render_as_string(
        hide_password=False)
    for database in (url, twin):
        with create_app({"SQLALCHEMY_DATABASE_URI": database}).app_context():
            upgrade()
    return twin


def scan_count(url: str) -> int:
    """How many scans the database holds (an estimate from its statistics: instant)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(text(
            "SELECT COALESCE(SUM(c.reltuples), 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'scans'::regclass"))
    engine.dispose()
    return int(count)


def _reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed_postgresql(url: str, scans: int) -> None:
    """Empty the database at url, migrate it, seed the chain and COPY `scans` scans."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from qrshop import create_app
    from qrshop.accounts.models import Retailer, Store, Vendor
    from qrshop.accounts.services import create_user
    from qrshop.catalog.models import Listing, Product
    from qrshop.extensions import db
    from qrshop.partitions import add_months, create_month, ensure_partitions, first_of_month
    from qrshop.tags.codes import new_code
    from qrshop.tags.models import Tag

    _reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        retailer = Retailer(slug="bigbox", name="BigBox")
        vendor = Vendor(slug="bulkgoods", name="Bulk Goods")
        db.session.add_all([retailer, vendor])
        db.session.flush()
        zones = ("America/New_York", "America/Chicago", "America/Denver",
                 "America/Los_Angeles")
        db.session.execute(insert(Store), [
            {"retailer_id": retailer.id, "code": f"S{n:03d}", "name": f"Store {n}",
             "timezone": zones[n % len(zones)]} for n in range(1, STORES + 1)])
        store_ids = db.session.scalars(text("SELECT id FROM stores ORDER BY id")).all()
        listing_ids = []
        for n in range(LISTINGS):
            product = Product(vendor_id=vendor.id, gtin=f"{10_000_000_000_000 + n:014d}",
                              name=f"Item {n}", brand="Bulk")
            db.session.add(product)
            db.session.flush()
            listing = Listing(retailer_id=retailer.id, product_id=product.id, sku=f"SKU{n}",
                              price_cents=1000 + n, currency="USD")
            db.session.add(listing)
            db.session.flush()
            listing_ids.append(listing.id)
        db.session.execute(insert(Tag), [
            {"code": new_code(), "listing_id": listing_id, "store_id": store_id,
             "placement": "Aisle"} for store_id in store_ids for listing_id in listing_ids])
        tags = db.session.execute(text("SELECT id, listing_id, store_id FROM tags")).all()
        create_user("merch@bigbox.test", role="merchandiser", password="bench-password-123",
                    retailer_slug="bigbox")
        db.session.commit()
        with db.engine.begin() as connection:
            month = first_of_month(now - timedelta(days=DAYS))
            while month <= first_of_month(now):
                create_month(connection, "scans", month)
                month = add_months(month, 1)
            ensure_partitions(connection, now)
        _copy_scans(db.engine, retailer.id, tags, scans, now)
        db.engine.dispose()


def _copy_scans(engine, retailer_id: int, tags, scans: int, now: datetime) -> None:
    """COPY the scans in chunks of tab-separated lines; ANALYZE afterwards."""
    rng = random.Random(7)
    shoppers = [secrets.token_urlsafe(16) for _ in range(200_000)]
    span = DAYS * 24 * 3600
    start = now.timestamp() - span
    columns = ("tag_id, listing_id, store_id, retailer_id, shopper_id, scanned_at, is_bot, "
               "bot_reason, is_repeat, device")
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY scans ({columns}) FROM STDIN") as copy:
            lines = []
            for n in range(scans):
                tag_id, listing_id, store_id = tags[rng.randrange(len(tags))]
                moment = datetime.fromtimestamp(start + rng.random() * span, UTC)
                bot = n % 20 == 0
                shopper = NULL if bot else shoppers[rng.randrange(len(shoppers))]
                reason = "crawler" if bot else NULL
                lines.append(
                    f"{tag_id}\t{listing_id}\t{store_id}\t{retailer_id}\t{shopper}\t"
                    f"{moment.isoformat()}\t{'t' if bot else 'f'}\t{reason}\t"
                    f"{'t' if n % 7 == 0 else 'f'}\tphone\n")
                if len(lines) == 50_000:
                    copy.write("".join(lines))
                    lines = []
                    if n % 1_000_000 < 50_000:
                        print(f"  copied {n + 1:,} scans in "
                              f"{time.perf_counter() - started:.0f} s", flush=True)
            copy.write("".join(lines))
        raw.commit()
        cursor.execute("ANALYZE scans")
        raw.commit()
    finally:
        raw.close()


def partition_plan(url: str, page: str) -> str:
    """EXPLAIN of the heaviest query over scans that one request of `page` runs (as the
    merchandiser of the seeded chain), its parameters inlined so the pruning shows."""
    import psycopg

    from qrshop import create_app
    from qrshop.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if " scans" in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        client = app.test_client()
        client.post("/login", data={"email": "merch@bigbox.test",
                                    "password": "bench-password-123"})
        client.get(page)
        client.get(page)  # the second request: what a dashboard does once rolled up
        event.remove(db.engine, "before_cursor_execute", record)
    # The dashboard's own queries read a bounded range of scans, [from, to); leave out the
    # others (the silent tags' "last scan of each tag" has no range).
    ranged = [(statement, parameters) for statement, parameters in seen
              if "scanned_at >=" in statement and "scanned_at <" in statement]
    if not ranged:
        return "(the page ran no query over a range of scans: it read the rollups only)"
    plans = []
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        cursor = psycopg.ClientCursor(connection)  # parameters inlined: plan-time pruning
        for statement, parameters in ranged:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
            took = float(lines[-1].split(":")[1].split()[0])  # Execution Time: x ms
            plans.append((took, lines))
    took, lines = max(plans)
    touched = sorted({match for line in lines if "never executed" not in line
                      for match in re.findall(r" on (scans_(?:\d{4}_\d{2}|default))\b", line)})
    return ("\n".join(lines) + f"\npartitions read: {', '.join(touched) or 'none'} (the "
            f"slowest of {len(ranged)} queries over a [from, to) range of scans, {took:.1f} ms; "
            f"{len(seen)} queries over scans in two requests)")
