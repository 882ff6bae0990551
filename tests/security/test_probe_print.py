"""Junk in the print forms: offsets that are not numbers, ids no row can have, too many codes."""

from __future__ import annotations

import pytest

from qrshop.extensions import db
from tests.factories import csrf_token, login, make_shop, make_user


@pytest.fixture
def shop(client):
    shop = make_shop()
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    return shop


@pytest.mark.parametrize("offset", ["nan", "NaN", "inf", "-inf", "1e309", "9" * 400])
def test_offsets_that_are_not_finite_millimetres_are_refused(client, shop, offset):
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "NYC01", "layout": "avery-5160", "offset_x": offset})
    assert response.status_code == 400, response.status_code
    token = csrf_token(client, f"/console/tags/print?codes={shop.tag.code}")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "codes": shop.tag.code, "layout": "avery-5160",
        "offset_y": offset})
    assert response.status_code == 400, response.status_code


@pytest.mark.parametrize("listing", [str(2**63), "-1", "0", "99999999999999999999999"])
def test_listing_ids_no_row_can_have_are_refused(client, shop, listing):
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "NYC01", "layout": "avery-5160", "listings": listing})
    assert 400 <= response.status_code < 500, response.status_code


def test_too_many_codes_are_refused(client, shop):
    response = client.get("/console/tags/print", query_string=[
        ("codes", f"C{i:07d}") for i in range(2000)])
    assert response.status_code == 400


def test_a_finite_offset_prints(client, shop):
    token = csrf_token(client, "/console/tags/print")
    response = client.post("/console/tags/print", data={
        "csrf_token": token, "store": "NYC01", "layout": "avery-5160", "offset_x": "1.5"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
