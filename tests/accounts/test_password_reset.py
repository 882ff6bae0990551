"""Forgot your password?: the same answer for every email, a 1-hour single-use link that
ends the user's other sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from qrshop.accounts.models import PasswordToken
from qrshop.accounts.services import check_password, user_by_email
from qrshop.alerts.models import OutboxMessage
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.conftest import BASE_URL
from tests.factories import (
    PASSWORD,
    csrf_token,
    link_in,
    login,
    make_shop,
    make_user,
    queued_emails,
    set_password_form,
)


def _forgot(client, email):
    return client.post("/password/forgot", data={
        "csrf_token": csrf_token(client, "/password/forgot"), "email": email})


def _outbox_size():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page
    assert client.get("/password/forgot").status_code == 200


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client):
    make_shop()
    user = make_user("merchandiser", "known@example.com", retailer_slug="acme")
    known = _forgot(client, user.email)
    unknown = _forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [user.email]
    [email] = queued_emails(user.email)
    assert email.subject == "Reset your qrshop password" and "1 hour" in email.body
    assert link_in(email.body).startswith(BASE_URL + "/password/reset/")


def test_no_reset_mail_for_invited_or_deactivated_accounts(client, runner):
    make_shop()
    runner.invoke(args=["users", "invite", "pending@example.com", "--role", "admin"])
    size = _outbox_size()
    assert _forgot(client, "pending@example.com").status_code == 200
    assert _outbox_size() == size


def test_reset_sets_the_password_once_and_ends_other_sessions(app, client):
    make_shop()
    user = make_user("merchandiser", "reset@example.com", retailer_slug="acme")
    other_device = app.test_client()
    login(other_device, user.email)
    assert other_device.get("/console").status_code == 200
    _forgot(client, user.email)
    link = link_in(queued_emails(user.email)[0].body)
    response = set_password_form(client, link, "short")
    assert response.status_code == 422 and check_password(user_by_email(user.email), PASSWORD)
    response = set_password_form(client, link, "my new long password")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console")
    assert client.get("/console").status_code == 200
    assert other_device.get("/console").status_code == 302  # logged out there
    assert check_password(user_by_email(user.email), "my new long password")
    assert client.get(link.removeprefix(BASE_URL)).status_code == 410


def test_an_expired_reset_link_answers_410(client):
    make_shop()
    user = make_user("admin", "late@example.com")
    _forgot(client, user.email)
    link = link_in(queued_emails(user.email)[0].body)
    stored = db.session.scalar(select(PasswordToken))
    assert timedelta(minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=1)
    db.session.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link.removeprefix(BASE_URL))
    assert response.status_code == 410 and "Forgot your password?" in response.get_data(
        as_text=True)


def test_a_newer_reset_link_kills_the_older_one(client):
    make_shop()
    user = make_user("admin", "twice@example.com")
    _forgot(client, user.email)
    _forgot(client, user.email)
    first, second = queued_emails(user.email)
    assert client.get(link_in(first.body).removeprefix(BASE_URL)).status_code == 410
    assert client.get(link_in(second.body).removeprefix(BASE_URL)).status_code == 200


def test_reset_requests_are_rate_limited_per_email(app, client):
    make_shop()
    user = make_user("admin", "spam@example.com")
    statuses = [_forgot(app.test_client(), user.email).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(queued_emails(user.email)) == 3
    assert _forgot(client, "someone.else@example.com").status_code == 200


def test_forgot_form_needs_csrf(client):
    assert client.post("/password/forgot", data={"email": "x@example.com"}).status_code == 400


def test_refused_reset_requests_do_not_use_up_the_emails_quota(app, client):
    user = make_user("admin", "target@example.com")
    attacker = app.test_client()
    for data in ({"email": user.email}, {"email": user.email, "csrf_token": "forged"}) * 2:
        assert attacker.post("/password/forgot", data=data).status_code == 400
    assert _forgot(client, user.email).status_code == 200
    assert len(queued_emails(user.email)) == 1


def test_someone_using_up_the_reset_quota_and_locking_login_cannot_keep_staff_out(app, client):
    user = make_user("admin", "victim@example.com")
    attacker = app.test_client()
    for _ in range(3):
        assert _forgot(attacker, user.email).status_code == 200
    for _ in range(5):
        login(attacker, user.email, "wrong password")
    refused = login(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert "a reset link sent in the last hour works even while the account is locked" in (
        refused.get_data(as_text=True))
    refused = _forgot(client, user.email)
    assert refused.status_code == 429
    assert "the latest one still works" in refused.get_data(as_text=True)
    # Every request the quota counted mailed a link; the latest is live for the whole hour.
    latest = link_in(queued_emails(user.email)[-1].body)
    response = set_password_form(client, latest, "a new passphrase after the storm")
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200
    assert login(app.test_client(), user.email,
                 "a new passphrase after the storm").status_code == 302
