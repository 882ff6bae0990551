"""Load and fault test of the scan path against real gunicorn.

(a) --requests N scans at --connections C concurrent connections: every request must get a
    200 and exactly N counted scans must be stored.
(b) --kill: the whole server (master and workers) is SIGKILLed part-way through, restarted,
    and the run finishes. The database must pass its integrity check and every scan that got
    a 200 must be stored (each request is a new shopper, so its cookie names its scan).

Runs on a throw-away SQLite database by default, or on --database-url (e.g.
postgresql+psycopg://postgres@127.0.0.1/test). Prints its figures; exits 1 if an invariant
fails. Loopback only; bounded in requests and time.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    """Start `qrshop serve` in its own process group and wait until /healthz answers."""
    process = subprocess.Popen(
        [str(BIN / "qrshop"), "serve", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    kill_server(process)
    raise SystemExit("server did not start within 30 s")


def kill_server(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the server's whole process group (master and workers) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


class Load:
    """Requests shared by C threads; records latencies and the shopper id of every 200."""

    def __init__(self, port: int, codes: list[str], connections: int):
        self.port, self.codes, self.connections = port, codes, connections
        self.lock = threading.Lock()
        self.remaining = 0
        self.sent = 0
        self.ok_shoppers: list[str] = []
        self.errors: list[str] = []
        self.latencies: list[float] = []

    def _take(self) -> int | None:
        with self.lock:
            if self.remaining <= 0:
                return None
            self.remaining -= 1
            self.sent += 1
            return self.sent

    def _request(self, code: str) -> None:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request("GET", f"/t/{code}", headers={"User-Agent": PHONE})
            response = connection.getresponse()
            response.read()
            cookie = response.getheader("Set-Cookie") or ""
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                self.errors.append(type(error).__name__)
            return
        elapsed = time.perf_counter() - started
        with self.lock:
            if response.status == 200 and cookie:
                # "qs<retailer>=<shopper id>.<signature>; ..." names the stored scan.
                value = cookie.split("=", 1)[1].split(";")[0]
                self.ok_shoppers.append(value.rsplit(".", 1)[0])
                self.latencies.append(elapsed)
            else:
                self.errors.append(f"HTTP {response.status}")

    def _worker(self) -> None:
        while (number := self._take()) is not None:
            self._request(self.codes[number % len(self.codes)])

    def run(self, count: int) -> float:
        """Send count more requests over the connections; return the wall time."""
        self.remaining = count
        threads = [threading.Thread(target=self._worker) for _ in range(self.connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    """The value below which this fraction of values lies (nearest rank), in ms."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def counted_scans(engine) -> int:
    """Scans stored and counted (not bots)."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM scans WHERE NOT is_bot")).scalar()


def stored_shoppers(engine, shoppers: list[str]) -> set[str]:
    """Which of these shoppers have a counted scan stored."""
    found: set[str] = set()
    with engine.connect() as connection:
        for start in range(0, len(shoppers), 500):
            chunk = shoppers[start:start + 500]
            params = {f"s{i}": value for i, value in enumerate(chunk)}
            placeholders = ", ".join(f":s{i}" for i in range(len(chunk)))
            found.update(connection.execute(text(
                f"SELECT shopper_id FROM scans WHERE NOT is_bot AND shopper_id IN ({placeholders})"
            ), params).scalars())
    return found


def integrity(engine) -> str:
    """SQLite's integrity check, or PostgreSQL's index/heap consistency in a count query."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return connection.execute(text("PRAGMA integrity_check")).scalar()
        # Compare an index-only count with a sequential-scan count of the same rows.
        connection.execute(text("SET enable_seqscan = off"))
        by_index = connection.execute(text(
            "SELECT count(*) FROM scans WHERE id > 0")).scalar()
        connection.execute(text("SET enable_seqscan = on; SET enable_indexscan = off; "
                                "SET enable_bitmapscan = off"))
        by_heap = connection.execute(text("SELECT count(*) FROM scans WHERE id > 0")).scalar()
        return "ok" if by_index == by_heap else f"index {by_index} != heap {by_heap}"


def main(argv: list[str] | None = None) -> int:
    """Run the load (and optionally the fault) test; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--database-url")
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server part-way.")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="qrshop-load-")
    url = args.database_url or f"sqlite:///{workdir}/load.sqlite3"
    port = free_port()
    env = {**os.environ, "QRSHOP_DATABASE_URL": url, "QRSHOP_INSTANCE_PATH": workdir,
           "QRSHOP_SECRET_KEY": secrets.token_urlsafe(32),
           "QRSHOP_BASE_URL": f"http://127.0.0.1:{port}",
           "QRSHOP_VENDOR_CONTENT_DIR": f"{workdir}/content"}
    subprocess.run([str(BIN / "qrshop"), "demo", "--no-serve"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listing = subprocess.run([str(BIN / "qrshop"), "tags", "list", "--format", "csv"], env=env,
                             check=True, capture_output=True, text=True).stdout
    codes = [line.split(",")[0] for line in listing.splitlines()[1:]]
    engine = create_engine(url)
    before = counted_scans(engine)
    backend = engine.dialect.name

    load = Load(port, codes, args.connections)
    cut_off = 0
    server = start_server(env, port, args.workers)
    try:
        if args.kill:
            def kill_midway():
                while len(load.ok_shoppers) < args.requests // 3:
                    time.sleep(0.01)
                kill_server(server)

            killer = threading.Thread(target=kill_midway)
            killer.start()
            wall = load.run(args.requests)
            killer.join()
            # Requests refused or cut off while the server was down are the client's to retry.
            cut_off = len(load.errors)
            load.errors = []
            server = start_server(env, port, args.workers)
            wall += load.run(args.requests - len(load.ok_shoppers))
        else:
            wall = load.run(args.requests)
    finally:
        kill_server(server, signal.SIGTERM)

    stored = counted_scans(engine) - before
    ok = len(load.ok_shoppers)
    missing = set(load.ok_shoppers) - stored_shoppers(engine, load.ok_shoppers)
    check = integrity(engine)
    engine.dispose()

    print(f"scan load on {backend}: {args.requests} requests, {args.connections} connections, "
          f"{args.workers} gunicorn workers{', server SIGKILLed once' if args.kill else ''}")
    print(f"  200 responses       {ok}")
    print(f"  errors              {len(load.errors)}"
          + (f" (+{cut_off} requests cut off by the kill, then retried)" if args.kill else ""))
    print(f"  throughput          {ok / wall:.0f} scans/s")
    print(f"  latency p50 / p99   {percentile(load.latencies, 0.5):.1f} / "
          f"{percentile(load.latencies, 0.99):.1f} ms")
    print(f"  counted scans added {stored}")
    print(f"  200s not stored     {len(missing)}")
    print(f"  integrity check     {check}")
    failures = []
    if load.errors:
        failures.append(f"{len(load.errors)} errors outside the kill")
    if missing:
        failures.append(f"{len(missing)} acknowledged scans missing")
    if check != "ok":
        failures.append(f"integrity check: {check}")
    if not args.kill and (ok != args.requests or stored != args.requests):
        failures.append(f"expected {args.requests} counted scans, stored {stored}")
    if args.kill and stored < ok:
        failures.append(f"stored {stored} < acknowledged {ok}")
    print("RESULT: " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
