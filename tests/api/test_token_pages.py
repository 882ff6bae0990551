"""/console/tokens: every staff user makes, lists and revokes their own API tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from qrshop.accounts.models import ApiToken
from qrshop.accounts.scopes import role_scopes
from qrshop.accounts.services import create_api_token
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user

LINKS = {"merchandiser": {"retailer_slug": "acme"},
         "associate": {"retailer_slug": "acme", "store_code": "NYC01"},
         "vendor": {"vendor_slug": "widgetco"},
         "admin": {}}


def _logged_in(client, role):
    make_shop()
    user = make_user(role, **LINKS[role])
    login(client, user.email)
    return user


def _new_token(client, name="PIM sync", scopes=()):
    token = csrf_token(client, "/console/tokens")
    return client.post("/console/tokens", data={"csrf_token": token, "name": name,
                                                 "scopes": list(scopes)})


def _shown_token(response) -> str:
    return re.search(r'value="(qrs_[^"]+)"[^>]*data-new-token', response.get_data(as_text=True)
                     ).group(1)


@pytest.mark.parametrize("role", ["merchandiser", "associate", "vendor", "admin"])
def test_every_staff_role_makes_a_working_token_with_chosen_scopes(client, role):
    user = _logged_in(client, role)
    page = client.get("/console/tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/console/tokens"' in html  # in the surface's navigation
    offered = set(re.findall(r'name="scopes" value="([^"]+)"', html))
    assert offered == set(role_scopes(role))
    chosen = sorted(offered)[:1]
    response = _new_token(client, scopes=chosen)
    assert response.status_code == 200
    plain = _shown_token(response)
    assert "shown only this once" in response.get_data(as_text=True)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.scopes == chosen[0] and stored.name == "PIM sync"
    assert plain not in (stored.token_sha256, stored.prefix)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    # The list shows it, never its plain text again.
    listed = client.get("/console/tokens").get_data(as_text=True)
    assert stored.prefix in listed and chosen[0] in listed and plain not in listed


def test_no_scope_ticked_gives_every_scope_of_the_role(client):
    user = _logged_in(client, "merchandiser")
    plain = _shown_token(_new_token(client))
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.scopes == ""
    assert client.get("/api/v1/listings", headers={"Authorization": f"Bearer {plain}"}
                      ).status_code == 200
    assert "every scope of your role" in client.get("/console/tokens").get_data(as_text=True)


def test_a_scope_outside_the_role_or_unknown_is_refused_and_nothing_stored(client):
    _logged_in(client, "associate")
    for scopes in (["tags:write"], ["nonsense:read"]):
        response = _new_token(client, scopes=scopes)
        assert response.status_code == 400
        assert "not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_missing_or_long_name_is_refused(client, name):
    _logged_in(client, "vendor")
    response = _new_token(client, name=name)
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(ApiToken)) is None


def test_forms_without_a_csrf_token_are_refused(client):
    user = _logged_in(client, "merchandiser")
    assert client.post("/console/tokens", data={"name": "x"}).status_code == 400
    token, _ = create_api_token(user, "till")
    db.session.commit()
    assert client.post(f"/console/tokens/{token.id}/revoke").status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None and db.session.scalar(
        select(ApiToken).where(ApiToken.name == "x")) is None


def test_revoking_stops_the_token_and_the_list_says_so(client):
    user = _logged_in(client, "merchandiser")
    token, plain = create_api_token(user, "till")
    db.session.commit()
    response = client.post(f"/console/tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_token(client, "/console/tokens")})
    assert response.status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}
                      ).status_code == 401
    html = client.get("/console/tokens").get_data(as_text=True)
    assert "revoked" in html and f"/console/tokens/{token.id}/revoke" not in html


def test_nobody_sees_or_revokes_another_users_tokens(client):
    _logged_in(client, "merchandiser")
    colleague = make_user("merchandiser", retailer_slug="acme")
    theirs, plain = create_api_token(colleague, "their secret integration")
    db.session.commit()
    html = client.get("/console/tokens").get_data(as_text=True)
    assert theirs.prefix not in html and "their secret integration" not in html
    response = client.post(f"/console/tokens/{theirs.id}/revoke",
                           data={"csrf_token": csrf_token(client, "/console/tokens")})
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}
                      ).status_code == 200


def test_the_page_needs_a_login(client):
    response = client.get("/console/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/console/tokens", data={"name": "x"}).status_code in (302, 400)
