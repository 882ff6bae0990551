"""A retailer's house vendor (its own products) takes no vendor users: they would edit the
retailer's products."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.accounts.models import User
from qrshop.accounts.services import house_vendor
from qrshop.extensions import db
from tests.factories import csrf_token, login, make_retailer, make_user


def _house():
    vendor = house_vendor(make_retailer("acme"))
    db.session.commit()
    return vendor


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_cli_refuses_a_vendor_user_of_a_house_vendor(runner):
    house = _house()
    before = _users()
    for command in (["users", "add", "v@acme.test", "--role", "vendor", "--vendor", house.slug,
                     "--password-stdin"],
                    ["users", "invite", "v@acme.test", "--role", "vendor", "--vendor",
                     house.slug]):
        result = runner.invoke(args=command, input="a long enough password\n")
        assert result.exit_code == 1, result.output
        assert f"Error: {house.slug} is a retailer's own catalogue, not a vendor" in result.output
        assert _users() == before


def test_admin_cannot_invite_into_a_house_vendor(client):
    house = _house()
    login(client, make_user("admin").email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'value="{house.slug}"' not in page  # not offered
    before = _users()
    response = client.post("/admin/users/invite", data={
        "csrf_token": csrf_token(client, "/admin/users"), "email": "v@acme.test",
        "role": "vendor", "vendor": house.slug})
    assert response.status_code == 422
    assert "is a retailer&#39;s own catalogue" in response.get_data(as_text=True)
    assert _users() == before
