"""Staff pages: /console/staff, /vendor/staff, /admin/users — who may do what, and
deactivation ending sessions and API tokens at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import User
from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.extensions import db
from tests.factories import (
    csrf_token,
    link_in,
    login,
    make_retailer,
    make_shop,
    make_store,
    make_user,
    make_vendor,
    queued_emails,
    set_password_form,
)


def _staff():
    """A retailer (acme, two stores) with a merchandiser and an associate, a second retailer,
    a vendor with a user, another vendor, and an admin — all committed."""
    make_shop()
    other = make_retailer("rival")
    make_store(other, "RIV01")
    make_vendor("othervendor")
    db.session.commit()
    return {
        "admin": make_user("admin", "admin@example.com"),
        "merchandiser": make_user("merchandiser", "merch@example.com", retailer_slug="acme"),
        "associate": make_user("associate", "assoc@example.com", retailer_slug="acme",
                               store_code="NYC01"),
        "vendor": make_user("vendor", "vend@example.com", vendor_slug="widgetco"),
        "rival": make_user("merchandiser", "rival@example.com", retailer_slug="rival"),
    }


def _rows(client, path):
    """The emails listed on a staff page, in order."""
    return re.findall(r'<tr data-user="([^"]+)"', client.get(path).get_data(as_text=True))


def _post(client, page, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


@pytest.mark.parametrize("path, allowed", [
    ("/console/staff", {"merchandiser"}),
    ("/vendor/staff", {"vendor"}),
    ("/admin/users", {"admin"}),
])
def test_who_may_open_the_staff_pages(app, client, path, allowed):
    users = _staff()
    assert client.get(path).status_code == 302  # anonymous: to the login page
    for role in ("admin", "merchandiser", "associate", "vendor"):
        client = app.test_client()
        login(client, users[role].email)
        assert client.get(path).status_code == (200 if role in allowed else 403), role
        assert client.get(path + f"/{users['associate'].id}/deactivate").status_code in (
            (200, 404) if role in allowed else (403,)), role


def test_merchandiser_sees_only_its_retailers_staff(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    assert _rows(client, "/console/staff") == ["assoc@example.com", "merch@example.com"]
    page = client.get("/console/staff").get_data(as_text=True)
    assert "NYC01" in page and "active" in page
    rival = users["rival"]
    for action in ("deactivate", "reactivate", "resend", "role"):
        response = _post(client, "/console/staff", f"/console/staff/{rival.id}/{action}",
                         {"role": "associate"})
        assert response.status_code == 404, action
    assert user_by_email("rival@example.com").status == "active"


def test_merchandiser_invites_an_associate_of_its_own_store(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    response = _post(client, "/console/staff", "/console/staff/invite", {
        "email": "newbie@example.com", "role": "associate",
        "store": "BOS01"})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get("/console/staff").get_data(as_text=True)
    assert "newbie@example.com" in page and "invited" in page
    invited = user_by_email("newbie@example.com")
    assert invited.retailer.slug == "acme" and invited.store.code == "BOS01"
    [email] = queued_emails("newbie@example.com")
    assert "merch@example.com invited you" in email.body
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})
    response = set_password_form(client, link_in(email.body))
    # An associate lands on the till.
    assert response.status_code == 302 and response.headers["Location"].endswith("/pos")


@pytest.mark.parametrize("role, data", [
    ("merchandiser", {"role": "admin"}),
    ("merchandiser", {"role": "vendor", "vendor": "widgetco"}),
    ("merchandiser", {"role": "merchandiser", "retailer": "rival"}),
    ("merchandiser", {"role": "associate", "retailer": "rival",
                      "store": "RIV01"}),
    ("vendor", {"role": "vendor", "vendor": "othervendor"}),
    ("vendor", {"role": "admin"}),
    ("vendor", {"role": "merchandiser", "retailer": "acme"}),
])
def test_nobody_invites_into_another_tenant_or_a_higher_role(client, role, data):
    users = _staff()
    page = {"merchandiser": "/console/staff", "vendor": "/vendor/staff"}[role]
    login(client, users[role].email)
    response = _post(client, page, page + "/invite", {"email": "x@example.com", **data})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert "cannot invite" in response.get_data(as_text=True)
    assert user_by_email("x@example.com") is None and queued_emails("x@example.com") == []


def test_associates_cannot_invite(client):
    users = _staff()
    login(client, users["associate"].email)
    token = csrf_token(client, "/console")
    response = client.post("/console/staff/invite", data={
        "csrf_token": token, "email": "x@example.com", "role": "associate",
        "store": "NYC01"})
    assert response.status_code == 403 and user_by_email("x@example.com") is None


def test_vendor_invites_a_colleague_and_admin_invites_anyone(client):
    users = _staff()
    login(client, users["vendor"].email)
    response = _post(client, "/vendor/staff", "/vendor/staff/invite",
                     {"email": "col@example.com", "role": "vendor"})
    assert response.status_code == 303
    assert user_by_email("col@example.com").vendor.slug == "widgetco"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    login(client, users["admin"].email)
    for email, data in [("a2@example.com", {"role": "admin"}),
                        ("m2@example.com", {"role": "merchandiser",
                                            "retailer": "rival"}),
                        ("v2@example.com", {"role": "vendor",
                                            "vendor": "othervendor"})]:
        response = _post(client, "/admin/users", "/admin/users/invite",
                         {"email": email, **data})
        assert response.status_code == 303, response.get_data(as_text=True)
    assert _rows(client, "/admin/users?retailer=rival") == ["m2@example.com",
                                                            "rival@example.com"]
    assert _rows(client, "/admin/users?vendor=othervendor") == ["v2@example.com"]
    assert len(_rows(client, "/admin/users")) == 9


def test_invite_bad_input_and_an_existing_account(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    response = _post(client, "/console/staff", "/console/staff/invite", {
        "email": "assoc@example.com", "role": "associate",
        "store": "NYC01"})
    assert response.status_code == 409
    assert "already has an account" in response.get_data(as_text=True)
    response = _post(client, "/console/staff", "/console/staff/invite", {
        "email": "x" * 5000 + "@example.com", "role": "associate"})
    assert response.status_code == 400
    response = _post(client, "/console/staff", "/console/staff/invite", {
        "email": "ok@example.com", "role": "associate"})
    assert response.status_code == 422 and "needs --store" in response.get_data(as_text=True)
    assert client.post("/console/staff/invite", data={
        "email": "ok@example.com", "role": "associate",
        "store": "NYC01"}).status_code == 400  # no CSRF token
    assert db.session.scalar(select(func.count()).select_from(User)) == 5


def test_deactivation_asks_first_then_ends_the_live_session_and_api_tokens(app, client):
    users = _staff()
    _, token = create_api_token(users["associate"], "till")
    db.session.commit()
    victim = app.test_client()
    login(victim, users["associate"].email)
    assert victim.get("/console").status_code == 200
    api = {"Authorization": f"Bearer {token}"}
    assert victim.get("/api/v1/me", headers=api).status_code == 200
    login(client, users["merchandiser"].email)
    associate_id = users["associate"].id
    confirm = client.get(f"/console/staff/{associate_id}/deactivate")
    assert confirm.status_code == 200
    assert "Deactivate this account?" in confirm.get_data(as_text=True)
    assert "assoc@example.com" in confirm.get_data(as_text=True)
    assert user_by_email("assoc@example.com").status == "active"  # GET changes nothing
    response = _post(client, f"/console/staff/{associate_id}/deactivate",
                     f"/console/staff/{associate_id}/deactivate", {})
    assert response.status_code == 303
    assert user_by_email("assoc@example.com").status == "deactivated"
    response = victim.get("/console")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert victim.get("/api/v1/me", headers=api).status_code == 401
    assert login(victim, users["associate"].email).status_code == 401
    response = _post(client, "/console/staff", f"/console/staff/{associate_id}/reactivate", {})
    assert response.status_code == 303
    assert login(victim, users["associate"].email).status_code == 302
    # Reactivation lets the person in again, not the tokens of before: they were revoked.
    assert victim.get("/api/v1/me", headers=api).status_code == 401


def test_deactivation_revokes_api_tokens_for_good_and_new_ones_work(app, client, runner):
    users = _staff()
    vendor = users["vendor"]
    _, live = create_api_token(vendor, "feed")
    revoked, _ = create_api_token(vendor, "old feed")
    revoked.revoked_at = revoked.created_at
    db.session.commit()
    revoked_on = revoked.revoked_at
    login(client, users["admin"].email)
    for action in ("deactivate", "reactivate"):
        response = _post(client, "/admin/users", f"/admin/users/{vendor.id}/{action}", {})
        assert response.status_code == 303
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {live}"}).status_code == 401
    listing = runner.invoke(args=["tokens", "list", vendor.email]).output
    assert "active" not in listing and listing.count("revoked") == 2
    db.session.expire_all()
    assert db.session.get(type(revoked), revoked.id).revoked_at == revoked_on  # kept as it was
    _, fresh = create_api_token(user_by_email(vendor.email), "new feed")
    db.session.commit()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_nobody_deactivates_or_demotes_themselves(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    me = users["merchandiser"].id
    assert client.get(f"/console/staff/{me}/deactivate").status_code == 403
    response = _post(client, "/console/staff", f"/console/staff/{me}/deactivate", {})
    assert response.status_code == 403
    response = _post(client, "/console/staff", f"/console/staff/{me}/role",
                     {"role": "associate", "store": "NYC01"})
    assert response.status_code == 403
    me_now = user_by_email("merch@example.com")
    assert me_now.status == "active" and me_now.role == "merchandiser"
    assert client.get("/console/staff").status_code == 200


def test_merchandiser_changes_role_and_store(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    uid = users["associate"].id
    response = _post(client, "/console/staff", f"/console/staff/{uid}/role",
                     {"role": "associate", "store": "BOS01"})
    assert response.status_code == 303
    assert user_by_email("assoc@example.com").store.code == "BOS01"
    response = _post(client, "/console/staff", f"/console/staff/{uid}/role",
                     {"role": "associate", "store": "RIV01"})
    assert response.status_code == 422
    response = _post(client, "/console/staff", f"/console/staff/{uid}/role",
                     {"role": "admin"})
    assert response.status_code == 422
    response = _post(client, "/console/staff", f"/console/staff/{uid}/role",
                     {"role": "merchandiser"})
    assert response.status_code == 303
    promoted = user_by_email("assoc@example.com")
    assert promoted.role == "merchandiser" and promoted.store is None


def test_resend_from_the_staff_page_kills_the_old_link(client):
    users = _staff()
    login(client, users["merchandiser"].email)
    _post(client, "/console/staff", "/console/staff/invite", {
        "email": "late@example.com", "role": "merchandiser"})
    late = user_by_email("late@example.com")
    response = _post(client, "/console/staff", f"/console/staff/{late.id}/resend", {})
    assert response.status_code == 303
    first, second = queued_emails("late@example.com")
    assert client.get(link_in(first.body).split("qr.example.com")[1]).status_code == 410
    assert client.get(link_in(second.body).split("qr.example.com")[1]).status_code == 200
    response = _post(client, "/console/staff",
                     f"/console/staff/{users['associate'].id}/resend", {})
    assert response.status_code == 409


def test_a_session_is_valid_only_for_its_version_and_its_staff_session_row(app):
    from flask import session

    from qrshop.accounts.auth import user_for_session
    from qrshop.accounts.sessions import start_session

    user = _staff()["associate"]
    with app.test_request_context():
        # A session without a staff_sessions row (also one from before them) is refused.
        assert user_for_session(f"{user.id}:0") is None
        start_session(user)
        assert user_for_session(f"{user.id}:0") == user
        for forged in ("", "x", str(user.id), f"{user.id}:1", f"{user.id}:x", "999999:0",
                       ":0"):
            assert user_for_session(forged) is None, forged
        token = session["staff_session"]
        session["staff_session"] = token[:-1]
        assert user_for_session(f"{user.id}:0") is None
        session["staff_session"] = token
        user.session_version = 1
        assert user_for_session(f"{user.id}:0") is None
        assert user_for_session(f"{user.id}:1") == user
