"""The scan fast path: a person's GET of a live tag, served in front of Flask.

It must be indistinguishable from the Flask view to a shopper and to the scan log, and pass
every other request on to Flask without writing anything first.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import Column, Table, func, select, text
from sqlalchemy.sql import visitors

from qrshop.catalog.models import Listing
from qrshop.catalog.services import set_price
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers import landing as engagement
from qrshop.shopper import fastpath, services
from qrshop.shopper.models import LANDING_DATA_TABLES, LandingDataVersion, Scan, Shopper
from qrshop.tags.services import retire_tag
from tests.conftest import MOBILE_SAFARI
from tests.content.helpers import go_live, make_scene
from tests.factories import make_shop
from tests.helpers import claim_coupon, make_offer, new_phone


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
    """Status, headers and body, with the per-shopper values (cookie, form token) masked."""
    headers = sorted(
        (name, re.sub(r"=[^;]*;", "=<id>;", value, count=1)
         .replace(re.search(r"Expires=[^;]*", value).group(0), "Expires=<date>")
         if name == "Set-Cookie" else value)
        for name, value in response.headers.items())
    body = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="<token>"',
                  response.get_data(as_text=True))
    return response.status_code, headers, body


@pytest.mark.parametrize("base_url", ["http://localhost", "https://qr.example.com"])
@pytest.mark.parametrize("user_agent", [MOBILE_SAFARI, "Googlebot/2.1"])
def test_fast_path_answers_exactly_as_the_flask_view(app, base_url, user_agent):
    *_, tag = make_shop()
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
    *_, tag = make_shop()
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
    *_, tag = make_shop()
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
    retailer, *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    phone = app.test_client()
    served, shoppers = _fast_path(app).served, _shoppers()

    page = phone.get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert _fast_path(app).served == served + 1
    scan = _scans()[-1]
    assert page.headers["Set-Cookie"].startswith(f"qs{retailer.id}={scan.shopper_id}.")
    assert _shoppers() == shoppers  # the scan wrote the scan only
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    saved = phone.post(f"{url}/save", data={"csrf_token": token.group(1)},
                       headers={"User-Agent": MOBILE_SAFARI})
    assert saved.status_code == 303
    assert "Set-Cookie" not in saved.headers  # the same shopper, now with a row
    assert db.session.get(Shopper, scan.shopper_id).retailer_id == retailer.id


def test_a_cookie_whose_shopper_has_no_row_keeps_its_identity(app):
    retailer, *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    cookie = app.extensions["qrshop.shopper_cookie"]
    phone = app.test_client()
    phone.set_cookie(cookie.name(retailer.id), cookie.dumps("shopper-from-a-restored-backup"))
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
    *_, tag = make_shop()
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
    *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    retire_tag(tag)
    db.session.commit()
    served = _fast_path(app).served

    response = app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert response.status_code == 410 and _fast_path(app).served == served


def test_a_failure_before_the_commit_passes_the_scan_to_flask_once(app, monkeypatch, caplog):
    *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    scans = len(_scans())

    def broken(*args, **kwargs):
        raise RuntimeError("lost the database")

    monkeypatch.setattr(fastpath, "record_scan_and_commit", broken)
    response = app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})

    assert response.status_code == 200
    assert len(_scans()) == scans + 1
    assert "passing it to Flask" in caplog.text
    # The next scan opens a new connection and is served by the fast path again.
    monkeypatch.undo()
    served = _fast_path(app).served
    assert app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI}).status_code == 200
    assert _fast_path(app).served == served + 1


# --- the tags kept in memory, and the landing data version -----------------------------------


def _version() -> int:
    return db.session.scalar(select(LandingDataVersion.version))


def _tables_read_by(statement) -> set[str]:
    found = set()
    for element in visitors.iterate(statement):
        if isinstance(element, Table):
            found.add(element.name)
    return found


def test_every_table_a_landing_page_reads_raises_the_version():
    read = (_tables_read_by(services._LANDING_VERSIONED.statement)
            | _tables_read_by(engagement._ENGAGEMENT_ANONYMOUS.statement)
            | _tables_read_by(engagement._NEXT_OFFER_CHANGE.statement))
    assert read - {"landing_data_version"} == set(LANDING_DATA_TABLES)


@pytest.mark.parametrize("table", LANDING_DATA_TABLES)
def test_a_change_to_any_landing_table_raises_the_version(app, table):
    scene = make_scene()  # every table gets a row
    go_live(scene, "spotlight")
    make_offer(scene.retailer)
    before = _version()
    with db.engine.begin() as connection:
        changed = connection.execute(text(
            f"UPDATE {table} SET id = id WHERE id = (SELECT MIN(id) FROM {table})"))
    assert changed.rowcount == 1
    assert _version() > before
    before = _version()
    with db.engine.begin() as connection:  # several rows in one transaction
        connection.execute(text(f"UPDATE {table} SET id = id"))
        connection.execute(text(f"UPDATE {table} SET id = id"))
    assert _version() > before


def _phone_page(app, url):
    return app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})


def test_a_price_change_shows_on_the_next_scan(app):
    retailer, store, _, vendor, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    assert "$49.99" in _phone_page(app, url).get_data(as_text=True)
    scans = len(_scans())

    set_price(db.session.get(Listing, tag.listing_id), 3999)
    db.session.commit()
    page = _phone_page(app, url).get_data(as_text=True)

    assert "$39.99" in page and "$49.99" not in page
    assert len(_scans()) == scans + 1


def test_a_change_during_the_scan_rolls_it_back_and_retries_once(app, monkeypatch):
    *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    _phone_page(app, url)  # this process now keeps the tag
    scans, served = len(_scans()), _fast_path(app).served
    checked = []
    real_version = fastpath.landing_data_version

    def moved_once(driver):
        checked.append(True)
        version = real_version(driver)
        return version + 1 if len(checked) == 1 else version

    monkeypatch.setattr(fastpath, "landing_data_version", moved_once)
    response = _phone_page(app, url)

    assert response.status_code == 200 and len(checked) == 2
    assert _fast_path(app).served == served + 1
    assert len(_scans()) == scans + 1  # the first attempt was rolled back


def test_a_change_on_every_attempt_passes_the_scan_to_flask(app, monkeypatch):
    *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    _phone_page(app, url)
    scans, served = len(_scans()), _fast_path(app).served
    monkeypatch.setattr(fastpath, "landing_data_version", lambda driver: -1)

    response = _phone_page(app, url)

    assert response.status_code == 200 and _fast_path(app).served == served
    assert len(_scans()) == scans + 1  # recorded once, by the Flask view


def test_a_new_offer_shows_on_the_next_anonymous_scan(app):
    retailer, *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    assert "Get coupon" not in _phone_page(app, url).get_data(as_text=True)

    make_offer(retailer, title="Rainy day deal")

    assert "Rainy day deal" in _phone_page(app, url).get_data(as_text=True)


def test_an_offer_disappears_when_it_ends_without_any_write(app):
    retailer, *_, tag = make_shop()
    ends_at = utcnow() + timedelta(seconds=3)
    make_offer(retailer, title="Flash deal", ends_at=ends_at)
    url = f"/t/{tag.code}"
    _warm(app, url)
    assert "Flash deal" in _phone_page(app, url).get_data(as_text=True)
    served = _fast_path(app).served
    assert "Flash deal" in _phone_page(app, url).get_data(as_text=True)
    assert _fast_path(app).served == served + 1  # from the tag kept in memory

    time.sleep(max(0.0, (ends_at - utcnow()).total_seconds()) + 0.1)

    assert "Flash deal" not in _phone_page(app, url).get_data(as_text=True)


def _trigger_names() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return {name for (name,) in db.session.execute(text(query))
            if name.startswith("landing_data_version_")}


def test_every_landing_table_has_its_insert_update_and_delete_triggers(app):
    # A migration that rebuilds a table (Alembic's batch mode on SQLite) drops its triggers.
    expected = {f"landing_data_version_{table}_{event}" for table in LANDING_DATA_TABLES
                for event in ("insert", "update", "delete")}
    assert _trigger_names() == expected | {"landing_data_version_offers_runs_out"}


def _offer_columns_read() -> set[str]:
    columns = set()
    for statement in (engagement._ENGAGEMENT_ANONYMOUS.statement,
                      engagement._NEXT_OFFER_CHANGE.statement):
        for element in visitors.iterate(statement):
            # The offers table, or an alias of it (the "candidate" offer).
            table = getattr(getattr(element, "table", None), "element", None)
            if isinstance(element, Column) and "offers" in (element.table.name,
                                                           getattr(table, "name", None)):
                columns.add(element.name)
    return columns


def test_a_claim_raises_the_version_only_when_the_offer_runs_out(app):
    retailer, *_, tag = make_shop()
    make_offer(retailer, total_limit=2)
    columns = _offer_columns_read()
    assert "claimed_count" in columns and "title" in columns
    for column in sorted(columns - {"claimed_count"}):  # what a page shows of an offer
        before = _version()
        with db.engine.begin() as connection:
            connection.execute(text(f"UPDATE offers SET {column} = {column}"))
        assert _version() > before, column
    before = _version()
    claim_coupon(new_phone(app), tag)  # 1 of 2
    assert _version() == before
    claim_coupon(new_phone(app), tag)  # 2 of 2
    assert _version() > before  # 2 of 2: the offer is gone from the page
    assert "Get coupon" not in _phone_page(app, f"/t/{tag.code}").get_data(as_text=True)


def test_a_tag_whose_rendered_page_was_evicted_gets_back_on_the_fast_path(app):
    *_, tag = make_shop()
    url = f"/t/{tag.code}"
    _warm(app, url)
    _phone_page(app, url)
    app.extensions["qrshop.landing_pages"]._pages.clear()  # evicted
    set_price(db.session.get(Listing, tag.listing_id), 3999)
    db.session.commit()

    assert "$39.99" in _phone_page(app, url).get_data(as_text=True)  # Flask renders it
    served = _fast_path(app).served
    assert "$39.99" in _phone_page(app, url).get_data(as_text=True)
    assert _fast_path(app).served == served + 1


def test_an_offer_appears_when_it_starts_without_any_write(app):
    retailer, *_, tag = make_shop()
    starts_at = utcnow() + timedelta(seconds=3)
    make_offer(retailer, title="Early bird", starts_at=starts_at)
    url = f"/t/{tag.code}"
    _warm(app, url)
    served = _fast_path(app).served
    assert "Early bird" not in _phone_page(app, url).get_data(as_text=True)
    assert _fast_path(app).served == served + 1

    time.sleep(max(0.0, (starts_at - utcnow()).total_seconds()) + 0.1)

    assert "Early bird" in _phone_page(app, url).get_data(as_text=True)
