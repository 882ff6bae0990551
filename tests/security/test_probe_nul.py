"""NUL characters in a path or an API body answer 4xx on every database (PostgreSQL cannot
store or compare text holding one), and a 500's log line names no token."""

from __future__ import annotations

import json
import logging

import pytest

from tests.factories import login, make_shop, make_user


@pytest.mark.parametrize("path", ["/admin/retailers/%00/edit", "/admin/vendors/x%00y/edit"])
def test_a_nul_in_a_path_segment_answers_404(client, path):
    admin = make_user("admin")
    login(client, admin.email)
    assert client.get(path).status_code == 404


def test_a_nul_in_a_tag_code_answers_404(client):
    make_shop()
    assert client.get("/t/AB%00CD").status_code == 404


def test_a_nul_in_an_api_json_string_answers_422(client, runner):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    token = runner.invoke(args=["tokens", "create", user.email, "--name", "pim"]
                          ).output.strip().splitlines()[-1]
    body = json.dumps({"gtin": "00012345678905", "price_cents": 1999, "currency": "USD",
                       "name": "Trail\u0000Jacket"})
    response = client.put("/api/v1/listings/SKU%2D1", data=body,
                          content_type="application/json",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "control characters" in response.get_json()["message"]


def test_an_unexpected_error_logs_the_path_without_its_token(app, client, caplog,
                                                             monkeypatch):
    def broken(token):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "wishlist.wishlist_link", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/wishlist/link/secret-magic-token-123")
    assert response.status_code == 500
    assert "secret-magic-token-123" not in caplog.text
    assert "/wishlist/link/<token>" in caplog.text
