"""Staff pages, invitations, password links and tag actions probed across tenants and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.models import User
from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from tests.factories import (
    csrf_token,
    link_in,
    login,
    make_retailer,
    make_shop,
    make_store,
    make_tag,
    make_user,
    make_vendor,
    queued_emails,
    set_password_form,
)

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def two_shops(client):
    shop = make_shop()
    rival = make_retailer("rival")
    rival_store = make_store(rival, "RIV01")
    rival_tag = make_tag(rival, rival_store, make_vendor("rv"), name="Rival Widget")
    rival_user = make_user("associate", retailer_slug="rival", store_code="RIV01")
    db.session.commit()
    me = make_user("merchandiser", retailer_slug="acme")
    login(client, me.email)
    return shop, rival_tag, rival_user, me


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_another_retailers_user_is_404_in_every_staff_action(client, two_shops):
    _, _, rival_user, _ = two_shops
    token = csrf_token(client, "/console/staff")
    assert client.get(f"/console/staff/{rival_user.id}/deactivate").status_code == 404
    for action in ("role", "deactivate", "reactivate", "resend"):
        response = client.post(f"/console/staff/{rival_user.id}/{action}", data={
            "csrf_token": token, "role": "merchandiser", "store": "RIV01"})
        assert response.status_code == 404, action
    db.session.expire_all()
    assert rival_user.role == "associate" and rival_user.deactivated_at is None


@pytest.mark.parametrize("data", [
    {"role": "associate", "retailer": "rival", "store": "RIV01"},
    {"role": "admin"},
    {"role": "vendor", "vendor": "rv"},
    {"role": "associate", "store": "RIV01"},
    {"role": "boss"},
])
def test_a_merchandiser_cannot_invite_outside_its_retailer(client, two_shops, data):
    before = _users()
    token = csrf_token(client, "/console/staff")
    response = client.post("/console/staff/invite", data={
        "csrf_token": token, "email": "new@example.com", **data})
    assert 400 <= response.status_code < 500
    assert _users() == before and user_by_email("new@example.com") is None


def test_a_vendor_cannot_invite_a_merchandiser(app, two_shops):
    vendor_client = app.test_client()
    login(vendor_client, make_user("vendor", vendor_slug="widgetco").email)
    token = csrf_token(vendor_client, "/vendor/staff")
    for data in ({"role": "merchandiser", "retailer": "acme"}, {"role": "admin"},
                 {"role": "vendor", "vendor": "rv"}):
        response = vendor_client.post("/vendor/staff/invite", data={
            "csrf_token": token, "email": "x@example.com", **data})
        assert 400 <= response.status_code < 500, data
    assert user_by_email("x@example.com") is None


def test_staff_forms_without_csrf_are_refused(client, two_shops):
    _, _, _, me = two_shops
    colleague = make_user("associate", retailer_slug="acme", store_code="NYC01")
    before = _users()
    for path in ("/console/staff/invite", f"/console/staff/{colleague.id}/role",
                 f"/console/staff/{colleague.id}/deactivate",
                 f"/console/staff/{colleague.id}/reactivate",
                 f"/console/staff/{colleague.id}/resend"):
        response = client.post(path, data={"email": "csrf@example.com", "role": "merchandiser"})
        assert response.status_code == 400, path
    db.session.expire_all()
    assert _users() == before and colleague.role == "associate"
    assert colleague.deactivated_at is None


def test_invited_emails_and_names_are_escaped_on_the_staff_page(client, two_shops):
    token = csrf_token(client, "/console/staff")
    response = client.post("/console/staff/invite", data={
        "csrf_token": token, "email": f"{XSS}@example.com", "role": "merchandiser"})
    page = response.get_data(as_text=True)
    assert "<script>alert(2)" not in page and "<img src=x" not in page


def test_a_deactivated_users_session_and_api_token_stop(app, client, two_shops):
    colleague = make_user("merchandiser", retailer_slug="acme")
    _, plain = create_api_token(colleague, "probe")
    db.session.commit()
    theirs = app.test_client()
    login(theirs, colleague.email)
    assert theirs.get("/console/tags").status_code == 200
    headers = {"Authorization": f"Bearer {plain}"}
    assert theirs.get("/api/v1/listings", headers=headers).status_code == 200
    token = csrf_token(client, f"/console/staff/{colleague.id}/deactivate")
    assert client.post(f"/console/staff/{colleague.id}/deactivate",
                       data={"csrf_token": token}).status_code == 303
    assert theirs.get("/console/tags").status_code in (302, 401)
    assert app.test_client().get("/api/v1/listings", headers=headers).status_code == 401


def test_forgot_password_answers_alike_for_known_unknown_and_malformed_emails(app, two_shops):
    _, _, _, me = two_shops
    answers = []
    for email in (me.email, "nobody@example.com", "not an email", "A" * 300 + "@x.com"):
        anon = app.test_client()
        token = csrf_token(anon, "/password/forgot")
        response = anon.post("/password/forgot", data={"csrf_token": token, "email": email})
        answers.append((response.status_code, response.headers.get("Location"),
                        response.get_data(as_text=True).replace(token, "")))
    assert answers[0] == answers[1]
    assert all(a[0] == 400 or a == answers[1] for a in answers[2:])


def test_a_reset_link_dies_after_it_is_used_and_a_forged_one_is_404(app, two_shops):
    _, _, _, me = two_shops
    anon = app.test_client()
    token = csrf_token(anon, "/password/forgot")
    anon.post("/password/forgot", data={"csrf_token": token, "email": me.email})
    link = link_in(queued_emails(me.email)[-1].body)
    assert set_password_form(app.test_client(), link).status_code == 302
    path = "/" + link.split("://", 1)[1].partition("/")[2]
    assert app.test_client().get(path).status_code == 410
    assert app.test_client().get(path[:-4] + "AAAA").status_code in (404, 410)
    assert app.test_client().get("/password/reset/" + "A" * 5000).status_code == 404
    assert app.test_client().get("/invitation/" + path.rsplit("/", 1)[1]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 1


def test_bulk_codes_of_another_retailer_change_nothing(client, two_shops):
    shop, rival_tag, _, _ = two_shops
    token = csrf_token(client, "/console/tags")
    for action in ("retire", "move", "print"):
        response = client.post("/console/tags/bulk", data={
            "csrf_token": token, "action": action, "confirm": "yes", "store": "BOS01",
            "codes": [shop.tag.code, rival_tag.code]})
        assert response.status_code == 404, action
    for path in ("retire", "reactivate", "reassign"):
        assert client.post(f"/console/tags/{rival_tag.code}/{path}", data={
            "csrf_token": token, "confirm": "yes"}).status_code == 404, path
    assert client.get(f"/console/tags/print?codes={rival_tag.code}").status_code == 404
    db.session.expire_all()
    assert shop.tag.retired_at is None and shop.tag.store.code == "NYC01"
    assert rival_tag.retired_at is None


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                  "javascript:alert(1)", "?x=1\r\nLocation: https://evil"])
def test_the_retire_back_parameter_stays_on_the_tag_list(client, two_shops, back):
    shop, _, _, _ = two_shops
    page = client.get(f"/console/tags/{shop.tag.code}/retire", query_string={"back": back})
    assert page.status_code == 200
    assert "evil.example" not in page.get_data(as_text=True) or back.startswith("?")
    token = csrf_token(client, f"/console/tags/{shop.tag.code}/retire")
    response = client.post(f"/console/tags/{shop.tag.code}/retire", data={
        "csrf_token": token, "confirm": "yes", "back": back})
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    assert location.startswith("/console/tags") and "\n" not in location


def test_xss_in_product_store_and_placement_is_escaped_on_new_pages(client, two_shops):
    shop, _, _, _ = two_shops
    retailer = shop.retailer
    store = make_store(retailer, "XSS01", name=XSS)
    tag = make_tag(retailer, store, shop.vendor, name=XSS, placement=XSS)
    db.session.commit()
    for path in ("/console/tags", f"/console/tags?q={tag.code}", "/console/listings",
                 f"/console/listings/{tag.listing.id}/edit",
                 f"/console/listings/{tag.listing.id}/discontinue",
                 f"/console/tags/{tag.code}/retire", f"/console/tags/{tag.code}/reassign",
                 f"/console/tags/print?codes={tag.code}", "/console/staff", "/console"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "<script>alert(2)" not in page and "<img src=x" not in page, path
