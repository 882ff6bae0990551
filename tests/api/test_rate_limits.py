"""Per-token API rate limits: RateLimit-* headers count down, 429 with Retry-After when over,
each token its own budget, shared by every worker on the database."""

from __future__ import annotations

import pytest

from qrshop import create_app
from qrshop.accounts.services import create_api_token
from qrshop.config import from_environment
from qrshop.extensions import db
from tests.factories import make_shop, make_user


@pytest.fixture
def tokens(app):
    """Two merchandisers' tokens and an admin's, with a budget of 3 requests per minute."""
    app.config["API_RATE_LIMIT"] = "3/minute"
    make_shop()
    first = create_api_token(make_user("merchandiser", retailer_slug="acme"), "pim")[1]
    second = create_api_token(make_user("merchandiser", retailer_slug="acme"), "bi")[1]
    admin = create_api_token(make_user("admin"), "ops")[1]
    db.session.commit()
    return first, second, admin


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_the_headers_count_down_then_429_with_retry_after(client, tokens):
    first, _, _ = tokens
    remaining = []
    for _ in range(3):
        response = _me(client, first)
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
        remaining.append(response.headers["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    over = _me(client, first)
    assert over.status_code == 429
    assert over.get_json()["error"] == "rate_limited"
    assert "Retry-After" in over.get_json()["message"]
    assert over.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(over.headers["Retry-After"]) <= 60


def test_two_tokens_have_separate_budgets(client, tokens):
    first, second, _ = tokens
    for _ in range(3):
        _me(client, first)
    assert _me(client, first).status_code == 429
    response = _me(client, second)
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "2"


def test_refused_calls_count_and_carry_the_headers_but_no_token_does_not(client, tokens):
    _, _, admin = tokens
    # An admin may not read listings: 403, counted all the same.
    refused = client.get("/api/v1/listings", headers={"Authorization": f"Bearer {admin}"})
    assert refused.status_code == 403 and refused.headers["RateLimit-Remaining"] == "2"
    assert _me(client, admin).headers["RateLimit-Remaining"] == "1"
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401 and "RateLimit-Limit" not in anonymous.headers


def test_every_worker_counts_in_the_same_window(app, client, tokens, database_url, tmp_path):
    """A second app on the same database (another gunicorn worker, another node) sees the
    hits of the first."""
    first, _, _ = tokens
    _me(client, first)
    _me(client, first)
    other_worker = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": database_url})
    with other_worker.app_context():
        response = _me(other_worker.test_client(), first)
        assert response.headers["RateLimit-Remaining"] == "0"
        assert _me(other_worker.test_client(), first).status_code == 429
        db.session.remove()
        db.engine.dispose()


def test_the_limit_is_configurable_from_the_environment():
    config = from_environment({"QRSHOP_API_RATE_LIMIT": "20000/hour"})
    assert config == {"API_RATE_LIMIT": "20000/hour"}


def test_a_malformed_limit_stops_the_app_at_start():
    with pytest.raises(ValueError, match="QRSHOP_API_RATE_LIMIT must look like 600/minute"):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "API_RATE_LIMIT": "lots"})


def test_the_default_is_600_per_minute(app, client):
    from qrshop.config import defaults

    assert defaults(app.instance_path)["API_RATE_LIMIT"] == "600/minute"
    app.config["API_RATE_LIMIT"] = defaults(app.instance_path)["API_RATE_LIMIT"]
    make_shop()
    token = create_api_token(make_user("merchandiser", retailer_slug="acme"), "pim")[1]
    db.session.commit()
    response = _me(client, token)
    assert response.headers["RateLimit-Limit"] == "600"
    assert response.headers["RateLimit-Remaining"] == "599"


def test_a_failing_storage_falls_back_to_counting_in_memory(client, tokens, monkeypatch):
    """Redis down (or the database's counters): the API still answers, and still limits."""
    from limits.storage import MemoryStorage, Storage

    from qrshop.accounts import api_limits
    from qrshop.extensions import limiter

    class Broken(Storage):
        STORAGE_SCHEME = ["broken-test"]

        def incr(self, *args, **kwargs):
            raise ConnectionError("storage down")

        get = get_expiry = check = reset = clear = incr

        @property
        def base_exceptions(self):
            return ConnectionError

    monkeypatch.setattr(limiter.limiter, "storage", Broken())
    monkeypatch.setattr(api_limits, "_fallback", MemoryStorage())
    first, _, _ = tokens
    assert [_me(client, first).status_code for _ in range(4)] == [200, 200, 200, 429]
