"""/metrics under `qrshop serve --workers 2`: every worker's counts, whichever answers."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from qrshop import server as qrshop_server
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop

TOKEN = "scrape-token-0123456789"
SCANS = 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _scans_total(port: int) -> float:
    status, _, body = _get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "qrshop_scans_total":
                return sample.value
    raise AssertionError("no qrshop_scans_total")


@pytest.fixture
def server(app, database_url, tmp_path):
    """`qrshop serve --workers 2` on the test database, metrics on, JSON access log."""
    port = _free_port()
    shared = tmp_path / "tmp"  # the server's own folder of counts goes in here
    shared.mkdir()
    env = {**os.environ, "QRSHOP_DATABASE_URL": database_url,
           "QRSHOP_INSTANCE_PATH": str(tmp_path / "instance"),
           "QRSHOP_SECRET_KEY": "test-secret-key-not-for-production",
           "QRSHOP_BASE_URL": f"http://127.0.0.1:{port}",
           "QRSHOP_VENDOR_CONTENT_DIR": app.config["VENDOR_CONTENT_DIR"],
           "QRSHOP_METRICS_TOKEN": TOKEN, "QRSHOP_LOG_FORMAT": "json",
           "TMPDIR": str(shared)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "access.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "qrshop"), "serve", "--bind",
             f"127.0.0.1:{port}", "--workers", "2"],
            env=env, stdout=out, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("qrshop serve did not start within 30 s")
            time.sleep(0.1)
        yield port, shared, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    # The server removed its own folder of counts when it stopped.
    assert list(shared.iterdir()) == []


def test_metrics_add_up_every_workers_counts(server):
    port, shared, log = server
    code = make_shop().tag.code
    failures = []

    def scan(count: int) -> None:
        for _ in range(count):
            status, headers, _ = _get(port, f"/t/{code}", {"User-Agent": MOBILE_SAFARI})
            if status != 200 or not headers.get("X-Request-ID"):
                failures.append(status)

    threads = [threading.Thread(target=scan, args=(SCANS // 4,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # Both workers served scans: each wrote its own file of counts.
    (folder,) = shared.iterdir()
    assert len(list(folder.glob("counter_*.db"))) == 2
    # Whichever worker answers the scrape, it counts every worker's scans.
    assert {_scans_total(port) for _ in range(6)} == {SCANS}
    status, headers, _ = _get(port, "/metrics")
    assert status == 401
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    scans = [line for line in lines if line["route_group"] == "scan"]
    assert len(scans) == SCANS
    assert {(line["method"], line["status"]) for line in scans} == {("GET", 200)}
    assert all(line["request_id"] and line["duration_ms"] >= 0 for line in scans)
    assert "127.0.0.1" not in log.read_text() and "iPhone" not in log.read_text()


def test_each_serve_start_gets_a_fresh_metrics_folder(app, runner, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "restored-after-the-test")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    seen = []

    def run(self):
        seen.append((os.environ.get("PROMETHEUS_MULTIPROC_DIR"), self.cfg.child_exit,
                     self.cfg.on_exit))

    monkeypatch.setattr(qrshop_server.QrshopServer, "run", run)
    assert runner.invoke(args=["serve", "--workers", "2"]).exit_code == 0
    assert seen[-1][0] is None  # metrics off: no shared folder
    app.config["METRICS_TOKEN"] = TOKEN
    assert runner.invoke(args=["serve", "--workers", "2"]).exit_code == 0
    assert runner.invoke(args=["serve", "--workers", "2"]).exit_code == 0
    (first, child_exit, on_exit), (second, _, _) = seen[1:]
    assert first != second and Path(first).parent == Path(second).parent == tmp_path
    # A dead worker's live gauges are dropped; the folder goes when the server stops.
    (Path(first) / "gauge_livesum_4242.db").write_bytes(b"")
    (Path(first) / "counter_4242.db").write_bytes(b"")
    child_exit(None, SimpleNamespace(pid=4242))
    assert [path.name for path in Path(first).iterdir()] == ["counter_4242.db"]
    on_exit(None)
    assert not Path(first).exists() and Path(second).is_dir()
