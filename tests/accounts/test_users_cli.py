"""`qrshop users add`."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.accounts.models import User
from qrshop.accounts.services import check_password
from qrshop.extensions import db
from tests.factories import make_shop


def _users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_add_associate_reads_password_from_stdin(runner):
    make_shop()
    result = runner.invoke(
        args=["users", "add", "Ann@Example.com", "--role", "associate", "--retailer", "acme",
              "--store", "nyc01", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added associate ann@example.com" in result.output
    user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    assert user.store.code == "NYC01" and user.retailer.slug == "acme"
    assert check_password(user, "correct horse battery")
    assert "correct horse" not in user.password_hash


def test_add_vendor_and_admin(runner):
    make_shop()
    for args in (["v@widgetco.test", "--role", "vendor", "--vendor", "widgetco"],
                 ["root@qrshop.test", "--role", "admin"]):
        result = runner.invoke(args=["users", "add", *args, "--password-stdin"],
                               input="a long enough password\n")
        assert result.exit_code == 0, result.output
    assert _users() == 2


def test_bad_user_input_is_refused_and_nothing_stored(runner):
    make_shop()
    cases = [
        (["x@y.test", "--role", "merchandiser"], "needs --retailer"),
        (["x@y.test", "--role", "associate", "--retailer", "acme"], "needs --store"),
        (["x@y.test", "--role", "associate", "--retailer", "acme", "--store", "ZZZ"],
         "has no store 'ZZZ'"),
        (["x@y.test", "--role", "vendor", "--vendor", "nobody"], "No vendor with slug"),
        (["not-an-email", "--role", "admin"], "is not an email address"),
        (["x@y.test", "--role", "wizard"], "Invalid value for '--role'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["users", "add", *args, "--password-stdin"],
                               input="a long enough password\n")
        assert result.exit_code != 0
        assert message in result.output, result.output
    result = runner.invoke(args=["users", "add", "x@y.test", "--role", "admin",
                                 "--password-stdin"], input="short\n")
    assert "at least 12 characters" in result.output
    assert _users() == 0


def test_duplicate_email_is_refused(runner):
    for expected in (0, 1):
        result = runner.invoke(args=["users", "add", "a@b.test", "--role", "admin",
                                     "--password-stdin"], input="a long enough password\n")
        assert result.exit_code == expected
    assert "already exists" in result.output
