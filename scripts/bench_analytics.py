"""Analytics at scale: 1,000,000 scans over 90 days across 2 stores and 500 tags.

Prints (a) the merchandiser dashboard's server time for a 30-day range (target < 300 ms),
median of several requests, and the analytics API's; (b) the scan page's throughput with that
table next to the throughput with an empty one, in the same run (target ratio >= 0.9:
recording a scan must not slow down as the data grows). (b) runs scripts/bench_scan.py on each
table in turn, --rounds times, and compares the medians; and, because requests per second
drift on a shared 2-core machine, (c) the CPU instructions of one scan in-process on each
table, counted by valgrind's callgrind, which do not.

    .venv/bin/python scripts/bench_analytics.py [--scans N] [--quick] [--rounds N]
        [--no-instructions]

With --sales (scripts/bench_sales.py) it also seeds --sales-lines POS sales lines (default
10,000,000) and prints the lift report's, the listings report's and the dashboard's
server time at 30 days (target < 300 ms; wall and in-process CPU) and `qrshop sales
import`'s throughput on a generated CSV of
--import-lines lines (default 200,000); the scan-throughput comparison is then skipped.

    .venv/bin/python scripts/bench_analytics.py --sales --scans 200000 --sales-lines 1000000

With --database-url postgresql+psycopg://... (a database it may EMPTY) it seeds a chain instead
(scripts/bench_partitions.py): 200 stores, 20,000 tags, --scans scans over 2 years COPYed into
the month partitions; prints the same figures, the scan-cost rounds against `<name>_empty`,
and the partition-pruned plan of the dashboard's heaviest query over scans.

    nice .venv/bin/python scripts/bench_analytics.py --scans 10000000 --no-instructions \
        --database-url postgresql+psycopg://postgres@127.0.0.1/qrshop_bench

--no-seed measures a chain seeded by an earlier run again (after a code change: its
migrations are applied first), against the `<name>_empty` twin that run made.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TAGS_PER_STORE = 250
# The dashboard's server CPU time per request (dashboard_times runs it in-process).
PAGE_CPU_MS: list[float] = []
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")

# Scans ATL01's demo tags N times through the WSGI app in-process (after 200 warm-up scans):
# under callgrind, the instruction count of N scans is the difference of two runs.
SCAN_LOOP = '''\
import sys
from werkzeug.test import EnvironBuilder
from qrshop import create_app
from qrshop.extensions import db

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    codes = db.session.execute(db.text(
        "SELECT t.code FROM tags t JOIN stores s ON s.id = t.store_id "
        "WHERE t.retired_at IS NULL AND s.code = 'ATL01'")).scalars().all()
environs = [EnvironBuilder(path=f"/T/{code}", headers={"User-Agent": sys.argv[2]}).get_environ()
            for code in codes]
status = []
for n in range(200 + count):
    b"".join(app.wsgi_app(dict(environs[n % len(environs)]), lambda s, h, e=None: status.append(s)))
    assert status.pop().startswith("200")
'''


def seed(url: str, scans: int) -> None:
    """Two stores, 500 tags, shoppers and `scans` scans spread over the last 90 days."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from qrshop import create_app
    from qrshop.accounts.models import Retailer, Store, Vendor
    from qrshop.accounts.services import create_user
    from qrshop.catalog.models import Listing, Product
    from qrshop.extensions import db
    from qrshop.shopper.models import Scan, Shopper
    from qrshop.tags.codes import new_code
    from qrshop.tags.models import Tag

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        retailer = Retailer(slug="bigbox", name="BigBox")
        vendor = Vendor(slug="bulkgoods", name="Bulk Goods")
        db.session.add_all([retailer, vendor])
        db.session.flush()
        stores = [Store(retailer_id=retailer.id, code=f"S{n:02d}", name=f"Store {n}",
                        timezone=zone) for n, zone in ((1, "America/New_York"),
                                                      (2, "America/Los_Angeles"))]
        db.session.add_all(stores)
        db.session.flush()
        tags = []
        for n in range(TAGS_PER_STORE):
            product = Product(vendor_id=vendor.id, gtin=f"{10_000_000_000_000 + n:014d}",
                              name=f"Item {n}", brand="Bulk")
            db.session.add(product)
            db.session.flush()
            listing = Listing(retailer_id=retailer.id, product_id=product.id, sku=f"SKU{n}",
                              price_cents=1000 + n, currency="USD")
            db.session.add(listing)
            db.session.flush()
            for store in stores:
                tags.append((Tag(code=new_code(), listing_id=listing.id, store_id=store.id,
                                 placement="Aisle"), listing.id, store.id))
        db.session.add_all(tag for tag, _, _ in tags)
        create_user("merch@bigbox.test", role="merchandiser", password="bench-password-123",
                    retailer_slug="bigbox")
        db.session.flush()
        shopper_ids = [secrets.token_urlsafe(16) for _ in range(max(1, scans // 5))]
        for start in range(0, len(shopper_ids), 20_000):
            db.session.execute(insert(Shopper), [
                {"id": sid, "retailer_id": retailer.id, "created_at": now}
                for sid in shopper_ids[start:start + 20_000]])
        db.session.commit()
        rng = random.Random(7)
        batch = []
        span = 90 * 24 * 3600
        for n in range(scans):
            tag, listing_id, store_id = tags[rng.randrange(len(tags))]
            batch.append({
                "tag_id": tag.id, "listing_id": listing_id, "store_id": store_id,
                "retailer_id": retailer.id, "shopper_id": rng.choice(shopper_ids),
                "scanned_at": now - timedelta(seconds=rng.randrange(span)),
                "is_bot": n % 20 == 0, "bot_reason": "crawler" if n % 20 == 0 else None,
                "is_repeat": n % 7 == 0})
            if len(batch) == 50_000:
                db.session.execute(insert(Scan), batch)
                db.session.commit()
                batch = []
        if batch:
            db.session.execute(insert(Scan), batch)
            db.session.commit()
        db.engine.dispose()


def dashboard_times(url: str, runs: int) -> tuple[list[float], list[float]]:
    """Server-side milliseconds of the dashboard and of the analytics API, 30-day range."""
    from qrshop import create_app
    from qrshop.accounts.models import User
    from qrshop.accounts.services import create_api_token
    from qrshop.extensions import db
    from qrshop.server import freeze_long_lived

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    freeze_long_lived()  # as `qrshop serve` does in each worker once its app is built
    client = app.test_client()
    response = client.post("/login", data={"email": "merch@bigbox.test",
                                           "password": "bench-password-123"})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        user = db.session.query(User).filter_by(email="merch@bigbox.test").one()
        token = create_api_token(user, "bench")[1]
        db.session.commit()
    end = datetime.now(UTC).date()
    query = f"from={end - timedelta(days=29)}&to={end}"
    page_ms, api_ms = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/console/analytics?{query}")
        page_ms.append((time.perf_counter() - started) * 1000)
        PAGE_CPU_MS.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200
        started = time.perf_counter()
        response = client.get(f"/api/v1/analytics/listings?{query}",
                              headers={"Authorization": f"Bearer {token}"})
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return page_ms, api_ms


def scan_throughput(url: str | None, quick: bool) -> float:
    """qrshop's scans per second from scripts/bench_scan.py on this database."""
    # The same demo tags both times, so warm caches compare like with like.
    command = [sys.executable, str(HERE / "bench_scan.py"), "--store", "ATL01"]
    if url:
        command += ["--database-url", url]
    if quick:
        command.append("--quick")
    output = subprocess.run(command, capture_output=True, text=True, timeout=600).stdout
    match = re.search(r"^qrshop\s+([0-9.]+)", output, re.M)
    if not match:
        raise SystemExit("bench_scan.py printed no qrshop figure:\n" + output)
    return float(match.group(1))


def instructions_per_scan(url: str, workdir: Path, scans: int = 1000) -> float:
    """CPU instructions of one scan in-process on this database, counted by callgrind
    (repeatable whatever else the machine is doing, unlike requests per second)."""
    env = {**os.environ, "QRSHOP_DATABASE_URL": url}
    subprocess.run([str(BIN / "qrshop"), "demo", "--no-serve"], env=env, check=True,
                   capture_output=True, timeout=300)
    loop = workdir / "scan_loop.py"
    loop.write_text(SCAN_LOOP)
    counts = []
    for count in (0, scans):
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
             sys.executable, str(loop), str(count), PHONE_UA],
            env=env, capture_output=True, text=True, timeout=1800, check=False)
        match = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
        if result.returncode != 0 or not match:
            raise SystemExit("callgrind run failed:\n" + result.stderr[-2000:])
        counts.append(int(match.group(1)))
    return (counts[1] - counts[0]) / scans


def main() -> int:
    """Seed, measure the dashboard, compare scan throughput; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="short scan-throughput runs")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved scan-throughput runs per table (medians compared)")
    parser.add_argument("--no-instructions", dest="instructions", action="store_false",
                        help="skip counting instructions per scan under callgrind (~7 min)")
    parser.add_argument("--sales", action="store_true",
                        help="seed POS sales lines; time lift, listings and sales import")
    parser.add_argument("--sales-lines", type=int, default=10_000_000)
    parser.add_argument("--import-lines", type=int, default=200_000)
    parser.add_argument("--no-seed", dest="seed", action="store_false",
                        help="with --database-url: measure the chain an earlier run seeded "
                             "there (and its <name>_empty twin) instead of seeding again")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database (postgresql+psycopg://...) to EMPTY and "
                             "seed with a chain: 200 stores, 20,000 tags, --scans scans over "
                             "2 years in month partitions (COPY); <name>_empty is made next "
                             "to it for the scan-cost comparison")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="qrshop-analytics-"))
    try:
        return measure(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # the seeded database is ~300 MB


def measure(args: argparse.Namespace, workdir: Path) -> int:
    """Seed the database in workdir, then print the figures."""
    os.environ.setdefault("QRSHOP_INSTANCE_PATH", str(workdir))
    os.environ.setdefault("QRSHOP_SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("QRSHOP_VENDOR_CONTENT_DIR", str(workdir / "content"))
    url = f"sqlite:///{workdir}/big.sqlite3"
    empty_url = None  # SQLite: bench_scan.py's own throw-away database
    started = time.perf_counter()
    if args.database_url:
        sys.path.insert(0, str(HERE))
        import bench_partitions

        url = args.database_url
        if args.seed:
            bench_partitions.seed_postgresql(url, args.scans)
            print(f"seeded {args.scans:,} scans over 2 years in month partitions, "
                  f"{bench_partitions.STORES} stores, "
                  f"{bench_partitions.STORES * bench_partitions.LISTINGS:,} tags (COPY) "
                  f"in {time.perf_counter() - started:.0f} s")
            empty_url = bench_partitions.empty_twin(url)
        else:
            empty_url = bench_partitions.upgrade_seeded(url)
            print(f"measuring the chain seeded earlier: {bench_partitions.scan_count(url):,} "
                  f"scans")
    else:
        seed(url, args.scans)
        print(f"seeded {args.scans:,} scans over 90 days, 2 stores, {2 * TAGS_PER_STORE} "
              f"tags in {time.perf_counter() - started:.0f} s")
    page_ms, api_ms = dashboard_times(url, args.runs)
    page, api = statistics.median(page_ms), statistics.median(api_ms)
    print(f"dashboard, 30 days: median {page:.0f} ms, worst {max(page_ms):.0f} ms "
          f"(target < 300 ms) {'ok' if page < 300 else 'MISSED'}; server CPU median "
          f"{statistics.median(PAGE_CPU_MS):.0f} ms (in-process: steadier on a busy machine)")
    print(f"analytics API, 30 days: median {api:.0f} ms")
    if args.database_url:
        end = datetime.now(UTC).date()
        page = f"/console/analytics?from={end - timedelta(days=29)}&to={end}"
        print("dashboard's slowest query over a range of scans, partition-pruned plan:")
        print(bench_partitions.partition_plan(url, page))
    if args.sales:
        sys.path.insert(0, str(HERE))
        import bench_sales

        bench_sales.report(url, args, workdir)
        return 0
    # Interleaved rounds, medians compared: one 10-second run against the next drifts by
    # +-15% on a busy 2-core machine, which alone could pass or fail the target.
    empties, fulls = [], []
    for _ in range(args.rounds):
        empties.append(scan_throughput(empty_url, args.quick))
        fulls.append(scan_throughput(url, args.quick))
    empty, full = statistics.median(empties), statistics.median(fulls)
    ratio = full / empty
    print("scan throughput per round (empty / full): "
          + ", ".join(f"{e:.0f} / {f:.0f}" for e, f in zip(empties, fulls, strict=True)))
    print(f"scan throughput, median of {args.rounds}: empty table {empty:.0f}/s, "
          f"{args.scans:,} scans {full:.0f}/s, ratio {ratio:.2f} (target >= 0.9) "
          f"{'ok' if ratio >= 0.9 else 'MISSED'}")
    if args.instructions:
        if not shutil.which("valgrind"):
            print("instructions per scan: valgrind is not installed (apt-get install valgrind)")
            return 0
        empty_i = instructions_per_scan(empty_url or f"sqlite:///{workdir}/empty.sqlite3",
                                        workdir)
        full_i = instructions_per_scan(url, workdir)
        print(f"instructions per scan (callgrind, in-process): empty table {empty_i:,.0f}, "
              f"{args.scans:,} scans {full_i:,.0f}; throughput ratio this implies "
              f"{empty_i / full_i:.3f} (target >= 0.9) "
              f"{'ok' if empty_i / full_i >= 0.9 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
