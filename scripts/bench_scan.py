"""Benchmark of the scan path: qrshop's GET /t/<code> against a Flask hello-world.

Seeds the demo database (throw-away SQLite by default, or --database-url), then serves two
apps in turn under gunicorn with identical settings -- qrshop's production options from
qrshop.server.gunicorn_options (sync workers, 2 x cores + 1) without the access log -- and
loads each with wrk (or, without wrk, a Python load generator) after a short warm-up.
qrshop's requests cycle over every seeded tag with an iPhone Safari User-Agent, so each one
is a counted shelf scan by a new shopper.

On PostgreSQL a third app is measured between the two: "hello+insert", the hello-world that
also writes one scan row per request with qrshop's own INSERT, sent and awaited at once on a
kept autocommit connection, into a twin of this month's partition of the scan log (same
columns and indexes; made before, dropped after): what the durable write alone costs on
this machine, about the most any page that stores its scan could reach.

With --rounds N the apps are loaded in turn N times (servers started once) and the table
shows medians; each ratio is taken within a round, where its two runs are seconds apart.

Prints requests/s, p50/p99 latency and errors for each, the qrshop/hello throughput ratio
(target >= 0.50; the issue's PostgreSQL target at --workers 2 is 0.40), qrshop against
hello+insert on PostgreSQL, and qrshop's p99 (target <= 30 ms); checks that every 200
stored exactly one counted scan; and prints the landing page's weight raw and compressed
(target <= 14 KB, the first round trip). Loopback only; bounded in time.

    .venv/bin/python scripts/bench_scan.py [--quick] [--duration S] [--connections C]
        [--workers N] [--database-url URL] [--loadgen auto|wrk|python] [--rounds N]
        [--strict]

With QRSHOP_METRICS_TOKEN set, the servers count into /metrics as `qrshop serve` does
(prometheus-client's multiprocess files), to measure what counting costs a scan.

Exit status: 0, or 1 if the run failed or the scans stored do not match the 200s
(with --strict, also if a target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from sqlalchemy import create_engine, text

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
TARGET_RATIO = 0.50
TARGET_P99_MS = 30.0
TARGET_WEIGHT_BYTES = 14 * 1024
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0

HELLO_MODULE = '''\
"""Flask hello-world: the baseline the scan path is compared with."""

from flask import Flask


def create_app():
    """A one-route app returning a short HTML page."""
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "<!doctype html><title>Hello</title><p>Hello, world!</p>"

    return app
'''

# The hello-world plus the scan's durable write (PostgreSQL): qrshop's own INSERT of a scan
# (shopper.recording), into FLOOR_TABLE, sent and awaited at once with qrshop.db_send on a
# kept autocommit connection, as the scan path does.
FLOOR_TABLE = "bench_floor_scans"
FLOOR_MODULE = '''\
"""Flask hello-world that also stores one scan row per request, as a scan does."""

import os
import secrets

from flask import Flask
from sqlalchemy import create_engine

from qrshop.db import DriverConnection, utcnow
from qrshop.db_send import SentStatement, wait
from qrshop.shopper.recording import _insert_scan_statement

STATEMENT = SentStatement(_insert_scan_statement(False, into="{table}"), "bench_floor")


def create_app():
    """hello() stores a row, then answers like the hello-world."""
    app = Flask(__name__)
    kept = {}

    @app.get("/")
    def hello():
        driver = kept.get("driver")
        if driver is None:
            engine = create_engine(os.environ["QRSHOP_DATABASE_URL"])
            dbapi = engine.raw_connection()
            dbapi.driver_connection.autocommit = True
            driver = kept["driver"] = DriverConnection(dbapi, engine.dialect, autocommit=True)
        if not STATEMENT.send(driver, {
                "p_tag_id": 1, "p_listing_id": 1, "p_store_id": 1, "p_retailer_id": 1,
                "p_shopper_id": secrets.token_urlsafe(16), "p_scanned_at": utcnow(),
                "p_is_bot": False, "p_bot_reason": None, "p_device": "phone",
                "p_variant_id": None}):
            raise RuntimeError("the server refused the INSERT")
        wait(driver)
        return "<!doctype html><title>Hello</title><p>Hello, world!</p>"

    return app
'''.replace("{table}", FLOOR_TABLE)

# Both apps run through this launcher so their gunicorn settings are the same by construction.
LAUNCHER_MODULE = '''\
"""Serve module:factory under gunicorn with qrshop's production options, no access log."""

import importlib
import os
import sys

from qrshop.server import QrshopServer, gunicorn_options, metrics_options


def main():
    """argv: module:factory bind workers."""
    target, bind, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    module_name, _, factory_name = target.partition(":")

    def factory():
        return getattr(importlib.import_module(module_name), factory_name)()

    options = gunicorn_options(bind, workers, access_log=False)
    if os.environ.get("QRSHOP_METRICS_TOKEN"):  # as `qrshop serve` does: shared counts
        options.update(metrics_options())
    print("gunicorn options:", options, file=sys.stderr, flush=True)
    QrshopServer(factory, options).run()


if __name__ == "__main__":
    main()
'''

WRK_SCRIPT = '''\
-- Round-robin over the given paths; each wrk thread starts at a different one.
-- Script argument: the number of wrk threads.
local paths = {%s}
local position = 0
local threads_made = 0

function setup(thread)
  thread:set("offset", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  local threads = tonumber(args[1]) or 1
  position = math.floor((offset or 0) * #paths / threads)
end

function request()
  position = position + 1
  return wrk.format(nil, paths[(position %% #paths) + 1])
end
'''


@dataclass
class LoadResult:
    """What one measured run produced."""

    requests: int
    ok: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], env: dict, timeout: float = 120) -> str:
    """Run the qrshop CLI; return its stdout, or exit with its stderr on failure."""
    result = subprocess.run([str(BIN / "qrshop"), *args], env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise SystemExit(f"qrshop {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


class Server:
    """One gunicorn (master and workers) in its own process group, logging to a file."""

    def __init__(self, name: str, workdir: Path, target: str, port: int, workers: int,
                 env: dict):
        self.name, self.port = name, port
        self.log_path = workdir / f"{name}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(workdir / "bench_launcher.py"), target, f"{HOST}:{port}",
                 str(workers)],
                env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log_tail(self, chars: int = 2000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_ready(self, path: str) -> None:
        """Poll path until it answers 200; exit with the log if the server dies or stalls."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", path, headers={"User-Agent": PHONE_UA})
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
            time.sleep(0.1)
        raise SystemExit(f"{self.name} server did not answer {path} in {START_TIMEOUT:.0f} s:\n"
                         f"{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                # Fields after the command name: state ppid pgrp ... utime(14) stime(15).
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:
                    total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        """SIGTERM the process group (graceful), then SIGKILL it if it lingers."""
        if self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)


def to_ms(value: str) -> float:
    """Convert a wrk duration such as 812.00us, 1.25ms, 2.01s or 1.50m to milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {value!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    return float(match.group(1)) * scale[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    """Read requests, req/s, p50/p99 and errors from `wrk --latency` output."""
    def number(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match.group(1)
        if default is None:
            raise ValueError(f"wrk output has no match for {pattern!r}:\n{output}")
        return default

    requests = int(number(r"^\s*(\d+) requests in "))
    non_2xx = int(number(r"Non-2xx or 3xx responses:\s*(\d+)", "0"))
    socket_errors = 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      output)
    if match:
        socket_errors = sum(int(group) for group in match.groups())
    return LoadResult(
        requests=requests, ok=requests - non_2xx, errors=non_2xx + socket_errors,
        rps=float(number(r"^Requests/sec:\s*([\d.]+)")),
        p50_ms=to_ms(number(r"^\s*50%\s+(\S+)")), p99_ms=to_ms(number(r"^\s*99%\s+(\S+)")),
    )


def run_wrk(url: str, lua: Path | None, seconds: int, connections: int,
            threads: int) -> LoadResult:
    """Load url (or the paths of a Lua script) with wrk for seconds; return the figures."""
    threads = min(threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "--latency", "-H", f"User-Agent: {PHONE_UA}"]
    if lua is not None:
        command += ["-s", str(lua), url, "--", str(threads)]
    else:
        command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                            check=False)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_python(paths: list[str], port: int, seconds: int, connections: int) -> LoadResult:
    """Load with threads and http.client, one connection per request, for seconds."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failures = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            path = paths[next(counter) % len(paths)]
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
                connection.request("GET", path, headers={"User-Agent": PHONE_UA,
                                                         "Connection": "close"})
                response = connection.getresponse()
                response.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                continue
            if 200 <= response.status < 300:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    ok = len(latencies)
    return LoadResult(requests=ok + failures[0], ok=ok, errors=failures[0],
                      rps=(ok + failures[0]) / elapsed, p50_ms=percentile(latencies, 0.50),
                      p99_ms=percentile(latencies, 0.99))


class Loader:
    """Runs warm-up and measured loads with wrk or the Python fallback."""

    def __init__(self, use_wrk: bool, connections: int, threads: int, workdir: Path):
        self.use_wrk, self.connections, self.threads = use_wrk, connections, threads
        self.workdir = workdir

    def load(self, port: int, paths: list[str], seconds: int) -> LoadResult:
        """Load the server on port over paths (cycled) for seconds."""
        if not self.use_wrk:
            return run_python(paths, port, seconds, self.connections)
        lua = None
        if len(paths) > 1:
            lua = self.workdir / "paths.lua"
            lua.write_text(WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
        return run_wrk(f"http://{HOST}:{port}{paths[0]}", lua, seconds, self.connections,
                       self.threads)


def scan_counts(engine) -> tuple[int, int]:
    """(counted scans, bot-flagged scans) stored so far."""
    with engine.connect() as connection:
        counted = connection.execute(
            text("SELECT count(*) FROM scans WHERE NOT is_bot")).scalar_one()
        bots = connection.execute(text("SELECT count(*) FROM scans WHERE is_bot")).scalar_one()
    return counted, bots


def settled_counts(engine, timeout: float = 5.0) -> tuple[int, int]:
    """Scan counts once requests still in flight when the load stopped have committed."""
    counts = scan_counts(engine)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.3)
        again = scan_counts(engine)
        if again == counts:
            break
        counts = again
    return counts


class AssetFinder(HTMLParser):
    """Collects the stylesheets, scripts and images an HTML page references."""

    def __init__(self):
        super().__init__()
        self.blocking: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Note <link rel=stylesheet href>, <script src> and <img src>."""
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and "stylesheet" in values.get("rel", "").lower().split():
            self.blocking.append(values.get("href", ""))
        elif tag == "script" and values.get("src"):
            self.blocking.append(values["src"])
        elif tag == "img" and values.get("src"):
            self.images.append(values["src"])


def fetch(url: str, accept_encoding: str = "identity") -> tuple[int, dict, bytes]:
    """GET a loopback URL as a phone; return status, headers (lower-case names) and body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"User-Agent": PHONE_UA,
                                                   "Accept-Encoding": accept_encoding})
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        connection.close()


def compressed_sizes(body: bytes) -> dict[str, int]:
    """Body size raw, gzip -6 and (if the brotli module is installed) brotli."""
    sizes = {"raw": len(body), "gzip": len(gzip.compress(body, compresslevel=6, mtime=0))}
    try:
        import brotli
    except ImportError:
        pass
    else:
        sizes["brotli"] = len(brotli.compress(body))
    return sizes


def page_weight(port: int, code: str) -> bool:
    """Print the landing page's weight with its stylesheets and scripts; True if on target."""
    # ?via=store: a visit, not a shelf scan, so the scan counts above stay as they are.
    page_url = f"http://{HOST}:{port}/t/{code}?via=store"
    status, headers, body = fetch(page_url)
    if status != 200:
        print(f"landing page weight: GET {page_url} answered {status}")
        return False
    served_encoding = fetch(page_url, "gzip, deflate, br")[1].get("content-encoding", "none")
    finder = AssetFinder()
    finder.feed(body.decode("utf-8", errors="replace"))

    rows = [("HTML " + urlsplit(page_url).path, compressed_sizes(body))]
    external = []
    for reference in finder.blocking:
        url = urljoin(page_url, reference)
        if reference.startswith("data:"):
            continue
        if urlsplit(url).hostname != HOST:
            external.append(url)
            continue
        asset_status, _, asset = fetch(url)
        label = f"{reference}" + ("" if asset_status == 200 else f" (HTTP {asset_status})")
        rows.append((label, compressed_sizes(asset)))
    totals = {key: sum(sizes.get(key, 0) for _, sizes in rows) for key in rows[0][1]}

    print(f"\nlanding page weight (HTML + {len(rows) - 1} stylesheets/scripts it references):")
    columns = list(totals)
    print(f"  {'resource':<44}" + "".join(f"{name:>10}" for name in columns))
    for label, sizes in [*rows, ("total", totals)]:
        print(f"  {label[:44]:<44}" + "".join(f"{sizes[name]:>10}" for name in columns))
    header_bytes = sum(len(k) + len(v) + 4 for k, v in headers.items())
    print(f"  response headers ~{header_bytes} bytes; served Content-Encoding: {served_encoding}")
    for url in external:
        print(f"  not fetched (not loopback): {url}")
    for reference in finder.images:
        if reference.startswith("data:"):
            continue
        image_status, _, image = fetch(urljoin(page_url, reference))
        print(f"  image (not render-blocking, not in the total): {reference} "
              f"{len(image)} bytes" + ("" if image_status == 200 else f" (HTTP {image_status})"))
    method, best = min(((key, value) for key, value in totals.items() if key != "raw"),
                       key=lambda item: item[1])
    on_target = best <= TARGET_WEIGHT_BYTES
    print(f"page weight compressed ({method}) = {best / 1024:.1f} KB (target <= "
          f"{TARGET_WEIGHT_BYTES // 1024} KB) {'ok' if on_target else 'MISSED'}")
    return on_target


def print_failure_sample(server: Server, path: str) -> None:
    """Show what one request answers now and the last error lines the server logged."""
    try:
        status, _, body = fetch(f"http://{HOST}:{server.port}{path}")
        print(f"{server.name} had errors; GET {path} now answers {status} ({len(body)} bytes)")
    except (OSError, http.client.HTTPException) as error:
        print(f"{server.name} had errors; GET {path} now fails: {error!r}")
    errors = [line for line in server.log_tail(200_000).splitlines()
              if "Error" in line or "error" in line]
    for line in errors[-5:]:
        print(f"  log: {line[:300]}")


def make_floor_table(engine) -> None:
    """(Re)create the twin of this month's scan partition that hello+insert writes to."""
    with engine.begin() as connection:
        source = connection.scalar(text(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = 'scans'::regclass AND inhrelid::regclass::text = "
            "'scans_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')")) or "scans"
        connection.execute(text(f"DROP TABLE IF EXISTS {FLOOR_TABLE}"))
        connection.execute(text(
            f"CREATE TABLE {FLOOR_TABLE} (LIKE {source} INCLUDING DEFAULTS INCLUDING INDEXES)"))


def drop_floor_table(engine) -> None:
    """Remove hello+insert's table."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {FLOOR_TABLE}"))


def warm_up(server: Server, ready_path: str, paths: list[str], loader: Loader,
            args: argparse.Namespace) -> None:
    """Wait until the server answers, then load it for the warm-up time."""
    server.wait_ready(ready_path)
    print(f"{server.name}: warming up {args.warmup} s, measuring {args.duration} s ...",
          flush=True)
    if args.warmup > 0:
        loader.load(server.port, paths, args.warmup)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="measured seconds [10]")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds [2]")
    parser.add_argument("--quick", action="store_true", help="3 s measured, 1 s warm-up")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--store", help="only scan this store's tags (e.g. ATL01)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads [2]")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers [2 x cores + 1]")
    parser.add_argument("--database-url",
                        help="benchmark on this database (e.g. postgresql+psycopg://...) "
                             "instead of a throw-away SQLite file; `qrshop demo` migrates and "
                             "seeds it idempotently, and scans are counted as differences")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator: wrk if on PATH (auto), or the Python fallback")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the apps in turn this many times and print medians, "
                             "each ratio taken within a round [1]")
    parser.add_argument("--strict", action="store_true",
                        help="also exit 1 when a throughput, latency or weight target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 3, 1
    if args.loadgen == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not on PATH (apt-get install wrk)")
    if (min(args.duration, args.connections, args.workers, args.threads, args.rounds) < 1
            or args.warmup < 0):
        parser.error("--duration, --connections, --workers, --threads and --rounds must be "
                     "at least 1, --warmup at least 0")
    return args


def run(args: argparse.Namespace, workdir: Path, servers: list[Server]) -> int:
    """Seed, serve, load and check; return the exit status."""
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    qrshop_port = free_port()
    env = {**os.environ, "QRSHOP_INSTANCE_PATH": str(workdir), "QRSHOP_DATABASE_URL": url,
           "QRSHOP_SECRET_KEY": secrets.token_urlsafe(32),
           "QRSHOP_BASE_URL": f"http://{HOST}:{qrshop_port}",
           "QRSHOP_VENDOR_CONTENT_DIR": str(workdir / "content"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    (workdir / "bench_hello.py").write_text(HELLO_MODULE)
    (workdir / "bench_launcher.py").write_text(LAUNCHER_MODULE)

    run_cli(["demo", "--no-serve", "--port", str(qrshop_port)], env)
    tags = json.loads(run_cli(["tags", "list", "--format", "json",
                               *(["--store", args.store] if args.store else [])], env))
    codes = [tag["code"] for tag in tags if tag.get("status", "active") == "active"]
    if not codes:
        raise SystemExit("the demo database has no active tags")

    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and bool(shutil.which("wrk")))
    loader = Loader(use_wrk, args.connections, args.threads, workdir)
    engine = create_engine(url)
    generator = "Python load generator" + (" (wrk not on PATH)" if args.loadgen == "auto" else "")
    print(f"{'wrk' if use_wrk else generator}: "
          f"{args.connections} connections"
          + (f", {args.threads} threads" if use_wrk else ", no keep-alive")
          + f"; gunicorn: {args.workers} sync workers, no access log; "
          f"database: {engine.dialect.name}; {len(codes)} tags", flush=True)

    apps: list[tuple[Server, list[str]]] = []
    floor_table = engine.dialect.name == "postgresql"
    try:
        hello = Server("hello", workdir, "bench_hello:create_app", free_port(), args.workers,
                       env)
        servers.append(hello)
        apps.append((hello, ["/"]))
        if floor_table:
            make_floor_table(engine)
            (workdir / "bench_floor.py").write_text(FLOOR_MODULE)
            floor = Server("hello+insert", workdir, "bench_floor:create_app", free_port(),
                           args.workers, env)
            servers.append(floor)
            apps.append((floor, ["/"]))
        qrshop = Server("qrshop", workdir, "qrshop:create_app", qrshop_port, args.workers, env)
        servers.append(qrshop)
        paths = [f"/t/{code}" for code in codes]
        apps.append((qrshop, paths))
        for server, server_paths in apps:
            warm_up(server, "/healthz" if server is qrshop else "/", server_paths, loader, args)

        # {name: [(LoadResult, CPU seconds), ...]}, one entry per round, the apps in turn.
        results: dict[str, list[tuple[LoadResult, float]]] = {s.name: [] for s, _ in apps}
        scan_checks: list[tuple[int, int, int, int]] = []  # counted, bots, 200s, slack
        for round_number in range(1, args.rounds + 1):
            for server, server_paths in apps:
                if server is qrshop:
                    before_counted, before_bots = settled_counts(engine)
                cpu_before = server.cpu_seconds()
                result = loader.load(server.port, server_paths, args.duration)
                results[server.name].append((result, server.cpu_seconds() - cpu_before))
                if server is qrshop:
                    after_counted, after_bots = settled_counts(engine)
                    scan_checks.append((after_counted - before_counted,
                                        after_bots - before_bots, result.ok,
                                        args.connections + result.errors))
            if args.rounds > 1:
                print(f"round {round_number}: " + ", ".join(
                    f"{name} {runs[-1][0].rps:.0f} req/s" for name, runs in results.items()),
                    flush=True)
        if any(result.errors for result, _ in results["qrshop"]):
            print_failure_sample(qrshop, paths[0])
        weight_ok = page_weight(qrshop.port, codes[0])
        for server, _ in apps:
            server.stop()
    finally:
        if floor_table:
            drop_floor_table(engine)
        engine.dispose()

    return report(args, results, scan_checks, weight_ok)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(args: argparse.Namespace, results: dict, scan_checks: list, weight_ok: bool) -> int:
    """Print the table (medians over the rounds), the ratios and the scan check; return the
    exit status."""
    label = "" if args.rounds == 1 else f"  (medians of {args.rounds} interleaved rounds)"
    print(f"\n{'name':<12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
          f"{'server CPU us/req':>19}{label}")
    for name, runs in results.items():
        requests = sum(result.requests for result, _ in runs)
        per_request = sum(cpu for _, cpu in runs) / requests * 1e6 if requests else 0.0
        print(f"{name:<12}{_median([result.rps for result, _ in runs]):>10.1f}"
              f"{_median([result.p50_ms for result, _ in runs]):>10.2f}"
              f"{_median([result.p99_ms for result, _ in runs]):>10.2f}"
              f"{sum(result.errors for result, _ in runs):>8}{per_request:>19.0f}")

    def ratios(top: str, bottom: str) -> list[float]:
        """Two apps' req/s divided, round by round (each pair measured minutes apart)."""
        pairs = zip(results[top], results[bottom], strict=True)
        return [a.rps / b.rps for (a, _), (b, _) in pairs if b.rps]

    ratio = _median(ratios("qrshop", "hello"))
    if args.rounds > 1:
        print("ratio qrshop/hello by round: "
              + ", ".join(f"{value:.2f}" for value in ratios("qrshop", "hello")))
    if "hello+insert" in results:
        print(f"hello+insert/hello = {_median(ratios('hello+insert', 'hello')):.2f}; "
              f"qrshop/(hello+insert) = {_median(ratios('qrshop', 'hello+insert')):.2f}")
    ratio_ok = ratio >= TARGET_RATIO
    p99 = _median([result.p99_ms for result, _ in results["qrshop"]])
    p99_ok = p99 <= TARGET_P99_MS
    print(f"ratio qrshop/hello = {ratio:.2f} (target >= {TARGET_RATIO:.2f}) "
          f"{'ok' if ratio_ok else 'MISSED'}")
    print(f"p99 qrshop = {p99:.1f} ms (target <= {TARGET_P99_MS:.0f} ms) "
          f"{'ok' if p99_ok else 'MISSED'}")

    # A 200 is sent only after its scan committed; requests cut off when the load stopped
    # may be stored without a 200 being counted by the load generator.
    counted, bots, ok, slack = (sum(check[i] for check in scan_checks) for i in range(4))
    scans_ok = bots == 0 and all(0 < check[2] <= check[0] <= check[2] + check[3]
                                 for check in scan_checks)
    print(f"\nscans during the measured run{'s' if args.rounds > 1 else ''}: {counted} "
          f"counted, {bots} flagged as bots; {ok} successful responses "
          f"(difference {counted - ok:+d}, allowed 0..+{slack}) "
          f"{'ok' if scans_ok else 'MISMATCH'}")

    errors = sum(result.errors for runs in results.values() for result, _ in runs)
    failed = not scans_ok or errors > 0
    if args.strict and not (ratio_ok and p99_ok and weight_ok):
        failed = True
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, always stopping the servers and removing the temporary files."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="qrshop-bench-"))
    servers: list[Server] = []

    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return run(args, workdir, servers)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as error:  # keep stopping the others
                print(f"could not stop {server.name}: {error}", file=sys.stderr)
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
