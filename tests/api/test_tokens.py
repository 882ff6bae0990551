"""API tokens: created by the CLI, shown once, stored hashed, revocable."""

from __future__ import annotations

from sqlalchemy import select

from qrshop.accounts.models import ApiToken
from qrshop.extensions import db
from tests.factories import make_shop, make_user


def _create(runner, email, name="till"):
    result = runner.invoke(args=["tokens", "create", email, "--name", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_token_is_printed_last_and_stored_hashed(runner, client):
    make_shop()
    user = make_user("associate", retailer_slug="acme", store_code="NYC01")
    token = _create(runner, user.email)
    assert token.startswith("qrs_") and len(token) > 40
    stored = db.session.scalar(select(ApiToken))
    assert token not in (stored.token_sha256, stored.prefix)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json() == {"email": user.email, "role": "associate",
                                   "retailer": "acme", "store": "NYC01", "vendor": None}
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_missing_bad_and_revoked_tokens_get_401_json(runner, client):
    user = make_user("admin")
    token = _create(runner, user.email)
    for headers in ({}, {"Authorization": "Bearer qrs_nope"}, {"Authorization": f"Basic {token}"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"
    prefix = runner.invoke(args=["tokens", "list", user.email]).output.split("…")[0]
    result = runner.invoke(args=["tokens", "revoke", prefix])
    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "revoked" in runner.invoke(args=["tokens", "list", user.email]).output


def test_token_for_unknown_user_is_refused(runner):
    result = runner.invoke(args=["tokens", "create", "ghost@example.com", "--name", "x"])
    assert result.exit_code != 0 and "No user with email" in result.output
