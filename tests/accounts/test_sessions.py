"""Staff sessions end server-side: a session cookie copied before logout, a new password or
"log out everywhere" is refused afterwards."""

from __future__ import annotations

from datetime import timedelta

from qrshop.accounts import invitations
from qrshop.accounts.models import TokenPurpose
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user, set_password_form


def _replay(app, cookie: str):
    """A new browser that sends a copied session cookie."""
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def _logged_in(app, email: str):
    browser = app.test_client()
    assert login(browser, email).status_code == 302
    return browser


def test_a_cookie_copied_before_logout_is_refused_after_it(app):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    browser = _logged_in(app, user.email)
    copied = browser.get_cookie("session").value
    assert _replay(app, copied).get("/console").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/console")})
    response = _replay(app, copied).get("/console")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logging_out_leaves_the_users_other_browsers_logged_in(app):
    user = make_user("admin")
    desk, phone = _logged_in(app, user.email), _logged_in(app, user.email)
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/admin")})
    assert phone.get("/admin").status_code == 302
    assert desk.get("/admin").status_code == 200


def test_log_out_everywhere_ends_every_session_of_the_user(app):
    user = make_user("admin")
    other = make_user("admin")
    desk, phone = _logged_in(app, user.email), _logged_in(app, user.email)
    colleague = _logged_in(app, other.email)
    copied = desk.get_cookie("session").value
    response = phone.post("/logout", data={"csrf_token": csrf_token(phone, "/admin"),
                                           "everywhere": "1"})
    assert response.status_code == 302
    assert "logged out on every device" in phone.get("/login").get_data(as_text=True)
    assert desk.get("/admin").status_code == 302
    assert _replay(app, copied).get("/admin").status_code == 302
    assert colleague.get("/admin").status_code == 200
    assert _logged_in(app, user.email).get("/admin").status_code == 200


def test_a_new_password_from_a_reset_link_ends_every_copied_session(app):
    user = make_user("admin")
    desk = _logged_in(app, user.email)
    copied = desk.get_cookie("session").value
    link = invitations.issue_link(user, TokenPurpose.RESET)
    db.session.commit()
    phone = app.test_client()
    assert set_password_form(phone, link, "a new and strong passphrase").status_code == 302
    assert phone.get("/admin").status_code == 200
    assert desk.get("/admin").status_code == 302
    assert _replay(app, copied).get("/admin").status_code == 302


def test_deactivation_ends_every_copied_session(app):
    from qrshop.accounts.staff import deactivate

    user = make_user("admin")
    copied = _logged_in(app, user.email).get_cookie("session").value
    deactivate(None, user)
    db.session.commit()
    assert _replay(app, copied).get("/admin").status_code == 302


def test_a_session_row_past_the_cookie_lifetime_is_refused(app):
    from qrshop.accounts.models import StaffSession

    user = make_user("admin")
    browser = _logged_in(app, user.email)
    row = db.session.scalars(db.select(StaffSession)).one()
    assert row.expires_at - row.created_at == app.permanent_session_lifetime
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    assert browser.get("/admin").status_code == 302


def _an_hour_and_a_second_later(monkeypatch):
    """Flask-WTF's token clock (itsdangerous) moved past WTF_CSRF_TIME_LIMIT (3600 s)."""
    from itsdangerous import TimestampSigner

    issued = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda signer: issued(signer) + 3601)


def test_logout_with_an_expired_or_missing_form_token_still_ends_the_session(app, monkeypatch):
    user = make_user("admin")
    for token in ("missing", "expired"):
        till = _logged_in(app, user.email)
        copied = till.get_cookie("session").value
        data = {}
        if token == "expired":
            data = {"csrf_token": csrf_token(till, "/admin")}
            _an_hour_and_a_second_later(monkeypatch)
        response = till.post("/logout", data=data)
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        assert "You are logged out." in till.get("/login").get_data(as_text=True)
        for browser in (till, _replay(app, copied)):
            response = browser.get("/admin")
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login")
        monkeypatch.undo()


def test_log_out_everywhere_without_a_valid_form_token_ends_only_this_session(app,
                                                                             monkeypatch):
    user = make_user("admin")
    desk, till = _logged_in(app, user.email), _logged_in(app, user.email)
    # A forged request (another site cannot read the token), or a till left idle an hour.
    response = till.post("/logout", data={"everywhere": "1"})
    assert response.status_code == 302
    page = till.get("/login").get_data(as_text=True)
    assert "logged out on this browser only" in page
    assert till.get("/admin").status_code == 302
    assert desk.get("/admin").status_code == 200
    phone = _logged_in(app, user.email)
    token = csrf_token(phone, "/admin")
    _an_hour_and_a_second_later(monkeypatch)
    assert phone.post("/logout", data={"csrf_token": token, "everywhere": "1"}
                      ).status_code == 302
    assert desk.get("/admin").status_code == 200
