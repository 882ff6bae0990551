"""The demo and the CLI agree on the address tags encode (issue: the CLI printed port 5000
while `qrshop demo --port 5600` served 5600), and `tags print` warns without QRSHOP_BASE_URL."""

from __future__ import annotations

import json

import pytest

from qrshop import create_app
from qrshop.config import DEMO_BASE_URL_FILE
from qrshop.extensions import db
from tests.conftest import BASE_URL, _test_config
from tests.factories import make_shop

_made = []


def _app_without_base_url(database_url, tmp_path):
    """An app as `qrshop` builds one with no QRSHOP_BASE_URL (its own instance folder)."""
    config = _test_config(database_url, tmp_path / "vendor_content")
    del config["BASE_URL"]
    made = create_app(config)
    _made.append(made)
    return made


@pytest.fixture
def own_instance(app, monkeypatch, tmp_path):
    """A fresh instance folder and no QRSHOP_BASE_URL (rows still cleaned by `app`)."""
    monkeypatch.setenv("QRSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("QRSHOP_BASE_URL", raising=False)
    yield tmp_path / "instance"
    while _made:  # give back the other apps' connections
        made = _made.pop()
        with made.app_context():
            made.extensions["qrshop.scan_fast_path"].close()
            db.session.remove()
            db.engine.dispose()


def test_demo_port_is_what_the_cli_encodes_afterwards(database_url, tmp_path, own_instance):
    demo_app = _app_without_base_url(database_url, tmp_path)
    assert demo_app.config["BASE_URL"] == "http://127.0.0.1:5000"
    with demo_app.app_context():
        result = demo_app.test_cli_runner().invoke(args=["demo", "--no-serve", "--port",
                                                         "5600"])
        assert result.exit_code == 0, result.output
        assert "HTTP://127.0.0.1:5600/T/" in result.output
    assert (own_instance / DEMO_BASE_URL_FILE).read_text().strip() == "http://127.0.0.1:5600"

    # A later `qrshop tags list` (a new process: a new app) encodes the demo's port.
    cli_app = _app_without_base_url(database_url, tmp_path)
    assert cli_app.config["BASE_URL"] == "http://127.0.0.1:5600"
    with cli_app.app_context():
        runner = cli_app.test_cli_runner()
        rows = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                              "json"]).output)
        assert rows and all(row["url"].startswith("HTTP://127.0.0.1:5600/T/") for row in rows)
        # the demo served again on another port moves the CLI with it
        assert runner.invoke(args=["demo", "--no-serve", "--port", "5700"]).exit_code == 0
    assert _app_without_base_url(database_url, tmp_path).config["BASE_URL"] == \
        "http://127.0.0.1:5700"


def test_environment_wins_over_the_demo_file(database_url, tmp_path, own_instance,
                                             monkeypatch):
    own_instance.mkdir(parents=True)
    (own_instance / DEMO_BASE_URL_FILE).write_text("http://127.0.0.1:5600\n")
    monkeypatch.setenv("QRSHOP_BASE_URL", "https://tags.example.org")
    assert _app_without_base_url(database_url, tmp_path).config["BASE_URL"] == \
        "https://tags.example.org"


def test_tags_print_warns_loudly_without_base_url(runner, tmp_path, monkeypatch):
    shop = make_shop()
    monkeypatch.delenv("QRSHOP_BASE_URL", raising=False)
    args = ["tags", "print", "--store", "NYC01", "--sku", shop.listing.sku, "--layout",
            "avery-5160", "--out", str(tmp_path / "tags.pdf")]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "WARNING: QRSHOP_BASE_URL is not set" in result.stderr
    assert BASE_URL in result.stderr
    assert "WARNING" not in result.stdout

    monkeypatch.setenv("QRSHOP_BASE_URL", BASE_URL)
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "QRSHOP_BASE_URL" not in result.stderr


def test_tags_print_after_the_demo_names_the_demo_address(database_url, tmp_path,
                                                         own_instance):
    own_instance.mkdir(parents=True)
    (own_instance / DEMO_BASE_URL_FILE).write_text("http://127.0.0.1:5600\n")
    cli_app = _app_without_base_url(database_url, tmp_path)
    with cli_app.app_context():
        shop = make_shop()
        result = cli_app.test_cli_runner().invoke(args=[
            "tags", "print", "--store", "NYC01", "--sku", shop.listing.sku, "--layout",
            "avery-5160", "--out", str(tmp_path / "tags.pdf")])
        assert result.exit_code == 0, result.output
        assert "demo server's address http://127.0.0.1:5600" in result.stderr
        assert "WARNING" not in result.stderr
