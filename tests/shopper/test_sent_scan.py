"""PostgreSQL's scan INSERT, sent before the response is built and awaited before it goes
out (qrshop.db_send), straight into its month's partition (shopper.recording._send_scan).

SQLite runs its INSERT and COMMIT under the write lock and never sends; the fast path's
tests (test_fast_path.py) cover both databases' answers and failures."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select, text

from qrshop import db_send
from qrshop.db import DriverConnection, utcnow
from qrshop.db_send import SentStatement, can_send, wait
from qrshop.extensions import db
from qrshop.partitions import create_month, first_of_month, partition_name
from qrshop.shopper import recording, scan
from qrshop.shopper.models import Scan
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop

pytestmark = pytest.mark.skipif(
    "postgresql" not in os.environ.get("QRSHOP_TEST_DATABASE_URL", ""),
    reason="statements are sent on PostgreSQL only; SQLite's scan is covered by "
           "test_fast_path.py")


def _fast_path(app):
    return app.extensions["qrshop.scan_fast_path"]


def _homes(tag_id: int) -> list[str]:
    """The partition of each of a tag's scans, oldest first."""
    return list(db.session.scalars(text(
        "SELECT tableoid::regclass::text FROM scans WHERE tag_id = :tag ORDER BY id"),
        {"tag": tag_id}))


def _sent(monkeypatch) -> list[str]:
    """The SQL of every statement sent from now on."""
    sent, send = [], SentStatement.send

    def spy(self, driver, values):
        if send(self, driver, values):  # not one the server refused to prepare
            sent.append(self.sql.decode())
            return True
        return False

    monkeypatch.setattr(SentStatement, "send", spy)
    return sent


def _scan(app, url: str, agent: str = MOBILE_SAFARI):
    return app.test_client().get(url, headers={"User-Agent": agent})


def _warm(app, url: str) -> None:
    """Scan once as a person and once as a bot: this process has both pages rendered, so
    the fast path serves the scans that follow."""
    _scan(app, url)
    _scan(app, url, "Googlebot/2.1")


def test_a_scan_goes_straight_into_its_months_partition(app, monkeypatch):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    sent, served = _sent(monkeypatch), _fast_path(app).served
    phone = app.test_client()
    first = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})
    again = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert first.status_code == again.status_code == 200
    assert _fast_path(app).served == served + 2
    month = partition_name("scans", first_of_month(utcnow()))
    assert [statement.split()[2] for statement in sent] == [month, month]
    assert "EXISTS" not in sent[0] and "EXISTS" in sent[1]  # only a returning shopper's probes
    assert _homes(tag.id)[-2:] == [month, month]
    rows = db.session.scalars(select(Scan).where(Scan.tag_id == tag.id)
                              .order_by(Scan.id)).all()[-2:]
    assert [(row.is_bot, row.is_repeat, row.device, row.shopper_id is not None)
            for row in rows] == [(False, False, "phone", True), (False, True, "phone", True)]
    assert rows[0].shopper_id == rows[1].shopper_id


def test_a_month_without_its_partition_goes_through_the_scan_log(app, monkeypatch):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    # A scan in a month nobody made a partition for: the server refuses the partition's
    # INSERT once per connection, and the row goes through the scan log to its default.
    monkeypatch.setattr(recording, "utcnow", lambda: datetime(2031, 5, 17, 12, tzinfo=UTC))
    sent = _sent(monkeypatch)
    assert _scan(app, url).status_code == 200
    assert _scan(app, url).status_code == 200

    assert [statement.split()[2] for statement in sent] == ["scans", "scans"]
    assert _homes(tag.id)[-2:] == ["scans_default", "scans_default"]
    stored = db.session.scalars(select(Scan.scanned_at).where(Scan.tag_id == tag.id)
                                .order_by(Scan.id.desc()).limit(2)).all()
    assert stored == [datetime(2031, 5, 17, 12, tzinfo=UTC)] * 2

    # The worker makes the month's partition: once the refusal is old enough, the
    # connection prepares the partition's INSERT again and uses it.
    create_month(db.session.connection(), "scans", datetime(2031, 5, 1).date())
    db.session.commit()
    monkeypatch.setattr(db_send, "RETRY_AFTER_SECONDS", 0.0)
    assert _scan(app, url).status_code == 200
    assert sent[-1].split()[2] == "scans_2031_05"
    assert _homes(tag.id)[-3:] == ["scans_2031_05"] * 3  # the default's rows moved in too


def test_an_insert_the_server_refuses_is_not_acknowledged_and_flask_stores_it(
        app, monkeypatch, caplog):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    before = db.session.scalar(select(func.count()).select_from(Scan))
    send, calls = recording._send_scan, []

    def refused_once(driver, check_repeat, params):
        calls.append(True)
        if len(calls) == 1:  # no such tag: the server's error comes back at the wait
            params = {**params, "p_tag_id": -1}
        return send(driver, check_repeat, params)

    monkeypatch.setattr(recording, "_send_scan", refused_once)
    response = _scan(app, url)

    assert response.status_code == 200 and len(calls) == 1  # then Flask's own INSERT
    assert "passing it to Flask" in caplog.text
    assert db.session.scalar(select(func.count()).select_from(Scan)) == before + 1
    assert db.session.scalars(select(Scan.listing_id).where(Scan.tag_id == tag.id)
                              .order_by(Scan.id.desc())).first() == tag.listing_id
    monkeypatch.undo()
    served = _fast_path(app).served
    assert _scan(app, url).status_code == 200  # a new connection, back on the fast path
    assert _fast_path(app).served == served + 1


def test_a_sent_statement_reports_the_servers_error_and_the_connection_goes_on(app):
    import psycopg

    tag = make_shop().tag
    statement = SentStatement(insert(Scan.__table__).values(
        tag_id=tag.id, listing_id=tag.listing_id, scanned_at=text("now()"), is_bot=False,
        is_repeat=False, orphan_code=None).values(device=bindparam("p_device")),
        "qrshop_test_sent")
    dbapi = db.engine.raw_connection()
    try:
        dbapi.driver_connection.autocommit = True
        driver = DriverConnection(dbapi, db.engine.dialect, autocommit=True)
        assert can_send(driver)
        statement.send(driver, {"p_device": "tablet"})
        assert driver.in_flight
        wait(driver)
        assert not driver.in_flight
        statement.send(driver, {"p_device": "far too long for its column"})
        with pytest.raises(psycopg.DataError):
            wait(driver)
        statement.send(driver, {"p_device": "desktop"})  # the connection is usable again
        wait(driver)
    finally:
        dbapi.driver_connection.autocommit = False
        dbapi.close()
    devices = db.session.scalars(select(Scan.device).where(Scan.tag_id == tag.id)
                                 .order_by(Scan.id)).all()
    assert devices == ["tablet", "desktop"]


def test_a_connection_the_server_closes_after_the_commit_still_acknowledges_once(
        app, monkeypatch):
    """The server commits, answers and then closes the connection (a restart): the answer is
    in, so the scan is acknowledged, not handed to Flask to be stored again."""
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    before = db.session.scalar(select(func.count()).select_from(Scan))
    served, answer = _fast_path(app).served, scan.Scanner._answer

    def answer_then_server_closes(self, *args, **kwargs):
        built = answer(self, *args, **kwargs)
        pid = _fast_path(app)._local.driver.dbapi.driver_connection.info.backend_pid
        time.sleep(0.2)  # the sent INSERT has committed by now
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.2)
        return built

    monkeypatch.setattr(scan.Scanner, "_answer", answer_then_server_closes)
    response = _scan(app, url)
    monkeypatch.undo()

    assert response.status_code == 200 and _fast_path(app).served == served + 1
    assert db.session.scalar(select(func.count()).select_from(Scan)) == before + 1
    # The closed connection is found out by the next scan, which Flask serves and stores.
    assert _scan(app, url).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Scan)) == before + 2


def test_a_prepare_that_times_out_is_raised_not_remembered(app):
    """Only a missing table is taken as a refusal; a lock held elsewhere is an error of the
    moment, and the next try prepares the statement."""
    import psycopg

    month = partition_name("scans", first_of_month(utcnow()))
    statement = SentStatement(
        recording._insert_scan_statement(False, into=month), "qrshop_test_locked")
    holder = db.engine.connect()
    dbapi = db.engine.raw_connection()
    try:
        dbapi.driver_connection.autocommit = True
        dbapi.driver_connection.execute("SET lock_timeout = '100ms'")
        driver = DriverConnection(dbapi, db.engine.dialect, autocommit=True)
        holder.execute(text(f'LOCK TABLE "{month}" IN ACCESS EXCLUSIVE MODE'))
        with pytest.raises(psycopg.errors.LockNotAvailable):
            statement.ready(driver)
        holder.rollback()
        assert statement.ready(driver)
    finally:
        holder.close()
        dbapi.driver_connection.autocommit = False
        dbapi.close()
