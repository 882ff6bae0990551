"""GET /metrics: off by default, behind a bearer token, counting scans, bot scans, request
latency per route group, database errors, and the outbox and webhook queues' depths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qrshop import create_app
from qrshop.alerts.models import OutboxMessage
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.webhooks.models import Webhook, WebhookDelivery
from tests.conftest import MOBILE_SAFARI, _test_config
from tests.factories import make_shop

TOKEN = "scrape-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metered(app, database_url, tmp_path):
    """An app with metrics on, over the `app` fixture's database (cleaned by it)."""
    on = create_app({**_test_config(database_url, tmp_path / "content"),
                     "METRICS_TOKEN": TOKEN})
    yield on
    on.extensions["qrshop.scan_fast_path"].close()
    with on.app_context():
        db.session.remove()
        db.engine.dispose()


def samples(client) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of a scrape."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN,
                                           f"Bearer {TOKEN}x", "Bearer ä"])
def test_metrics_need_the_bearer_token(metered, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = metered.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"qrshop_" not in response.data


def test_the_scrape_is_prometheus_text_with_every_metric(metered):
    response = metered.test_client().get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    body = response.get_data(as_text=True)
    for name in ("qrshop_scans_total", "qrshop_bot_scans_total",
                 "qrshop_database_errors_total", "qrshop_request_duration_seconds_bucket",
                 "qrshop_outbox_messages", "qrshop_webhook_deliveries"):
        assert f"\n{name}" in body or body.startswith(name), name


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_scan_counts_and_a_bots_counts_as_a_bot_scan(metered, fast_path):
    metered.config["SCAN_FAST_PATH"] = fast_path
    tag = make_shop().tag
    client = metered.test_client()
    assert client.get(f"/t/{tag.code}", headers={"User-Agent": MOBILE_SAFARI}).status_code \
        == 200
    assert client.get(f"/t/{tag.code}", headers={"User-Agent": MOBILE_SAFARI}).status_code \
        == 200
    fast = metered.extensions["qrshop.scan_fast_path"]
    assert fast.served == (1 if fast_path else 0)  # the first rendered the page in Flask
    found = samples(client)
    assert found[("qrshop_scans_total", ())] == 2
    assert found[("qrshop_bot_scans_total", ())] == 0
    client.get(f"/t/{tag.code}", headers={"User-Agent": "Googlebot/2.1"})
    found = samples(client)
    assert found[("qrshop_scans_total", ())] == 3
    assert found[("qrshop_bot_scans_total", ())] == 1


def test_an_unknown_codes_scan_counts_too(metered):
    client = metered.test_client()
    assert client.get("/t/NOSUCHCODE", headers={"User-Agent": MOBILE_SAFARI}).status_code \
        == 404
    assert samples(client)[("qrshop_scans_total", ())] == 1


def test_latency_is_observed_per_route_group(metered):
    tag = make_shop().tag
    client = metered.test_client()
    client.get(f"/t/{tag.code}")
    client.get("/healthz")
    client.get("/console/")
    client.get("/api/v1/tags")
    found = samples(client)

    def count(group):
        return found.get(("qrshop_request_duration_seconds_count",
                          (("route_group", group),)), 0)

    assert (count("scan"), count("other"), count("console"), count("api")) == (1, 1, 1, 1)
    assert count("shopper") == count("pos") == 0
    # No raw path ever becomes a label.
    assert not any("NOSUCH" in str(labels) or tag.code in str(labels) for _, labels in found)


def test_queue_depth_gauges_count_the_rows(metered):
    now = utcnow()
    retailer = make_shop().retailer
    db.session.add_all([
        OutboxMessage(channel="email", recipient="a@example.com", body="x",
                      next_attempt_at=now - timedelta(minutes=1)),
        OutboxMessage(channel="email", recipient="b@example.com", body="x", attempts=2,
                      next_attempt_at=now + timedelta(hours=1)),
        OutboxMessage(channel="email", recipient="c@example.com", body="x", attempts=10,
                      next_attempt_at=now),
        OutboxMessage(channel="email", recipient="d@example.com", body="x", sent_at=now,
                      next_attempt_at=now),
    ])
    hook = Webhook(retailer_id=retailer.id, url="http://127.0.0.1:9/", events=["scan.created"],
                   secret="whsec_" + "A" * 32)
    db.session.add(hook)
    db.session.flush()
    for number, status in enumerate(["queued", "queued", "failed", "delivered"]):
        db.session.add(WebhookDelivery(webhook_id=hook.id, event_type="scan.created",
                                       payload="{}", msg_id=f"msg_{number}", status=status,
                                       attempts=number, next_attempt_at=now))
    db.session.commit()
    found = samples(metered.test_client())

    def gauge(name, state):
        return found[(name, (("state", state),))]

    assert [gauge("qrshop_outbox_messages", s) for s in ("queued", "due", "retrying",
                                                         "failed")] == [2, 1, 1, 1]
    assert [gauge("qrshop_webhook_deliveries", s) for s in ("queued", "due", "retrying",
                                                            "failed")] == [2, 2, 1, 1]


def test_database_errors_are_counted(metered):
    with metered.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT * FROM no_such_table"))
        db.session.rollback()
    assert samples(metered.test_client())[("qrshop_database_errors_total", ())] == 1
