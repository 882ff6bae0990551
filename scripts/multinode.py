"""Two-node test: two `qrshop serve` nodes and a worker on one PostgreSQL and one Redis.

Creates a fresh database (qs_multinode_<pid>) on the --database-url server and claims an
empty Redis database, seeds the demo, starts nodes A and B (different ports, separate
instance folders, the same secret key) and `qrshop worker`, then checks, across the nodes:

1. coupon   N tills redeem one coupon, split over A and B at once: exactly one 201, the rest
            409 already_redeemed;
2. limits   5 failed logins alternating A and B lock the account: the 6th, with the right
            password, is refused 429; of 20 wrong logins sent at once to both, exactly 5 get
            a 401. The per-shopper feedback limit (10 per hour) holds across the nodes: 10
            accepted over A and B, the 11th refused 429, counted once in Redis; of 20 posts
            of one shopper sent at once to both, exactly 10 pass; an API token's requests
            sent at once to both: exactly QRSHOP_API_RATE_LIMIT (tills + 50 a minute) pass;
3. price    a price changed through A's API shows on B's landing page within the scan
            path's promise (LANDING_DATA_MAX_AGE_SECONDS, docs/scan-path.md);
4. scans    N scans over A and B with A SIGKILLed a third of the way: every acknowledged
            scan (200) stored exactly once (each request is a new shopper whose cookie
            names its scan row);
5. health   GET /healthz of the killed node is refused; B answers 200;
6. worker   an alert sign-up through B is e-mailed by the worker.

Prints PASS/FAIL per check with its figures; exits 1 if any fails or it cannot run.
Drops the database, flushes the claimed Redis database and stops every process it started,
also on failure or Ctrl-C. Loopback only; bounded in requests and time (--timeout).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import redis
from load_scans import BIN, PHONE, free_port, integrity, kill_server, percentile
from redeem_race import claim_coupon, qrshop
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from qrshop.config import defaults as qrshop_defaults
from qrshop.mail_catcher import MailCatcher

REDIS_OWNER_KEY = "qrshop-multinode:owner"
# Slack for the price check: the node's clock for a tag's age starts a moment before its
# SELECT reads the tag; a stale answer to a request sent later than the promise plus this
# breaks the promise.
PRICE_SLACK_SECONDS = 0.05


# ---------------------------------------------------------------- processes and resources


@dataclass
class Node:
    """One `qrshop serve` (its whole process group) on 127.0.0.1:port."""

    name: str
    port: int
    process: subprocess.Popen | None = None

    def request(self, method: str, path: str, *, body: bytes | str | None = None,
                headers: dict | None = None, timeout: float = 30):
        """One request on a new connection: (status, headers as a list, body bytes)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


@dataclass
class Run:
    """Everything the run started or claimed, released by cleanup() whatever happens."""

    workdir: str
    admin_url: str = ""
    database: str = ""
    redis_client: redis.Redis | None = None
    nodes: list[Node] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    catcher: MailCatcher | None = None

    def cleanup(self) -> None:
        """Stop processes, drop the database, flush the claimed Redis database."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                stop_group(node.process)
        if self.worker is not None and self.worker.poll() is None:
            stop_group(self.worker)
        if self.catcher is not None:
            self.catcher.stop()
        if self.database:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with contextlib.suppress(Exception), engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            engine.dispose()
            self.database = ""
        if self.redis_client is not None:
            with contextlib.suppress(redis.RedisError):
                self.redis_client.flushdb()
            self.redis_client = None


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM a process group, SIGKILL it if it has not ended within 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        kill_server(process)


def start_node(run: Run, node: Node, env: dict, workers: int) -> None:
    """Start `qrshop serve` for node in its own process group; wait until /healthz is 200."""
    log = open(Path(run.workdir) / f"node-{node.name}.log", "wb")  # noqa: SIM115
    node.process = subprocess.Popen(
        [str(BIN / "qrshop"), "serve", "--bind", f"127.0.0.1:{node.port}",
         "--workers", str(workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise SystemExit(f"node {node.name} exited at start; see {log.name}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if node.request("GET", "/healthz", timeout=2)[0] == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"node {node.name} did not answer /healthz within 60 s; see {log.name}")


def claim_redis(url: str | None) -> tuple[redis.Redis, str]:
    """An empty Redis database marked as this run's: the URL's, or the first free of 15..1."""
    if url and urlsplit(url).path.strip("/"):
        candidates = [url]
    else:
        base = urlsplit(url or "redis://127.0.0.1:6379")
        candidates = [urlunsplit(base._replace(path=f"/{db}")) for db in range(15, 0, -1)]
    for candidate in candidates:
        client = redis.Redis.from_url(candidate, socket_timeout=5)
        # SET NX first: two runs never take the same database; then it must hold only that.
        if client.set(REDIS_OWNER_KEY, os.getpid(), nx=True):
            if client.dbsize() == 1:
                return client, candidate
            client.delete(REDIS_OWNER_KEY)
    raise SystemExit(f"no empty Redis database to use at {url or 'redis://127.0.0.1:6379'} "
                     "(this script flushes the one it uses)")


def create_database(run: Run, server_url: str) -> str:
    """Create qs_multinode_<pid> on the server of server_url; return its URL."""
    run.admin_url = server_url
    run.database = f"qs_multinode_{os.getpid()}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{run.database}"'))
        connection.execute(text(f'CREATE DATABASE "{run.database}"'))
    engine.dispose()
    return make_url(server_url).set(database=run.database).render_as_string(
        hide_password=False)


# ---------------------------------------------------------------- the checks


class Report:
    """PASS/FAIL lines with their figures."""

    def __init__(self):
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, figures: str) -> None:
        """Print one check's verdict and figures."""
        print(f"{'PASS' if ok else 'FAIL'} {name}: {figures}", flush=True)
        if not ok:
            self.failed.append(name)

    def attempt(self, name: str, check, *args) -> None:
        """Run one check; an exception in it fails that check only (the others still run)."""
        try:
            check(*args)
        except Exception as error:  # noqa: BLE001 - reported as the check's failure
            self.check(name, False, f"{type(error).__name__}: {error}")


def cookies_of(headers) -> str:
    """The Cookie header that sends back every Set-Cookie of an answer."""
    return "; ".join(value.split(";")[0] for name, value in headers
                     if name.lower() == "set-cookie")


def check_coupon(report: Report, nodes: list[Node], token: str, tag_code: str,
                 tills: int) -> None:
    """Tills redeem one coupon at the same instant, alternating the nodes."""
    coupon = claim_coupon(nodes[0].port, tag_code)
    body = json.dumps({"code": coupon, "store": "ATL01", "sale_amount_cents": 4999})
    start = threading.Barrier(tills)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def till(number: int):
        node = nodes[number % 2]
        connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
        try:
            connection.connect()
            start.wait(timeout=60)
            connection.request("POST", "/api/v1/redemptions", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
            key = f"{response.status} {answer.get('error', '')}".strip()
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            key = type(error).__name__
        finally:
            connection.close()
        with lock:
            statuses[(node.name, key)] += 1

    threads = [threading.Thread(target=till, args=(n,)) for n in range(tills)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_answer = Counter()
    for (_, key), count in statuses.items():
        by_answer[key] += count
    ok = by_answer["201"] == 1 and by_answer["409 already_redeemed"] == tills - 1
    detail = ", ".join(f"{name}: {key} x{count}" for (name, key), count in sorted(statuses.items()))
    report.check("1 coupon", ok, f"{tills} redemptions of {coupon} at once -> "
                 f"{by_answer['201']} x 201, {by_answer['409 already_redeemed']} x 409 ({detail})")


def check_lockout(report: Report, nodes: list[Node], email: str, password: str,
                  engine) -> None:
    """5 failed logins over both nodes lock the account for the right password too."""
    cookie, token = login_form(nodes[0])
    answers = []
    for attempt in range(6):
        node = nodes[attempt % 2]
        tried = password if attempt == 5 else f"wrong-{attempt}"
        status, _, _ = node.request("POST", "/login", body=urlencode(
            {"csrf_token": token, "email": email, "password": tried}), headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        answers.append(f"{node.name}:{status}")
    with engine.connect() as connection:
        failures = connection.execute(text(
            "SELECT failed_count, locked_until IS NOT NULL FROM login_failures")).all()
    ok = [a.split(":")[1] for a in answers] == ["401"] * 5 + ["429"]
    report.check("2a lockout", ok, f"logins {' '.join(answers)} (5 wrong, then the right "
                 f"password); login_failures rows {[tuple(row) for row in failures]}")


def check_shopper_limit(report: Report, nodes: list[Node], tag_code: str,
                        redis_client: redis.Redis, engine) -> None:
    """The per-shopper feedback limit (10 per hour) counts once for both nodes, in Redis."""
    status, headers, html = nodes[0].request("GET", f"/t/{tag_code}",
                                             headers={"User-Agent": PHONE})
    cookie = cookies_of(headers)
    shopper_id = cookie.split("=", 1)[1].rsplit(".", 1)[0]
    form = re.search(rf'<form method="post" action="/t/{tag_code}/feedback"(.*?)</form>'
                     .encode(), html, re.S)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.group(1)).group(1).decode()
    answers = []
    redis_count = None
    for attempt in range(11):
        node = nodes[attempt % 2]
        if attempt == 10:
            redis_count = [int(redis_client.get(key)) for key in redis_client.scan_iter(
                f"*{shopper_id}*") if b"feedback" in key]
        status, _, _ = node.request("POST", f"/t/{tag_code}/feedback", body=urlencode({
            "csrf_token": token, "rating": "5", "helpful": "yes",
            "comment": f"two nodes {attempt}"}), headers={
            "User-Agent": PHONE, "Cookie": cookie, "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded"})
        answers.append(f"{node.name}:{status}")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT comment FROM feedback WHERE shopper_id = :s"),
                                    {"s": shopper_id}).scalars().all()
        in_database = connection.execute(text("SELECT count(*) FROM rate_limit_counters")).scalar()
    ok = ([a.split(":")[1] for a in answers] == ["200"] * 10 + ["429"]
          and stored == ["two nodes 9"]
          and redis_count == [10] and in_database == 0)
    report.check("2b shopper limit", ok, f"feedback posts {' '.join(answers)}; the shopper's "
                 f"feedback row (each post replaces it) {stored}; "
                 f"Redis count of the shopper's key before the 11th {redis_count}; "
                 f"rate_limit_counters rows {in_database}")


def at_once(nodes: list[Node], count: int, send) -> Counter:
    """count threads, alternating the nodes, released together: send(node, number) returns
    an HTTP status; the Counter is of "<node>:<status>"."""
    start = threading.Barrier(count)
    answers: Counter = Counter()
    lock = threading.Lock()

    def one(number: int):
        node = nodes[number % len(nodes)]
        try:
            start.wait(timeout=60)
            key = f"{node.name}:{send(node, number)}"
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            key = f"{node.name}:{type(error).__name__}"
        with lock:
            answers[key] += 1

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def by_status(answers: Counter) -> Counter:
    """A Counter of "<node>:<status>" summed over the nodes."""
    statuses: Counter = Counter()
    for key, count in answers.items():
        statuses[key.split(":", 1)[1]] += count
    return statuses


def login_form(node: Node) -> tuple[str, str]:
    """The session cookie and CSRF token of a login form."""
    _, headers, html = node.request("GET", "/login")
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|'
                      rb'name="csrf_token" value="([^"]+)"', html)
    return cookies_of(headers), (found.group(1) or found.group(2)).decode()


def check_lockout_at_once(report: Report, nodes: list[Node], email: str, attempts: int) -> None:
    """Wrong logins sent at the same instant to both nodes: exactly 5 get their password
    checked (401), every other one is refused as locked (429)."""
    cookie, token = login_form(nodes[1])

    def send(node: Node, number: int) -> int:
        return node.request("POST", "/login", body=urlencode(
            {"csrf_token": token, "email": email, "password": f"wrong-at-once-{number}"}),
            headers={"Cookie": cookie,
                     "Content-Type": "application/x-www-form-urlencoded"})[0]

    answers = at_once(nodes, attempts, send)
    statuses = by_status(answers)
    ok = statuses == Counter({"401": 5, "429": attempts - 5})
    report.check("2c lockout at once", ok, f"{attempts} wrong logins at once -> "
                 f"{dict(sorted(statuses.items()))} ({dict(sorted(answers.items()))})")


def check_shopper_limit_at_once(report: Report, nodes: list[Node], tag_code: str,
                                posts: int) -> None:
    """One shopper's feedback posts sent at the same instant to both nodes: exactly 10 pass."""
    _, headers, html = nodes[1].request("GET", f"/t/{tag_code}", headers={"User-Agent": PHONE})
    cookie = cookies_of(headers)
    form = re.search(rf'<form method="post" action="/t/{tag_code}/feedback"(.*?)</form>'
                     .encode(), html, re.S)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.group(1)).group(1).decode()

    def send(node: Node, number: int) -> int:
        return node.request("POST", f"/t/{tag_code}/feedback", body=urlencode({
            "csrf_token": token, "rating": "4", "comment": f"at once {number}"}), headers={
            "User-Agent": PHONE, "Cookie": cookie, "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded"})[0]

    answers = at_once(nodes, posts, send)
    statuses = by_status(answers)
    ok = statuses == Counter({"200": 10, "429": posts - 10})
    report.check("2d shopper limit at once", ok, f"{posts} feedback posts of one shopper at "
                 f"once -> {dict(sorted(statuses.items()))} ({dict(sorted(answers.items()))})")


def check_api_limit_at_once(report: Report, nodes: list[Node], token: str, limit: int,
                            extra: int = 20) -> None:
    """A token's requests over its limit, sent at once to both nodes: exactly limit pass."""
    def send(node: Node, number: int) -> int:
        return node.request("GET", "/api/v1/listings?limit=1",
                            headers={"Authorization": f"Bearer {token}"})[0]

    answers = at_once(nodes, limit + extra, send)
    statuses = by_status(answers)
    ok = statuses == Counter({"200": limit, "429": extra})
    report.check("2e API token limit at once", ok, f"{limit + extra} requests of one token "
                 f"(QRSHOP_API_RATE_LIMIT {limit}/minute) at once -> "
                 f"{dict(sorted(statuses.items()))} ({dict(sorted(answers.items()))})")


def landing_price(node: Node, tag_code: str) -> str:
    """The price B's landing page shows (the data-price hook)."""
    _, _, html = node.request("GET", f"/t/{tag_code}", headers={"User-Agent": PHONE})
    return re.search(rb"data-price>([^<]+)<", html).group(1).decode()


def check_price(report: Report, nodes: list[Node], token: str, sku: str, tag_code: str,
                max_age: float) -> None:
    """Change a price through A's API; poll B's landing page until well past the promise."""
    node_a, node_b = nodes
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, _, body = node_a.request("GET", f"/api/v1/listings/{sku}", headers=auth)
    listing = json.loads(body)
    for _ in range(8):  # every worker of B renders and keeps the page
        old_price = landing_price(node_b, tag_code)
    new_cents = listing["price_cents"] + 1234
    status, _, body = node_a.request("PUT", f"/api/v1/listings/{sku}", headers=auth,
                                     body=json.dumps({"gtin": listing["gtin"],
                                                      "price_cents": new_cents,
                                                      "currency": listing["currency"]}))
    changed_at = time.perf_counter()
    if status != 200:
        report.check("3 price", False, f"PUT /api/v1/listings/{sku} answered {status} {body!r}")
        return
    samples = []  # (sent, answered, price) in seconds after the PUT's answer
    while (sent := time.perf_counter() - changed_at) < 2 * max_age + 1:
        price = landing_price(node_b, tag_code)
        samples.append((sent, time.perf_counter() - changed_at, price))
    stale = [s for s in samples if s[2] == old_price]
    fresh = [s for s in samples if s[2] != old_price]
    first_fresh = fresh[0][1] if fresh else None
    last_stale = max((s[0] for s in stale), default=None)
    new_text = f"{new_cents // 100}.{new_cents % 100:02d}"  # the demo's locale: $91.34
    ok = (bool(fresh) and all(new_text in sample[2] for sample in fresh)
          and (last_stale is None or last_stale <= max_age + PRICE_SLACK_SECONDS))
    first = f"{first_fresh * 1000:.0f} ms" if first_fresh is not None else "never"
    last = f"{last_stale * 1000:.0f} ms" if last_stale is not None else "none"
    report.check("3 price", ok, f"{old_price} -> {fresh[0][2] if fresh else '?'} via A's API; "
                 f"B showed it first {first} after, last stale answer to a request sent "
                 f"{last} after (promise {max_age * 1000:.0f} ms, {len(samples)} polls of B)")


class ScanLoad:
    """New-shopper scans alternating the live nodes; a node refusing after the kill is
    taken out, as a load balancer's health check would."""

    def __init__(self, nodes: list[Node], codes: list[str], connections: int):
        self.nodes, self.codes, self.connections = nodes, codes, connections
        self.lock = threading.Lock()
        self.remaining = 0
        self.sent = 0
        self.killed: Node | None = None
        self.down: set[str] = set()
        self.ok_shoppers: list[str] = []
        self.ok_by_node: Counter = Counter()
        self.cut_off = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []

    def _take(self) -> int | None:
        with self.lock:
            if self.remaining <= 0:
                return None
            self.remaining -= 1
            self.sent += 1
            return self.sent

    def _scan(self, number: int) -> None:
        live = [node for node in self.nodes if node.name not in self.down]
        node = live[number % len(live)]
        started = time.perf_counter()
        try:
            status, headers, _ = node.request("GET", f"/t/{self.codes[number % len(self.codes)]}",
                                              headers={"User-Agent": PHONE})
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                if node is self.killed:
                    self.down.add(node.name)
                    self.cut_off += 1
                    self.remaining += 1  # not acknowledged: the client sends it again
                else:
                    self.errors.append(f"{node.name}: {type(error).__name__}")
            return
        cookie = cookies_of(headers)
        with self.lock:
            if status == 200 and cookie:
                self.ok_shoppers.append(cookie.split("=", 1)[1].rsplit(".", 1)[0])
                self.ok_by_node[node.name] += 1
                self.latencies.append(time.perf_counter() - started)
            else:
                self.errors.append(f"{node.name}: HTTP {status}")

    def _worker(self) -> None:
        while (number := self._take()) is not None:
            self._scan(number)

    def run(self, count: int) -> None:
        """Send requests until count more are acknowledged (or every thread has left)."""
        self.remaining = count
        threads = [threading.Thread(target=self._worker) for _ in range(self.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def check_scans(report: Report, nodes: list[Node], codes: list[str], count: int,
                connections: int, engine) -> None:
    """count scans over both nodes, node A SIGKILLed (master and workers) a third through."""
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM scans WHERE NOT is_bot")).scalar()
    load = ScanLoad(nodes, codes, connections)

    def kill_midway():
        while len(load.ok_shoppers) < count // 3:
            time.sleep(0.005)
        load.killed = nodes[0]
        kill_server(nodes[0].process)

    killer = threading.Thread(target=kill_midway)
    killer.start()
    started = time.perf_counter()
    load.run(count)
    for _ in range(3):  # tickets given back after the last thread left
        if len(load.ok_shoppers) >= count or load.errors:
            break
        load.run(count - len(load.ok_shoppers))
    wall = time.perf_counter() - started
    killer.join(timeout=60)

    acknowledged = load.ok_shoppers
    rows: Counter = Counter()
    with engine.connect() as connection:
        after = connection.execute(text("SELECT count(*) FROM scans WHERE NOT is_bot")).scalar()
        for start in range(0, len(acknowledged), 1000):
            chunk = acknowledged[start:start + 1000]
            rows.update(dict(connection.execute(text(
                "SELECT shopper_id, count(*) FROM scans WHERE NOT is_bot AND "
                "shopper_id = ANY(:ids) GROUP BY shopper_id"), {"ids": chunk}).all()))
    missing = sum(1 for shopper in acknowledged if rows[shopper] == 0)
    twice = sum(1 for shopper in acknowledged if rows[shopper] > 1)
    stored = after - before
    unacknowledged_stored = stored - len(acknowledged)
    check = integrity(engine)
    ok = (len(acknowledged) == count and len(set(acknowledged)) == count and not missing
          and not twice and not load.errors and 0 <= unacknowledged_stored <= load.cut_off
          and check == "ok")
    by_node = ", ".join(f"{name} {n}" for name, n in sorted(load.ok_by_node.items()))
    report.check("4 scans", ok,
                 f"{len(acknowledged)} acknowledged ({by_node}) at {connections} connections, "
                 f"A SIGKILLed after {count // 3}; {load.cut_off} cut off by the kill "
                 f"and sent again; stored {stored}: missing {missing}, stored twice {twice}, "
                 f"stored but never acknowledged {unacknowledged_stored}; "
                 f"errors {len(load.errors)} {Counter(load.errors).most_common(3)}; "
                 f"{len(acknowledged) / wall:.0f} scans/s, p50/p99 "
                 f"{percentile(load.latencies, 0.5):.1f}/{percentile(load.latencies, 0.99):.1f} ms;"
                 f" integrity {check}")


def check_health(report: Report, nodes: list[Node]) -> None:
    """The killed node's /healthz is refused; the other's answers 200."""
    killed, alive = nodes
    try:
        status, _, _ = killed.request("GET", "/healthz", timeout=5)
        killed_answer = f"HTTP {status}"
    except OSError as error:
        killed_answer = type(error).__name__
    try:
        status, _, body = alive.request("GET", "/healthz", timeout=5)
        alive_answer = f"HTTP {status} {body.decode().strip()}"
    except OSError as error:
        status, alive_answer = None, type(error).__name__
    ok = killed_answer == "ConnectionRefusedError" and status == 200
    report.check("5 health", ok, f"A (killed) /healthz -> {killed_answer}; "
                 f"B /healthz -> {alive_answer}")


def check_worker(report: Report, node: Node, tag_code: str, mail_folder: Path,
                 timeout: float = 20) -> None:
    """An alert sign-up through a node is e-mailed by the worker within a few seconds."""
    _, headers, html = node.request("GET", f"/t/{tag_code}/alerts", headers={"User-Agent": PHONE})
    cookie = cookies_of(headers)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()
    topics = sorted(set(re.findall(rb'name="topics" value="([^"]+)"', html)))
    address = f"shopper-{secrets.token_hex(4)}@example.com"
    body = urlencode([("csrf_token", token), ("email", address), ("consent", "yes"),
                      *[("topics", topic.decode()) for topic in topics]])
    status, _, answer = node.request("POST", f"/t/{tag_code}/alerts", body=body, headers={
        "User-Agent": PHONE, "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded"})
    refusal = re.search(rb'role="alert"[^>]*>([^<]+)<', answer) if status >= 400 else None
    signed_up = time.perf_counter()
    delivered = None
    while time.perf_counter() - signed_up < timeout:
        if any(address.encode() in path.read_bytes() for path in mail_folder.glob("*.eml")):
            delivered = time.perf_counter() - signed_up
            break
        time.sleep(0.05)
    ok = status in (200, 302, 303) and delivered is not None
    report.check("6 worker", ok, f"alert sign-up through {node.name} -> HTTP {status}"
                 + (f" ({refusal.group(1).decode().strip()})" if refusal else "") + "; "
                 + (f"the worker e-mailed it {delivered * 1000:.0f} ms later" if delivered
                    else f"no e-mail within {timeout:.0f} s"))


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Set up, run the checks, clean up; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1/postgres",
                        help="a PostgreSQL server (any database on it): the run creates "
                             "qs_multinode_<pid> there and drops it at the end")
    parser.add_argument("--redis-url", help="an empty Redis database (flushed at the end); "
                        "default: the first empty one of 15..1 at redis://127.0.0.1:6379")
    parser.add_argument("--short", action="store_true",
                        help="CI form: 1,000 scans and 50 redemptions, the same checks")
    parser.add_argument("--scans", type=int, help="scans in check 4 (default 10,000)")
    parser.add_argument("--tills", type=int, help="redemptions in check 1 (default 200)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--timeout", type=int, default=900, help="give up after this many s")
    args = parser.parse_args(argv)
    scans = args.scans or (1000 if args.short else 10_000)
    tills = args.tills or (50 if args.short else 200)
    api_limit = tills + 50
    if not make_url(args.database_url).drivername.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL")

    def give_up(signum, _frame):
        raise SystemExit(f"timed out after {args.timeout} s" if signum == signal.SIGALRM
                         else f"stopped by signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, give_up)
    signal.alarm(args.timeout)

    run = Run(workdir=tempfile.mkdtemp(prefix="qrshop-multinode-"))
    report = Report()
    completed = False
    try:
        try:
            run.redis_client, redis_url = claim_redis(args.redis_url)
        except redis.RedisError as error:
            raise SystemExit(f"Redis does not answer: {error}") from None
        try:
            database_url = create_database(run, args.database_url)
        except SQLAlchemyError as error:
            run.database = ""
            raise SystemExit(f"PostgreSQL refused: {str(error).splitlines()[0]}") from None
        run.catcher = MailCatcher(Path(run.workdir) / "mail").start()
        nodes = [Node("A", free_port()), Node("B", free_port())]
        base = {**os.environ, "QRSHOP_DATABASE_URL": database_url,
                "QRSHOP_REDIS_URL": redis_url, "QRSHOP_SECRET_KEY": secrets.token_urlsafe(32),
                "QRSHOP_BASE_URL": f"http://127.0.0.1:{nodes[0].port}",
                "QRSHOP_VENDOR_CONTENT_DIR": f"{run.workdir}/content",
                "QRSHOP_SMTP_URL": run.catcher.url,
                "QRSHOP_INSTANCE_PATH": f"{run.workdir}/setup",
                # Low enough for check 2e to pass it, above what checks 1 and 3 send.
                "QRSHOP_API_RATE_LIMIT": f"{api_limit}/minute"}
        qrshop(base, "demo", "--no-serve")
        password = secrets.token_urlsafe(16)
        staff = {}
        for role, extra in (("associate", ["--store", "ATL01"]), ("merchandiser", [])):
            email = f"{role}-{secrets.token_hex(3)}@multinode.test"
            qrshop(base, "users", "add", email, "--role", role, "--retailer", "fashiontown",
                   *extra, "--password-stdin", stdin=password + "\n")
            staff[role] = (email, qrshop(base, "tokens", "create", email, "--name",
                                         "multinode").strip().splitlines()[-1])
        limited_token = qrshop(base, "tokens", "create", staff["merchandiser"][0], "--name",
                               "multinode limit").strip().splitlines()[-1]
        tags = [line.split(",") for line in qrshop(
            base, "tags", "list", "--store", "ATL01", "--format", "csv").splitlines()[1:]]
        live = [tag for tag in tags if tag[-1] == "active"]
        codes = [tag[0] for tag in live]
        engine = create_engine(database_url)
        max_age = float(qrshop_defaults("")["LANDING_DATA_MAX_AGE_SECONDS"])

        os.makedirs(f"{run.workdir}/tmp")
        for node in nodes:
            # TMPDIR in the run's folder: what a SIGKILLed node leaves there goes with it.
            start_node(run, node, {**base, "QRSHOP_INSTANCE_PATH": f"{run.workdir}/{node.name}",
                                   "TMPDIR": f"{run.workdir}/tmp"}, args.workers)
        run.nodes = nodes
        worker_log = open(Path(run.workdir) / "worker.log", "wb")  # noqa: SIM115
        run.worker = subprocess.Popen(
            [str(BIN / "qrshop"), "worker", "--poll-interval", "0.2"],
            env={**base, "QRSHOP_INSTANCE_PATH": f"{run.workdir}/worker"},
            stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
        worker_log.close()
        print(f"two nodes (A :{nodes[0].port}, B :{nodes[1].port}, {args.workers} workers "
              f"each) and a worker on {make_url(database_url).database} and {redis_url}",
              flush=True)

        report.attempt("1 coupon", check_coupon, report, nodes, staff["associate"][1],
                       codes[0], tills)
        report.attempt("2a lockout", check_lockout, report, nodes, staff["merchandiser"][0],
                       password, engine)
        report.attempt("2b shopper limit", check_shopper_limit, report, nodes, codes[1],
                       run.redis_client, engine)
        report.attempt("2c lockout at once", check_lockout_at_once, report, nodes,
                       staff["associate"][0], 20)
        report.attempt("2d shopper limit at once", check_shopper_limit_at_once, report, nodes,
                       codes[4], 20)
        report.attempt("2e API token limit at once", check_api_limit_at_once, report, nodes,
                       limited_token, api_limit)
        report.attempt("3 price", check_price, report, nodes, staff["merchandiser"][1],
                       live[2][4], live[2][0], max_age)
        report.attempt("4 scans", check_scans, report, nodes, codes, scans, args.connections,
                       engine)
        report.attempt("5 health", check_health, report, nodes)
        if run.worker.poll() is None:
            report.attempt("6 worker", check_worker, report, nodes[1], codes[3],
                           Path(run.workdir) / "mail")
        else:
            report.check("6 worker", False, f"the worker exited ({run.worker.returncode})")
        engine.dispose()
        completed = True
    finally:
        signal.alarm(0)
        run.cleanup()
        if (report.failed or not completed) and any(Path(run.workdir).iterdir()):
            print(f"logs kept in {run.workdir}")
        else:
            shutil.rmtree(run.workdir, ignore_errors=True)
    print("RESULT: " + ("PASS" if not report.failed else "FAIL: " + ", ".join(report.failed)))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
