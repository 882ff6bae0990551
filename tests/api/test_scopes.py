"""Scoped API tokens: a token holds the scopes chosen at creation, within its role."""

from __future__ import annotations

from tests.factories import make_shop, make_user


def _create(runner, email, *scopes):
    args = ["tokens", "create", email, "--name", "pim"]
    for scope in scopes:
        args += ["--scope", scope]
    return runner.invoke(args=args)


def _token(result):
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_a_call_outside_the_tokens_scopes_is_403_insufficient_scope(runner, client):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    token = _token(_create(runner, user.email, "analytics:read"))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/analytics/listings", headers=auth).status_code == 200
    refused = client.get("/api/v1/listings", headers=auth)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "insufficient_scope"
    assert "listings:read" in refused.get_json()["message"]
    # /me needs no scope: any live token may ask who it is.
    assert client.get("/api/v1/me", headers=auth).status_code == 200


def test_scopes_can_be_given_comma_separated_and_are_listed(runner, client):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    token = _token(_create(runner, user.email, "listings:read,listings:write"))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/listings", headers=auth).status_code == 200
    assert client.get("/api/v1/analytics/listings", headers=auth).status_code == 403
    listed = runner.invoke(args=["tokens", "list", user.email]).output
    assert "listings:read listings:write" in listed


def test_a_token_without_scopes_holds_every_scope_of_its_role(runner, client):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    auth = {"Authorization": f"Bearer {_token(_create(runner, user.email))}"}
    for path in ("/api/v1/listings", "/api/v1/analytics/listings"):
        assert client.get(path, headers=auth).status_code == 200


def test_unknown_scopes_and_scopes_beyond_the_role_are_refused(runner):
    make_shop()
    user = make_user("associate", retailer_slug="acme", store_code="NYC01")
    unknown = _create(runner, user.email, "tags:delete-everything")
    assert unknown.exit_code != 0 and "Unknown scope" in unknown.output
    beyond = _create(runner, user.email, "listings:write")
    assert beyond.exit_code != 0 and "cannot hold 'listings:write'" in beyond.output


def test_the_openapi_document_names_each_operations_scope(client):
    document = client.get("/api/v1/openapi.json").get_json()
    put = document["paths"]["/api/v1/listings/{sku}"]["put"]
    assert put["security"] == [{"bearerAuth": ["listings:write"]}]
    assert "Scope: listings:write." in put["description"]
