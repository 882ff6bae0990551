"""The scan fast path: a person's GET of a live tag, served in front of Flask.

It runs the Flask view's own Scanner, so it must be indistinguishable from the view to a
shopper and to the scan log, and pass every other request on to Flask without writing
anything first.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from qrshop.catalog.models import Listing
from qrshop.catalog.services import set_price
from qrshop.extensions import db
from qrshop.shopper import scan
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.services import retire_tag
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop


def _scans():
    return db.session.scalars(select(Scan).order_by(Scan.id)).all()


def _shoppers() -> int:
    return db.session.scalar(select(func.count()).select_from(Shopper))


def _fast_path(app):
    return app.extensions["qrshop.scan_fast_path"]


def _warm(app, url: str) -> None:
    """Scan once as a bot, so this process has the page rendered (and the bot's is too)."""
    app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})
    app.test_client().get(url, headers={"User-Agent": "Googlebot/2.1"})


def _comparable(response) -> tuple:
    """Status, headers and body, with the per-shopper values (cookie, form token) and the
    per-request id masked."""
    headers = sorted(
        (name, re.sub(r"=[^;]*;", "=<id>;", value, count=1)
         .replace(re.search(r"Expires=[^;]*", value).group(0), "Expires=<date>")
         if name == "Set-Cookie" else "<id>" if name == "X-Request-ID" else value)
        for name, value in response.headers.items())
    body = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="<token>"',
                  response.get_data(as_text=True))
    return response.status_code, headers, body


@pytest.mark.parametrize("base_url", ["http://localhost", "https://qr.example.com"])
@pytest.mark.parametrize("user_agent", [MOBILE_SAFARI, "Googlebot/2.1"])
def test_fast_path_answers_exactly_as_the_flask_view(app, base_url, user_agent):
    tag = make_shop().tag
    url = f"/T/{tag.code}"
    _warm(app, url)
    fast = _fast_path(app)
    served = fast.served

    from_fast_path = app.test_client().get(url, base_url=base_url,
                                           headers={"User-Agent": user_agent})
    assert fast.served == served + 1
    app.config["SCAN_FAST_PATH"] = False
    from_flask = app.test_client().get(url, base_url=base_url,
                                       headers={"User-Agent": user_agent})
    assert fast.served == served + 1

    fast_c, flask_c = _comparable(from_fast_path), _comparable(from_flask)
    assert fast_c[1] == flask_c[1]
    assert fast_c == flask_c
    assert from_fast_path.status_code == 200
    assert ("Strict-Transport-Security" in from_fast_path.headers) == base_url.startswith(
        "https")
    if user_agent == MOBILE_SAFARI:
        cookie = from_fast_path.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) == base_url.startswith("https")
    else:
        assert "Set-Cookie" not in from_fast_path.headers
    # Two more scans, each stored once, with the same flags as the view stores.
    *_, by_fast_path, by_flask = _scans()
    assert (by_fast_path.is_bot, by_fast_path.bot_reason, by_fast_path.tag_id) == (
        by_flask.is_bot, by_flask.bot_reason, by_flask.tag_id)


def test_a_returning_shopper_is_recognised_and_a_repeat_is_flagged(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    phone = app.test_client()
    phone.get(url, headers={"User-Agent": MOBILE_SAFARI})  # renders this shopper's page
    served, shoppers = _fast_path(app).served, _shoppers()

    response = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert _fast_path(app).served == served + 1
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert _shoppers() == shoppers
    first, again = _scans()[-2:]
    assert again.shopper_id == first.shopper_id and again.is_repeat is True


def test_the_fast_path_pages_forms_work_for_the_shopper_only(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    phone, stranger = app.test_client(), app.test_client()
    served = _fast_path(app).served
    page = phone.get(url, headers={"User-Agent": MOBILE_SAFARI}).get_data(as_text=True)
    assert _fast_path(app).served == served + 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    saved = phone.post(f"{url}/save", data={"csrf_token": token},
                       headers={"User-Agent": MOBILE_SAFARI})
    forged = stranger.post(f"{url}/save", data={"csrf_token": token},
                           headers={"User-Agent": MOBILE_SAFARI})

    assert saved.status_code == 303
    assert forged.status_code == 400


def test_a_new_shopper_is_written_only_when_they_engage(app):
    shop = make_shop()
    url = f"/t/{shop.tag.code}"
    _warm(app, url)
    phone = app.test_client()
    served, shoppers = _fast_path(app).served, _shoppers()

    page = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert _fast_path(app).served == served + 1
    scan = _scans()[-1]
    assert page.headers["Set-Cookie"].startswith(f"qs{shop.retailer.id}={scan.shopper_id}.")
    assert _shoppers() == shoppers  # the scan wrote the scan only
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    saved = phone.post(f"{url}/save", data={"csrf_token": token.group(1)},
                       headers={"User-Agent": MOBILE_SAFARI})
    assert saved.status_code == 303
    assert "Set-Cookie" not in saved.headers  # the same shopper, now with a row
    assert db.session.get(Shopper, scan.shopper_id).retailer_id == shop.retailer.id


def test_a_cookie_whose_shopper_has_no_row_keeps_its_identity(app):
    shop = make_shop()
    url = f"/t/{shop.tag.code}"
    _warm(app, url)
    cookie = app.extensions["qrshop.shopper_cookie"]
    phone = app.test_client()
    phone.set_cookie(cookie.name(shop.retailer.id), cookie.dumps("shopper-from-a-restored-backup"))
    served = _fast_path(app).served

    response = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert _fast_path(app).served == served + 1
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert _scans()[-1].shopper_id == "shopper-from-a-restored-backup"


@pytest.mark.parametrize("method, path, status", [
    ("HEAD", "/t/{code}", 200),
    ("GET", "/t/{code}?via=store", 200),
    ("GET", "/t/NOSUCHTAG", 404),
    ("GET", "/t/not-a-code!", 404),
])
def test_other_requests_are_passed_on_to_flask(app, method, path, status):
    tag = make_shop().tag
    _warm(app, f"/t/{tag.code}")
    fast, scans = _fast_path(app), len(_scans())
    served = fast.served

    response = app.test_client().open(path.format(code=tag.code), method=method,
                                      headers={"User-Agent": MOBILE_SAFARI})

    assert response.status_code == status
    assert fast.served == served
    # The view recorded what it records (HEAD: a bot; ?via: nothing; unknown: an orphan).
    expected = {"HEAD": 1, "?via": 0, "NOSUCHTAG": 1, "not-a-code": 0}
    [added] = [n for key, n in expected.items() if key in f"{method} {path}"]
    assert len(_scans()) == scans + added


def test_a_retired_tag_is_passed_on_to_flask(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    retire_tag(tag)
    db.session.commit()
    served = _fast_path(app).served

    response = app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert response.status_code == 410 and _fast_path(app).served == served


def test_a_failure_before_the_commit_passes_the_scan_to_flask_once(app, monkeypatch, caplog):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    scans = len(_scans())

    record, calls = scan.record_scan, []

    def broken_once(*args, **kwargs):
        calls.append(True)
        if len(calls) == 1:  # the fast path's attempt
            raise RuntimeError("lost the database")
        return record(*args, **kwargs)

    monkeypatch.setattr(scan, "record_scan", broken_once)
    response = app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert response.status_code == 200 and len(calls) == 2
    assert len(_scans()) == scans + 1
    assert "passing it to Flask" in caplog.text
    # The next scan opens a new connection and is served by the fast path again.
    monkeypatch.undo()
    served = _fast_path(app).served
    assert app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI}).status_code == 200
    assert _fast_path(app).served == served + 1


def test_a_failure_after_the_commit_is_not_recorded_again(app, monkeypatch):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    scans, served = len(_scans()), _fast_path(app).served

    def broken(*args, **kwargs):
        raise RuntimeError("could not build the cookie")

    monkeypatch.setattr(app.extensions["qrshop.shopper_cookie"], "set_cookie_header", broken)
    with pytest.raises(RuntimeError):  # the server answers 500
        app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert len(_scans()) == scans + 1  # stored once, by the fast path; Flask never saw it
    assert _fast_path(app).served == served


def test_a_tag_whose_rendered_page_was_evicted_gets_back_on_the_fast_path(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    app.extensions["qrshop.scanner"].pages._pages.clear()  # evicted
    set_price(db.session.get(Listing, tag.listing_id), 3999)
    db.session.commit()
    served = _fast_path(app).served

    assert "$39.99" in _phone_page(app, url).get_data(as_text=True)  # Flask renders it
    assert _fast_path(app).served == served
    assert "$39.99" in _phone_page(app, url).get_data(as_text=True)
    assert _fast_path(app).served == served + 1


def _phone_page(app, url):
    return app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})


def _holds_a_transaction(driver) -> bool:
    """Whether the fast path's connection is left inside a transaction."""
    if driver.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus
        return driver.dbapi.driver_connection.info.transaction_status != TransactionStatus.IDLE
    return driver.dbapi.driver_connection.in_transaction


def test_a_scan_leaves_no_transaction_open_and_autocommits_on_postgresql(app):
    """A scan is committed when answered and holds nothing open between scans (an idle
    transaction would hold back vacuum and partition maintenance); on PostgreSQL the fast
    path's connection autocommits, so a scan is one round trip."""
    tag = make_shop().tag
    url = f"/T/{tag.code}"
    _warm(app, url)
    fast = _fast_path(app)
    served = fast.served
    for _ in range(3):
        assert app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI}
                                     ).status_code == 200
    assert fast.served == served + 3
    driver = fast._local.driver
    assert not _holds_a_transaction(driver)
    assert driver.autocommit == (driver.dialect.name == "postgresql")
    db.session.rollback()
    assert len([s for s in _scans() if not s.is_bot]) >= 4


def test_a_connection_the_fast_path_kept_goes_back_to_the_pool_in_transaction_mode(app):
    """A threaded server's request thread ends with the fast path's connection in it: the
    garbage collector returns it to the pool, and the next user of that connection (an ORM
    session with savepoints) must get transactions back, not autocommit."""
    import gc
    import threading

    tag = make_shop().tag
    url = f"/T/{tag.code}"
    _warm(app, url)

    def scan_in_a_thread_that_ends():
        with app.app_context():
            assert app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI}
                                         ).status_code == 200

    thread = threading.Thread(target=scan_in_a_thread_that_ends)
    thread.start()
    thread.join()
    del thread
    gc.collect()
    pool = db.engine.pool
    idle = [record.dbapi_connection for record in list(getattr(pool, "_pool").queue)]
    assert idle and not any(getattr(c, "autocommit", False) for c in idle)
    with db.session.begin_nested():  # a SAVEPOINT: refused by an autocommit connection
        assert db.session.scalar(select(func.count()).select_from(Scan)) >= 1


def test_only_a_returning_shoppers_scan_probes_for_a_repeat(app, monkeypatch):
    """A new visitor's id is minted by this very scan, so it cannot have scanned before: its
    INSERT skips the repeat probe (on PostgreSQL a probe of every month partition)."""
    from qrshop.shopper import recording

    chosen = []

    class Spy(dict):
        def __getitem__(self, key):
            chosen.append(key[0])
            return super().__getitem__(key)

    send = recording._send_scan

    def send_spy(driver, check_repeat, params):  # PostgreSQL's sent INSERT (db_send)
        chosen.append(check_repeat)
        return send(driver, check_repeat, params)

    monkeypatch.setattr(recording, "_INSERT_SCAN", Spy(recording._INSERT_SCAN))
    monkeypatch.setattr(recording, "_send_scan", send_spy)
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    _warm(app, url)
    phone = app.test_client()
    phone.get(url, headers={"User-Agent": MOBILE_SAFARI})
    phone.get(url, headers={"User-Agent": MOBILE_SAFARI})
    assert chosen[-2:] == [False, True]  # the new visitor's scan; the returning shopper's
    first, again = _scans()[-2:]
    assert (first.is_repeat, again.is_repeat) == (False, True)
