"""The POS sales part of scripts/bench_analytics.py (`--sales`): seed N sales lines over the
last 90 days on the seeded database, time the lift and listing reports at 30 days, and time
`qrshop sales import` on a generated CSV. Not run on its own."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
BATCH = 50_000


def _store(batch: list[dict]) -> None:
    """The lines and their keys (sales_line_keys: what makes a resend "already known")."""
    from sqlalchemy import insert

    from qrshop.analytics.models import SalesLine, SalesLineKey
    from qrshop.extensions import db

    db.session.execute(insert(SalesLine), batch)
    db.session.execute(insert(SalesLineKey), [
        {"retailer_id": row["retailer_id"], "line_id": row["line_id"],
         "sold_at": row["sold_at"]} for row in batch])


def seed_sales(url: str, lines: int) -> None:
    """`lines` sales lines (one in 20 a return) over the last 90 days at both stores, their
    daily rollup, and first prints: half the S01 tags printed in the last 30 days (the lift
    report's rows), S02's tags of those listings never printed (the control stores)."""
    from sqlalchemy import insert, select, text, update

    from qrshop import create_app
    from qrshop.accounts.models import Retailer, Store
    from qrshop.analytics.models import SalesChainRollup, SalesDayRollup
    from qrshop.extensions import db
    from qrshop.tags.models import Tag

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        now = datetime.now(UTC)
        # The seeded retailer's stores only (bench_scan.py adds the demo's to the database).
        bigbox = select(Retailer.id).where(Retailer.slug == "bigbox").scalar_subquery()
        stores = db.session.execute(select(Store.id, Store.retailer_id, Store.timezone)
                                    .where(Store.retailer_id == bigbox)
                                    .order_by(Store.code)).all()
        from zoneinfo import ZoneInfo
        zones = {store_id: ZoneInfo(zone) for store_id, _, zone in stores}
        retailer_id = stores[0][1]
        tags = db.session.execute(select(Tag.id, Tag.store_id, Tag.listing_id)
                                  .where(Tag.store_id.in_(list(zones)))
                                  .order_by(Tag.listing_id, Tag.store_id)).all()
        listing_ids = sorted({listing_id for _, _, listing_id in tags})
        rng = random.Random(11)
        half = set(listing_ids[: len(listing_ids) // 2])
        for tag_id, store_id, listing_id in tags:
            if store_id == stores[0][0]:
                days = rng.randrange(3, 28) if listing_id in half else 100
                printed = now - timedelta(days=days, hours=rng.randrange(24))
                db.session.execute(update(Tag).where(Tag.id == tag_id)
                                   .values(printed_at=printed))
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA synchronous=OFF"))
        else:  # the month partitions of the 90 days, as the worker keeps them
            from qrshop.partitions import add_months, create_month, first_of_month

            with db.engine.begin() as connection:
                for back in range(4):
                    create_month(connection, "sales_lines",
                                 add_months(first_of_month(now), -back))
        span = 90 * 24 * 3600
        rollup: dict = {}
        batch = []
        store_ids = [store_id for store_id, _, _ in stores]
        for n in range(lines):
            store_id = store_ids[n % len(store_ids)]
            listing_id = listing_ids[rng.randrange(len(listing_ids))]
            sold_at = now - timedelta(seconds=rng.randrange(span))
            quantity = -1 if n % 20 == 0 else 1 + (n % 3 == 0)
            amount = quantity * 1999
            day = sold_at.astimezone(zones[store_id]).date()
            batch.append({"retailer_id": retailer_id, "line_id": f"seed-{n}",
                          "store_id": store_id, "listing_id": listing_id, "sold_at": sold_at,
                          "day": day, "quantity": quantity, "amount_cents": amount,
                          "currency": "USD", "created_at": now})
            cell = rollup.setdefault((store_id, day, listing_id), [0, 0, 0])
            cell[0] += quantity
            cell[1] += amount
            cell[2] += 1
            if len(batch) == BATCH:
                _store(batch)
                db.session.commit()
                batch = []
        if batch:
            _store(batch)
        rows = [{"store_id": s, "day": d, "listing_id": item, "units": u, "amount_cents": a,
                 "lines": c} for (s, d, item), (u, a, c) in rollup.items()]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(SalesDayRollup), rows[start:start + BATCH])
        chain: dict = {}  # the same, summed over the stores (sales_chain_rollups)
        for (_, day, item), values in rollup.items():
            cell = chain.setdefault((day, item), [0, 0, 0])
            for n in range(3):
                cell[n] += values[n]
        rows = [{"retailer_id": retailer_id, "day": d, "listing_id": item, "units": u,
                 "amount_cents": a, "lines": c} for (d, item), (u, a, c) in chain.items()]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(SalesChainRollup), rows[start:start + BATCH])
        db.session.commit()
        db.engine.dispose()


def sales_times(url: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Server-side (wall, CPU) milliseconds of the lift report, the listings API and the
    merchandiser dashboard (30 days; the sales figures now join them). The requests run
    in-process, so the CPU time is the server's own, steadier than wall time on a busy
    machine."""
    from qrshop import create_app
    from qrshop.accounts.models import User
    from qrshop.accounts.services import create_api_token
    from qrshop.extensions import db
    from qrshop.server import freeze_long_lived

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    freeze_long_lived()  # as `qrshop serve` does in each worker once its app is built
    client = app.test_client()
    with app.app_context():
        user = db.session.query(User).filter_by(email="merch@bigbox.test").one()
        token = create_api_token(user, "bench-sales")[1]
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    console = _console_client(app)
    end = datetime.now(UTC).date()
    query = f"from={end - timedelta(days=29)}&to={end}"
    times: dict[str, list[tuple[float, float]]] = {"lift": [], "listings": [], "dashboard": []}
    for _ in range(runs):
        for name, path in (("lift", f"/api/v1/analytics/lift?{query}"),
                           ("listings", f"/api/v1/analytics/listings?{query}"),
                           ("dashboard", f"/console/analytics?{query}")):
            started, cpu = time.perf_counter(), time.process_time()
            response = (console if name == "dashboard" else client).get(path, headers=headers)
            times[name].append(((time.perf_counter() - started) * 1000,
                                (time.process_time() - cpu) * 1000))
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            if name == "lift":
                assert response.get_json()["listings"], "the lift report has no rows"
    return times


def _console_client(app):
    """A test client logged in as the seeded merchandiser (the console dashboard)."""
    console = app.test_client()
    response = console.post("/login", data={"email": "merch@bigbox.test",
                                            "password": "bench-password-123"})
    assert response.status_code == 302, response.status_code
    return console


def import_throughput(url: str, lines: int, workdir: Path) -> float:
    """Lines per second of `qrshop sales import` on a generated CSV of `lines` new lines."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)  # the seeded retailer's store codes and SKUs
    with engine.connect() as connection:
        bigbox = "(SELECT id FROM retailers WHERE slug = 'bigbox')"
        codes = connection.scalars(text(
            f"SELECT code FROM stores WHERE retailer_id = {bigbox} ORDER BY code")).all()
        skus = connection.scalars(text(
            f"SELECT sku FROM listings WHERE retailer_id = {bigbox} ORDER BY sku")).all()
    engine.dispose()
    now = datetime.now(UTC)
    path = workdir / "sales.csv"
    rng = random.Random(5)
    with path.open("w") as out:
        out.write("store,sku,sold_at,quantity,amount_cents,currency,line_id\n")
        for n in range(lines):
            sold = now - timedelta(seconds=rng.randrange(7 * 24 * 3600))
            out.write(f"{codes[n % len(codes)]},{rng.choice(skus)},{sold.isoformat()},1,"
                      f"1999,USD,import-{n}\n")
    env = {**os.environ, "QRSHOP_DATABASE_URL": url}
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "qrshop"), "sales", "import", "--retailer", "bigbox",
                             str(path)], env=env, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or f"Imported {lines} sales lines" not in result.stdout:
        raise SystemExit("qrshop sales import failed:\n" + result.stdout + result.stderr[-2000:])
    return lines / elapsed


def report(url: str, args, workdir: Path) -> None:
    """Seed the sales lines and print the figures."""
    started = time.perf_counter()
    seed_sales(url, args.sales_lines)
    print(f"seeded {args.sales_lines:,} sales lines over 90 days in "
          f"{time.perf_counter() - started:.0f} s")
    times = sales_times(url, args.runs)
    for name, label in (("lift", "lift report"), ("listings", "listings report (with sales)"),
                        ("dashboard", "dashboard (with sales)")):
        median = statistics.median(wall for wall, _ in times[name])
        cpu = statistics.median(cpu for _, cpu in times[name])
        print(f"{label}, 30 days: median {median:.0f} ms (server CPU {cpu:.0f} ms), worst "
              f"{max(wall for wall, _ in times[name]):.0f} ms (target < 300 ms) "
              f"{'ok' if median < 300 else 'MISSED'}")
    rate = import_throughput(url, args.import_lines, workdir)
    print(f"qrshop sales import: {args.import_lines:,} lines at {rate:,.0f} lines/s "
          "(process start included)")
