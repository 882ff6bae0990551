"""Webhook deliveries go out through `qrshop outbox send` (cron) and a running
`qrshop worker`, like emails and texts."""

from __future__ import annotations

import time

from standardwebhooks.webhooks import Webhook as Verifier

from tests.alerts.test_worker import DELIVERY_PROMISE, WorkerProcess
from tests.webhooks.conftest import create_webhook, deliveries


def test_outbox_send_delivers_queued_webhooks_too(allow_private, client, runner, parties,
                                                  receiver):
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    assert client.get(f"/t/{parties.shop.tag.code}").status_code == 200
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Sent 1, failed 0." in result.output
    [request] = receiver.requests
    event = Verifier(hook["secret"]).verify(request.body, request.headers)
    assert event["type"] == "scan.created"
    assert [row.status for row in deliveries(hook["id"])] == ["delivered"]


def test_a_running_worker_delivers_a_webhook_within_five_seconds(
        allow_private, client, parties, receiver, database_url, monkeypatch):
    monkeypatch.setenv("QRSHOP_WEBHOOK_ALLOW_PRIVATE", "1")
    hook = create_webhook(client, parties.merchandiser, receiver.url, ["scan.created"])
    worker = WorkerProcess(database_url, "smtp://127.0.0.1:9")
    try:
        worker.wait_for("Worker started")
        assert "webhooks.delivery.send_due" in worker.output[-1]
        assert client.get(f"/t/{parties.shop.tag.code}").status_code == 200
        started = time.monotonic()
        while not receiver.requests:
            assert time.monotonic() - started < DELIVERY_PROMISE, worker.output
            time.sleep(0.02)
        [request] = receiver.requests
        assert Verifier(hook["secret"]).verify(request.body, request.headers)["type"] \
            == "scan.created"
        assert worker.stop() == 0
    finally:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()
        worker.process.stdout.close()
