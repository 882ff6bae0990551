"""The console's tag list at chain scale: 10,000 tags of one retailer.

Seeds (bulk INSERTs, a few seconds) one retailer with a few stores, a vendor, 2,500 listings
and 10,000 tags, some of them printed, retired and scanned (so the "possibly missing from the
shelf" panel has work to do), in a temporary SQLite database or the PostgreSQL database
given with --database-url (emptied first!), and ANALYZEs it. Then requests /console/tags
pages as a logged-in merchandiser through the Flask test client, and prints each page's size
and server time (the median of --runs requests) against the targets 300 KB and 300 ms.

    .venv/bin/python scripts/bench_console_tags.py [--tags N] [--runs N]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/qrshop_bench]
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_BYTES = 300 * 1024
TARGET_MS = 300.0
STORES = ("ATL01", "CLT01", "NYC01", "BOS01", "CHI01")
PASSWORD = "bench password, long enough"
PAGES = [
    ("first page", "/console/tags"),
    ("page 150", "/console/tags?page=150"),
    ("search 'jacket'", "/console/tags?q=jacket"),
    ("sort by product, desc", "/console/tags?sort=product&dir=desc&page=20"),
    ("sort by printed", "/console/tags?sort=printed"),
    ("store + retired", "/console/tags?store=CLT01&status=retired"),
    ("100 per page", "/console/tags?per_page=100&page=7"),
]
WORDS = ("Trail", "Summit", "Ridge", "Harbor", "Canyon", "Meadow", "Alpine", "Coastal")
KINDS = ("Jacket", "Boot", "Backpack", "Fleece", "Beanie", "Glove", "Tent", "Bottle")


def _gtin(n: int) -> str:
    from stdnum import ean

    body = f"{400000000000 + n:012d}"
    return "0" + body + ean.calc_check_digit(body)


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed(tags: int) -> None:
    """Insert the retailer, stores, listings, tags and some scans in bulk (app context)."""
    from sqlalchemy import insert

    from qrshop.accounts.models import Retailer, Store, Vendor
    from qrshop.accounts.services import create_user
    from qrshop.catalog.models import Listing, Product
    from qrshop.extensions import db
    from qrshop.shopper.models import Scan
    from qrshop.tags.models import Tag

    now = datetime.now(UTC)
    retailer = Retailer(slug="bigchain", name="Big Chain")
    vendor = Vendor(slug="outfitters", name="Outfitters")
    db.session.add_all([retailer, vendor])
    db.session.flush()
    stores = [Store(retailer_id=retailer.id, code=code, name=f"Store {code}",
                    timezone="America/New_York") for code in STORES]
    db.session.add_all(stores)
    db.session.flush()
    listings = max(1, tags // 4)
    db.session.execute(insert(Product), [
        {"vendor_id": vendor.id, "gtin": _gtin(n), "brand": "Outfitters",
         "name": f"{WORDS[n % len(WORDS)]} {KINDS[(n // 8) % len(KINDS)]} {n}",
         "created_at": now, "updated_at": now} for n in range(listings)])
    product_ids = db.session.scalars(db.select(Product.id).order_by(Product.id)).all()
    db.session.execute(insert(Listing), [
        {"retailer_id": retailer.id, "product_id": product_id, "sku": f"SKU-{n:06d}",
         "price_cents": 1000 + n, "currency": "USD", "created_at": now, "updated_at": now}
        for n, product_id in enumerate(product_ids)])
    listing_ids = db.session.scalars(db.select(Listing.id).order_by(Listing.id)).all()
    created = now - timedelta(days=30)
    rows = []
    for n in range(tags):
        rows.append({
            "code": f"B{n:07d}", "listing_id": listing_ids[n % len(listing_ids)],
            "store_id": stores[n % len(stores)].id,
            "placement": f"Aisle {n % 40} {'endcap' if n % 3 == 0 else 'shelf'}",
            "printed_at": created + timedelta(hours=n % 500) if n % 2 == 0 else None,
            "retired_at": now - timedelta(days=1) if n % 10 == 0 else None,
            "created_at": created + timedelta(seconds=n), "updated_at": created})
    db.session.execute(insert(Tag), rows)
    tag_rows = db.session.execute(db.select(Tag.id, Tag.listing_id, Tag.store_id)).all()
    # Half the tags were scanned recently: the other active half shows as possibly missing.
    db.session.execute(insert(Scan), [
        {"tag_id": tag_id, "listing_id": listing_id, "store_id": store_id,
         "retailer_id": retailer.id, "shopper_id": secrets.token_hex(8),
         "scanned_at": now - timedelta(hours=n % 300), "is_bot": False, "is_repeat": False}
        for n, (tag_id, listing_id, store_id) in enumerate(tag_rows) if n % 2 == 0])
    create_user("merch@bigchain.example", role="merchandiser", password=PASSWORD,
                retailer_slug="bigchain")
    db.session.commit()
    # Planner statistics, as autovacuum (PostgreSQL) or a maintenance ANALYZE (SQLite) keep
    # them on a live database; without them a freshly bulk-loaded table gets naive plans.
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is dropped)")
    args = parser.parse_args()

    from qrshop import create_app
    from qrshop.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="bench-console-tags-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        _empty_postgres(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "BASE_URL": "https://qr.example.com", "SESSION_COOKIE_SECURE": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "VENDOR_CONTENT_DIR": str(workdir / "vendor_content"),
                      "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        seed(args.tags)
        db.session.remove()
    print(f"Seeded {args.tags} tags on {url.split(':', 1)[0]} in "
          f"{time.perf_counter() - started:.1f} s.")

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = client.post("/login", data={"csrf_token": token, "email": "merch@bigchain.example",
                                        "password": PASSWORD})
    assert login.status_code == 302, login.status_code

    failed = False
    print(f"{'page':<24} {'bytes':>8} {'ms (median)':>12}  target {TARGET_BYTES // 1024} KB"
          f" / {TARGET_MS:.0f} ms")
    for label, path in PAGES:
        times, size = [], 0
        for _ in range(args.runs + 1):  # the first request warms caches and is not counted
            begin = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            size = len(response.data)
        median = statistics.median(times[1:])
        ok = size <= TARGET_BYTES and median <= TARGET_MS
        failed |= not ok
        print(f"{label:<24} {size:>8} {median:>12.1f}  {'ok' if ok else 'OVER TARGET'}")
    begin = time.perf_counter()
    csv = client.get("/console/tags.csv")
    print(f"{'CSV export (all rows)':<24} {len(csv.data):>8} "
          f"{(time.perf_counter() - begin) * 1000:>12.1f}  (no target; one request)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
