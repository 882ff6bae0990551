"""Password policy: zxcvbn's estimate (score 3 of 4, the account's e-mail counted as known
to an attacker) and one length limit (128) for every form and command that sets one; the
login form takes up to 1024, the limit of before, so older long passwords still work."""

from __future__ import annotations

import pytest

from qrshop.accounts import invitations
from qrshop.accounts.models import TokenPurpose
from qrshop.accounts.services import MAX_PASSWORD_LENGTH, check_password, user_by_email
from qrshop.extensions import db
from tests.factories import login, make_shop, make_user, set_password_form

TOO_LONG = "Correct horse battery staple " * 5  # 145 characters, strong but too long


def _reset_link(user) -> str:
    link = invitations.issue_link(user, TokenPurpose.RESET)
    db.session.commit()
    return link


def test_the_limit_is_128_characters():
    assert MAX_PASSWORD_LENGTH == 128 and len(TOO_LONG) > MAX_PASSWORD_LENGTH


def test_a_weak_password_is_refused_saying_what_to_do(client):
    user = make_user("admin")
    link = _reset_link(user)
    response = set_password_form(client, link, "aaaaaaaaaaaa")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "too easy to guess" in page and "are easy to guess" in page
    assert "Add another word or two" in page
    assert not check_password(user_by_email(user.email), "aaaaaaaaaaaa")


def test_a_password_made_of_the_accounts_email_is_refused(client, runner):
    make_shop()
    runner.invoke(args=["users", "invite", "jane.doe.merch@example.com", "--role",
                        "merchandiser", "--retailer", "acme"])
    link = invitations.issue_link(user_by_email("jane.doe.merch@example.com"),
                                  TokenPurpose.INVITATION)
    db.session.commit()
    response = set_password_form(client, link, "jane.doe.merch@example.com")
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    assert user_by_email("jane.doe.merch@example.com").status == "invited"


def test_a_strong_password_is_accepted(client):
    user = make_user("admin")
    response = set_password_form(client, _reset_link(user), "violet kettle umbrella 42")
    assert response.status_code == 302
    assert check_password(user_by_email(user.email), "violet kettle umbrella 42")


def test_the_cli_refuses_a_weak_password_with_zxcvbns_advice(runner):
    result = runner.invoke(args=["users", "add", "weak@example.com", "--role", "admin",
                                 "--password-stdin"], input="password1234\n")
    assert result.exit_code == 1
    assert "too easy to guess" in result.output and "very common password" in result.output
    assert user_by_email("weak@example.com") is None


def test_a_long_password_set_before_the_128_limit_still_logs_in(app, client):
    from werkzeug.security import generate_password_hash

    old_password = "An old and very long passphrase, set when 1024 was the limit. " * 15
    assert MAX_PASSWORD_LENGTH < len(old_password) <= 1024
    user = make_user("admin")
    user.password_hash = generate_password_hash(old_password, "pbkdf2:sha256:1000")
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    assert 'maxlength="1024" name="password"' in page
    assert login(client, user.email, old_password[:-1] + "?").status_code == 401
    response = login(client, user.email, old_password)
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    response = login(app.test_client(), user.email, "x" * 1025)
    assert response.status_code == 400
    assert "at most 1024 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("surface", ["invitation", "reset", "cli"])
def test_an_over_long_new_password_is_refused_everywhere_alike(app, client, runner, surface):
    make_shop()
    if surface == "cli":
        result = runner.invoke(args=["users", "add", "long@example.com", "--role", "admin",
                                     "--password-stdin"], input=TOO_LONG + "\n")
        assert result.exit_code == 1 and "at most 128 characters" in result.output
        assert user_by_email("long@example.com") is None
        return
    if surface == "invitation":
        invitation = invitations.invite(None, "long@example.com", role="admin")
        link = invitations.issue_link(invitation.user, TokenPurpose.INVITATION)
    else:
        link = invitations.issue_link(make_user("admin", "long@example.com"),
                                      TokenPurpose.RESET)
    db.session.commit()
    response = set_password_form(client, link, TOO_LONG)
    assert response.status_code == 400
    assert "at most 128 characters" in response.get_data(as_text=True)
    assert not check_password(user_by_email("long@example.com"), TOO_LONG)
