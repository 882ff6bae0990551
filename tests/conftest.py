"""Fixtures: a migrated test database (SQLite, or PostgreSQL via QRSHOP_TEST_DATABASE_URL),
a fresh app per test, its client and CLI runner. Each test's rows are deleted afterwards."""

from __future__ import annotations

import os

import pytest
from flask import g, request_started
from sqlalchemy import create_engine, inspect, text

from qrshop import create_app
from qrshop.extensions import db

BASE_URL = "https://qr.example.com"
MOBILE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _drop_everything(url: str) -> None:
    """Leave the test database empty, whatever an earlier run left in it."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE "{table}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database URL, migrated to head once per session."""
    url = os.environ.get("QRSHOP_TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    )
    _drop_everything(url)
    app = create_app(_test_config(url, tmp_path_factory.mktemp("content")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session", autouse=True)
def _instance_folder(tmp_path_factory):
    """Keep instance files (secret key, demo logins) out of the checkout."""
    os.environ["QRSHOP_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    yield
    os.environ.pop("QRSHOP_INSTANCE_PATH", None)


def _test_config(url: str, content_dir) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "BASE_URL": BASE_URL,
        "VENDOR_CONTENT_DIR": str(content_dir),
        # Password hashing is tested for correctness, not strength: keep the suite fast.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SESSION_COOKIE_SECURE": False,
        # Every scan reads its tag afresh, so a test sees its own change at once; the tests
        # of the tag memory give the scanner a fake clock (tests/shopper/helpers.py).
        "LANDING_DATA_MAX_AGE_SECONDS": 0,
        # Tests call the API far faster than any integration may; the per-token limit is
        # tested with its own numbers (tests/api/test_rate_limits.py).
        "API_RATE_LIMIT": "100000/minute",
    }


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app on the migrated test database; its rows are deleted after the test."""
    app = create_app(_test_config(database_url, tmp_path / "vendor_content"))
    request_started.connect(_fresh_g, app)
    with app.app_context():
        yield app
        app.extensions["qrshop.scan_fast_path"].close()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


def _fresh_g(sender, **extra):
    """Start each request with an empty g, as production does.

    The test holds one app context for its whole run (to use db.session), and Flask reuses it
    for the test client's requests; without this, g (the logged-in user, the CSRF token) would
    leak from one client's request into another's.
    """
    g.__dict__.clear()


@pytest.fixture
def client(app):
    """A test client that looks like a phone's browser."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    return client


@pytest.fixture
def runner(app):
    """A CLI runner for `qrshop` commands."""
    return app.test_cli_runner()
