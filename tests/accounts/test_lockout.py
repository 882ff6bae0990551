"""Account lockout: 5 failed logins lock the login e-mail for 15 minutes, in the database, so
every worker sees the same count; an unknown e-mail answers exactly like a known one."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from qrshop import create_app
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.conftest import _test_config
from tests.factories import PASSWORD, login, make_shop, make_user, set_password_form

LOCKED = "This account is locked for 15 minutes after 5 failed logins."


class FakeClock:
    """The lockout's clock, moved only when told to."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        """Move the clock on."""
        self.now += timedelta(**delta)


def _freeze_lockout_clock(monkeypatch) -> FakeClock:
    from qrshop.accounts import lockout

    clock = FakeClock()
    monkeypatch.setattr(lockout, "utcnow", clock)
    return clock


def test_five_wrong_passwords_lock_out_even_the_right_one(client):
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    assert [login(client, user.email, "wrong password").status_code
            for _ in range(5)] == [401] * 5
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert client.get("/console").status_code == 302


def test_an_unknown_email_answers_exactly_like_a_known_one(app):
    user = make_user("admin")
    answers = {}
    for email in (user.email, "nobody@example.com"):
        client = app.test_client()
        statuses = [login(client, email, "wrong password").status_code for _ in range(6)]
        last = login(client, email, PASSWORD)
        body = re.sub(r'value="[^"]+"', "", last.get_data(as_text=True))
        # The per-address limit's X-RateLimit-* headers count both series (one address),
        # X-Request-ID is new per answer;
        # Retry-After may be a second apart.
        headers = sorted((name, "" if name == "Retry-After" else value)
                         for name, value in last.headers.items()
                         if not name.startswith(("X-RateLimit", "Set-Cookie", "X-Request-ID")))
        answers[email] = (statuses, last.status_code, body, headers)
    assert answers[user.email] == answers["nobody@example.com"]
    assert answers[user.email][:2] == ([401] * 5 + [429], 429)


def _wrong_logins_in_another_process(database_url: str, content_dir, email: str,
                                     count: int) -> list[int]:
    """Another worker: its own process (so its own limiter memory) on the same database."""
    import multiprocessing

    def work(answers):
        worker = create_app(_test_config(database_url, content_dir))
        client = worker.test_client()
        answers.put([login(client, email, "wrong password").status_code
                     for _ in range(count)])

    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    process = context.Process(target=work, args=(answers,))
    process.start()
    statuses = answers.get(timeout=60)
    process.join(10)
    return statuses


def test_two_workers_sharing_the_database_lock_at_five_failures_in_total(app, database_url,
                                                                         tmp_path):
    user = make_user("admin")
    client = app.test_client()
    for _ in range(3):
        assert login(client, user.email, "wrong password").status_code == 401
    assert _wrong_logins_in_another_process(database_url, tmp_path / "other", user.email,
                                            2) == [401, 401]
    assert login(client, user.email, PASSWORD).status_code == 429


def _post_login_when_all_are_ready(client, email: str, barrier, statuses: list) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    barrier.wait(timeout=30)
    statuses.append(client.post("/login", data={"csrf_token": token, "email": email,
                                                 "password": "wrong password"}).status_code)


def test_parallel_wrong_passwords_on_two_workers_lock_at_exactly_five(app, database_url,
                                                                      tmp_path):
    other_worker = create_app(_test_config(database_url, tmp_path / "other"))
    user = make_user("admin")
    clients = [worker.test_client() for worker in (app, other_worker) for _ in range(5)]
    barrier, statuses = threading.Barrier(len(clients)), []
    threads = [threading.Thread(target=_post_login_when_all_are_ready,
                                args=(client, user.email, barrier, statuses))
               for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with other_worker.app_context():
        db.engine.dispose()
    assert sorted(statuses) == [401] * 5 + [429] * 5
    assert login(app.test_client(), user.email, PASSWORD).status_code == 429


def test_the_lock_ends_15_minutes_after_the_fifth_failure(client, monkeypatch):
    clock = _freeze_lockout_clock(monkeypatch)
    user = make_user("admin")
    for _ in range(4):
        login(client, user.email, "wrong password")
    clock.advance(minutes=10)
    assert login(client, user.email, "wrong password").status_code == 401
    clock.advance(minutes=14, seconds=59)
    assert login(client, user.email, PASSWORD).status_code == 429
    clock.advance(seconds=1)
    assert login(client, user.email, PASSWORD).status_code == 302


def test_failures_older_than_15_minutes_are_forgotten(client, monkeypatch):
    clock = _freeze_lockout_clock(monkeypatch)
    user = make_user("admin")
    for _ in range(4):
        assert login(client, user.email, "wrong password").status_code == 401
    clock.advance(minutes=15)
    for _ in range(4):
        assert login(client, user.email, "wrong password").status_code == 401
    assert login(client, user.email, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(app):
    user = make_user("admin")
    for _ in range(2):
        client = app.test_client()
        for _ in range(4):
            assert login(client, user.email, "wrong password").status_code == 401
        assert login(client, user.email, PASSWORD).status_code == 302


def test_choosing_a_new_password_from_a_reset_link_unlocks(client):
    from qrshop.accounts import invitations
    from qrshop.accounts.models import TokenPurpose

    user = make_user("admin")
    for _ in range(5):
        login(client, user.email, "wrong password")
    link = invitations.issue_link(user, TokenPurpose.RESET)
    db.session.commit()
    assert set_password_form(client, link, "a fresh unlocking password").status_code == 302
    assert login(client.application.test_client(), user.email,
                 "a fresh unlocking password").status_code == 302


# Whether this thread's login has reached its password check (and waited there).
_checking = threading.local()


def _post_login_checking_passwords_together(client, email: str, password: str, barrier,
                                            statuses: list) -> None:
    """A login whose password check (if it gets one) waits until every other login of the
    batch has either reached its own check or been answered: all are in flight at once."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email,
                                           "password": password})
    statuses.append((password, response.status_code))
    if not getattr(_checking, "waited", False):
        barrier.wait(timeout=30)


def test_parallel_guesses_get_no_password_checked_beyond_the_fifth_attempt(
        app, database_url, tmp_path, monkeypatch):
    from werkzeug.security import check_password_hash

    from qrshop.accounts import views

    other_worker = create_app(_test_config(database_url, tmp_path / "other"))
    user = make_user("admin")
    client = app.test_client()
    for _ in range(4):
        assert login(client, user.email, "wrong password").status_code == 401
    passwords = [PASSWORD, "guess one", PASSWORD, "guess two", PASSWORD, "guess three"]
    barrier, statuses = threading.Barrier(len(passwords)), []

    def check_when_all_are_in_flight(password_hash, password):
        _checking.waited = True
        barrier.wait(timeout=30)
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(views, "check_password_hash", check_when_all_are_in_flight)
    threads = [threading.Thread(target=_post_login_checking_passwords_together,
                                args=(worker.test_client(), user.email, password, barrier,
                                      statuses))
               for worker, password in zip([app, other_worker] * 3, passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with other_worker.app_context():
        db.engine.dispose()
    answers = sorted(status for _, status in statuses)
    # Only the fifth attempt has its password checked; the right password in any later one
    # is refused like a wrong one.
    assert len(answers) == len(passwords)
    assert answers.count(429) == len(passwords) - 1
    assert answers.count(302) <= 1
