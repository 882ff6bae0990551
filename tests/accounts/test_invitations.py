"""Invitations: `qrshop users invite`, the e-mail in the outbox, the single-use 72-hour link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from qrshop.accounts.models import PasswordToken, User
from qrshop.accounts.services import check_password, user_by_email
from qrshop.alerts.models import OutboxMessage
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.conftest import BASE_URL
from tests.factories import link_in, login, make_shop, queued_emails, set_password_form


def _invite(runner, email="new@example.com", *extra):
    return runner.invoke(args=["users", "invite", email, *extra])


def test_cli_invite_queues_an_email_with_an_absolute_link(runner):
    make_shop()
    result = _invite(runner, "Ann@Example.com", "--role", "associate", "--retailer", "acme",
                     "--store", "nyc01")
    assert result.exit_code == 0, result.output
    assert result.output == ("Invited ann@example.com as associate; the invitation e-mail is "
                             "queued (link valid 72 hours).\n")
    user = user_by_email("ann@example.com")
    assert user.status == "invited" and user.store.code == "NYC01" and not user.is_active
    [email] = queued_emails("ann@example.com")
    assert "invited" in email.subject.lower() and "Acme" in email.subject
    link = link_in(email.body)
    assert link.startswith(BASE_URL + "/invitation/")
    assert "72 hours" in email.body and "associate" in email.body
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordToken))
    assert token not in stored.token_sha256 and len(stored.token_sha256) == 64
    assert timedelta(hours=71, minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=72)


def test_cli_invite_refuses_bad_input_with_one_line_and_stores_nothing(runner):
    make_shop()
    runner.invoke(args=["users", "add", "taken@example.com", "--role", "admin",
                        "--password-stdin"], input="a long enough password\n")
    for args, message in [
        (["not-an-email", "--role", "admin"], "is not an email address"),
        (["x@example.com", "--role", "boss"], "Unknown role"),
        (["x@example.com", "--role", "merchandiser"], "needs --retailer"),
        (["x@example.com", "--role", "associate", "--retailer", "acme"], "needs --store"),
        (["x@example.com", "--role", "associate", "--retailer", "acme", "--store", "zz9"],
         "has no store"),
        (["x@example.com", "--role", "vendor", "--vendor", "nobody"], "No vendor"),
        (["taken@example.com", "--role", "admin"], "already has an account"),
    ]:
        result = runner.invoke(args=["users", "invite", *args])
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(PasswordToken)) == 0


def test_accepting_an_invitation_activates_and_logs_in_once(client, runner):
    make_shop()
    _invite(runner, "mia@example.com", "--role", "merchandiser", "--retailer", "acme")
    link = link_in(queued_emails("mia@example.com")[0].body)
    path = link.removeprefix(BASE_URL)
    page = client.get(path)
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)
    response = set_password_form(client, link, "short", "short")
    assert response.status_code == 422 and "at least 12" in response.get_data(as_text=True)
    response = set_password_form(client, link, "a brand new password", "a different password")
    assert response.status_code == 422 and "differ" in response.get_data(as_text=True)
    assert user_by_email("mia@example.com").status == "invited"
    response = set_password_form(client, link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console")
    assert client.get("/console").status_code == 200
    user = user_by_email("mia@example.com")
    assert user.status == "active" and check_password(user, "a brand new password")
    again = client.get(path)
    assert again.status_code == 410 and "new invitation" in again.get_data(as_text=True)
    assert client.post(path, data={"password": "x" * 12, "confirm": "x" * 12}
                       ).status_code in (400, 410)


def test_a_forged_link_is_404_and_an_expired_one_410(client, runner):
    make_shop()
    assert client.get("/invitation/forged-token").status_code == 404
    assert client.get("/password/reset/forged-token").status_code == 404
    _invite(runner, "old@example.com", "--role", "admin")
    link = link_in(queued_emails("old@example.com")[0].body)
    db.session.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link.removeprefix(BASE_URL))
    assert response.status_code == 410
    assert "Ask the person who invited you for a new invitation" in response.get_data(
        as_text=True)


def test_reinviting_a_pending_email_resends_and_kills_the_old_link(client, runner):
    make_shop()
    _invite(runner, "bo@example.com", "--role", "associate", "--retailer", "acme",
            "--store", "NYC01")
    result = _invite(runner, "bo@example.com", "--role", "associate", "--retailer", "acme",
                     "--store", "BOS01")
    assert result.exit_code == 0, result.output
    first, second = queued_emails("bo@example.com")
    assert link_in(first.body) != link_in(second.body)
    assert client.get(link_in(first.body).removeprefix(BASE_URL)).status_code == 410
    assert client.get(link_in(second.body).removeprefix(BASE_URL)).status_code == 200
    assert user_by_email("bo@example.com").store.code == "BOS01"
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_inviting_an_active_account_is_refused(client, runner):
    make_shop()
    runner.invoke(args=["users", "add", "on@example.com", "--role", "admin",
                        "--password-stdin"], input="a long enough password\n")
    result = _invite(runner, "on@example.com", "--role", "admin")
    assert result.exit_code != 0 and "already has an account" in result.output
    assert queued_emails("on@example.com") == []
    assert login(client, "on@example.com", "a long enough password").status_code == 302


def test_an_invited_user_cannot_log_in_before_setting_a_password(client, runner):
    make_shop()
    _invite(runner, "wait@example.com", "--role", "admin")
    assert login(client, "wait@example.com", "").status_code in (400, 401)
    assert login(client, "wait@example.com", "anything at all").status_code == 401
