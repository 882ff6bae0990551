"""Rate limits count in storage every worker shares: the app's database by default, Redis
when QRSHOP_REDIS_URL is set."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from qrshop import create_app
from qrshop.config import REPO_ROOT
from qrshop.extensions import db, limiter
from qrshop.ratelimit import DatabaseStorage, RateLimitCounter
from tests.conftest import _test_config
from tests.factories import make_shop
from tests.helpers import form_fields, new_phone

REDIS_URL = "redis://127.0.0.1:6379/0"

# Another worker: its own process and app on the same database sends the same shopper's
# feedback; it prints the statuses it got.
_OTHER_WORKER = """
import json, sys
from qrshop import create_app
from tests.conftest import _test_config

task = json.loads(sys.argv[1])
app = create_app(_test_config(task["database_url"], task["content_dir"]))
phone = app.test_client()
phone.set_cookie(task["cookie"], task["value"])
print(json.dumps([phone.post(task["path"], data=task["fields"]).status_code
                  for _ in range(task["times"])]))
"""


def _feedback_form(phone, tag) -> dict:
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return {**form_fields(html, f"/t/{tag.code}/feedback"), "helpful": "yes"}


def _counters() -> int:
    return db.session.scalar(select(func.count()).select_from(RateLimitCounter))


def test_a_limit_holds_across_processes_sharing_the_database(app, client, database_url,
                                                             tmp_path):
    shop = make_shop()
    tag, cookie = shop.tag, f"qs{shop.retailer.id}"
    fields = _feedback_form(client, tag)
    db.session.commit()
    task = {"database_url": database_url, "content_dir": str(tmp_path / "other"),
            "cookie": cookie, "value": client.get_cookie(cookie).value,
            "path": f"/t/{tag.code}/feedback", "fields": fields, "times": 10}
    other = subprocess.run([sys.executable, "-c", _OTHER_WORKER, json.dumps(task)],
                           cwd=REPO_ROOT, env=os.environ, capture_output=True, text=True,
                           timeout=120)
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == [303] * 10  # the shopper's 10 per hour, elsewhere
    response = client.post(f"/t/{tag.code}/feedback", data=fields)
    assert response.status_code == 429
    assert "a lot of feedback" in response.get_data(as_text=True)


def test_refused_requests_give_their_hits_back_and_accepted_ones_count(app, client):
    # A refused form stored nothing and must not use up anyone's limit (its neighbours' on
    # the same network included); the count and the refund are in the counters' storage,
    # whatever the request's own transaction does.
    tag = make_shop().tag
    fields = _feedback_form(client, tag)
    statuses = [client.post(f"/t/{tag.code}/feedback", data={**fields, "rating": "9"})
                .status_code for _ in range(10)]
    assert statuses == [422] * 10
    statuses = [client.post(f"/t/{tag.code}/feedback", data=fields).status_code
                for _ in range(11)]
    assert statuses == [303] * 10 + [429]


def test_scans_count_nothing(app, client):
    tag = make_shop().tag
    for via in ("", "?via=engage"):
        for _ in range(3):
            assert client.get(f"/t/{tag.code}{via}").status_code == 200
    assert _counters() == 0


class _Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_counters_count_expire_and_clear(app):
    storage, clock = DatabaseStorage("qrshop-database://"), _Clock()
    storage.clock = clock
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert (storage.get("k"), storage.get_expiry("k")) == (5, clock.now + 60)
    assert storage.get("other") == 0 and storage.get_expiry("other") == clock.now
    clock.now += 60  # the window is over: the count starts again, with a new window
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == clock.now + 60
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.check()


def test_expired_counters_are_deleted(app):
    storage, clock = DatabaseStorage("qrshop-database://"), _Clock()
    storage.clock = clock
    for n in range(5):
        storage.incr(f"old-{n}", 60)
    clock.now += 61 + DatabaseStorage.PRUNE_EVERY_SECONDS
    storage.incr("new", 60)
    assert db.session.scalars(select(RateLimitCounter.key)).all() == ["new"]


def test_the_default_storage_is_the_database(app, client):
    assert isinstance(limiter.storage, DatabaseStorage)
    tag = make_shop().tag
    client.post(f"/t/{tag.code}/feedback", data=_feedback_form(client, tag))
    assert _counters() == 2  # this shopper's count, and this address's


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return connection


def test_with_a_redis_url_limits_count_in_redis(app, database_url, tmp_path):
    redis = _redis_or_skip()
    redis_app = create_app({**_test_config(database_url, tmp_path), "REDIS_URL": REDIS_URL})
    assert type(limiter.storage).__name__ == "RedisStorage"
    shop = make_shop()
    tag = shop.tag
    phone = new_phone(redis_app)
    # An address of its own, so that runs an hour apart on one Redis never meet.
    phone.environ_base["REMOTE_ADDR"] = f"198.18.{random.randrange(256)}.{random.randrange(256)}"
    fields = _feedback_form(phone, tag)
    shopper_id = uuid.uuid4().hex  # replaced below by the shopper the scan minted
    try:
        # Refused forms give their hits back here too.
        refused = [phone.post(f"/t/{tag.code}/feedback", data={**fields, "rating": "9"})
                   .status_code for _ in range(3)]
        assert refused == [422] * 3
        statuses = [phone.post(f"/t/{tag.code}/feedback", data=fields).status_code
                    for _ in range(11)]
        assert statuses == [303] * 10 + [429]
        assert _counters() == 0
        shopper_id = phone.get_cookie(f"qs{shop.retailer.id}").value.split(".")[0]
        assert redis.keys(f"*shopper:{shopper_id}*")
    finally:
        for key in redis.keys(f"*{shopper_id}*") + redis.keys(
                f"*{phone.environ_base['REMOTE_ADDR']}*"):
            redis.delete(key)
        redis_app.extensions["qrshop.scan_fast_path"].close()
        with redis_app.app_context():
            db.engine.dispose()


def test_an_unreachable_redis_falls_back_to_limits_in_memory(app, database_url, tmp_path):
    # Nothing listens on port 1: every Redis call fails. Limited pages still answer (no 500)
    # and the limits still hold, counted in this worker's memory until Redis is back.
    down_app = create_app({**_test_config(database_url, tmp_path),
                           "REDIS_URL": "redis://127.0.0.1:1/0"})
    tag = make_shop().tag
    phone = new_phone(down_app)
    fields = _feedback_form(phone, tag)
    try:
        # Refused forms give their hits back here too.
        refused = [phone.post(f"/t/{tag.code}/feedback", data={**fields, "rating": "9"})
                   .status_code for _ in range(3)]
        assert refused == [422] * 3
        statuses = [phone.post(f"/t/{tag.code}/feedback", data=fields).status_code
                    for _ in range(11)]
        assert statuses == [303] * 10 + [429]
    finally:
        # The process's one limiter remembers the dead storage until its next backend check;
        # the apps of later tests (one app per process in production) start afresh.
        limiter._storage_dead = False
        down_app.extensions["qrshop.scan_fast_path"].close()
        with down_app.app_context():
            db.engine.dispose()


def test_a_relative_sqlite_path_counts_in_the_apps_own_database(tmp_path, monkeypatch):
    # Flask-SQLAlchemy puts a relative SQLite path in the instance folder; the counters must
    # land there too, not in a stray file of the working directory.
    instance, elsewhere = tmp_path / "instance", tmp_path / "cwd"
    instance.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("QRSHOP_INSTANCE_PATH", str(instance))
    monkeypatch.chdir(elsewhere)
    relative_app = create_app({**_test_config("sqlite:///relative.sqlite3",
                                              tmp_path / "content")})
    with relative_app.app_context():
        from flask_migrate import upgrade

        upgrade()
        tag = make_shop().tag
        db.session.commit()
        phone = new_phone(relative_app)
        fields = _feedback_form(phone, tag)
        assert phone.post(f"/t/{tag.code}/feedback", data=fields).status_code == 303
        db.session.commit()  # a fresh read: the counter was written on its own connection
        assert _counters() >= 1
        relative_app.extensions["qrshop.scan_fast_path"].close()
        db.session.remove()
        db.engine.dispose()
    assert (instance / "relative.sqlite3").exists()
    assert list(elsewhere.iterdir()) == []
