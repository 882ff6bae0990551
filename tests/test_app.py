"""The application itself: configuration, health check, errors."""

from __future__ import annotations

import pytest

from qrshop import create_app
from qrshop.config import normalise_base_url


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_broken_database(tmp_path):
    broken = create_app({
        "TESTING": True, "SECRET_KEY": "x",
        # A directory is not a database file: every query fails.
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}",
    })
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_environment_configures_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("QRSHOP_BASE_URL", "https://scan.example.org/")
    monkeypatch.setenv("QRSHOP_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("QRSHOP_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["BASE_URL"] == "https://scan.example.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_test_config_overrides_environment(monkeypatch):
    monkeypatch.setenv("QRSHOP_BASE_URL", "https://scan.example.org")
    app = create_app({"BASE_URL": "https://qr.example.com", "SECRET_KEY": "x"})
    assert app.config["BASE_URL"] == "https://qr.example.com"


def test_secret_key_is_made_once_per_instance_when_not_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("QRSHOP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("QRSHOP_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("bad", ["qr.example.com", "ftp://qr.example.com", "https://x.com/?a=1"])
def test_bad_base_url_is_refused_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="QRSHOP_BASE_URL"):
        normalise_base_url(bad)


def test_unknown_page_is_a_branded_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not found" in response.data and b"<!doctype html>" in response.data


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not_found" and body["message"]
