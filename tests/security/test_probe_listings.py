"""Junk into the listings console (forms, CSV upload, confirm) and /api/v1/listings: a 4xx
with a message and nothing stored, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.catalog.models import Listing, Product
from qrshop.extensions import db
from tests.catalog.helpers import make_catalog_scene
from tests.factories import csrf_token, login

OWN_GTIN = "4006381333931"
HEADER = "sku,gtin,price,currency,name,brand\n"


@pytest.fixture
def scene(app, client):
    scene = make_catalog_scene()
    login(client, scene.merch_email)
    return scene


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Listing)),
            db.session.scalar(select(func.count()).select_from(Product)))


def _upload(client, data: bytes):
    token = csrf_token(client, "/console/listings/import")
    # Encoded here, in memory: the test client spools a large multipart body to a temporary
    # file it never closes (a ResourceWarning, which the suite turns into an error).
    boundary = "qrshop-probe-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"listings.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
        + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/console/listings/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    b"\xff\xfe" + "sku,gtin\n".encode("utf-16-le"),
    HEADER.encode() + f"A\x00B,{OWN_GTIN},1.00,USD,Pen\x00,Brand\n".encode(),
    ",".join(f"c{i}" for i in range(10_000)).encode() + b"\n" + b"1," * 9999 + b"1\n",
    HEADER.encode() + b"SKU-1," + b"9" * 900_000 + b",1.00,USD,,\n",
    HEADER.encode() + b'"unterminated,' + b"x" * 200_000 + b"\n",
    HEADER.encode() + b"x" * (5 * 1024 * 1024),
    HEADER.encode() + f"{'S' * 5000},{OWN_GTIN},{'9' * 5000},{'U' * 5000},{'n' * 5000},b\n"
    .encode(),
    HEADER.encode() + f"SKU-1,{OWN_GTIN},-1.00,USD,Pen,Brand\n".encode(),
    HEADER.encode() + f"SKU-1,{OWN_GTIN},1e309,USD,Pen,Brand\n".encode(),
    HEADER.encode() + f"SKU-1,{OWN_GTIN},99999999999999999999,USD,Pen,Brand\n".encode(),
    HEADER.encode() + f"SKU-1,{OWN_GTIN},NaN,USD,Pen,Brand\n".encode(),
])
def test_junk_uploads_answer_4xx_or_a_checked_preview_and_store_nothing(scene, client, data):
    before = _counts()
    response = _upload(client, data)
    assert response.status_code < 500
    assert _counts() == before


@pytest.mark.parametrize("text", [
    "x" * (3 * 1024 * 1024),
    HEADER + f"A\x00B,{OWN_GTIN},1.00,USD,Pen\x00,Brand\n",
    HEADER + f"SKU-1,{OWN_GTIN},1.00,USD,{'n' * 5000},{'b' * 5000}\n",
    HEADER + f"SKU-1,{OWN_GTIN},1.00,USD,<script>alert(1)</script>,\"><img onerror=x>\n",
])
def test_junk_confirmed_text_is_refused_and_stores_nothing(scene, client, text):
    before = _counts()
    token = csrf_token(client, "/console/listings/import")
    response = client.post("/console/listings/import", data={
        "csrf_token": token, "action": "import", "csv_text": text})
    if "script" in text:
        assert response.status_code == 302
        page = client.get("/console/listings?q=SKU-1").get_data(as_text=True)
        assert "<script>alert" not in page and "<img onerror" not in page
        return
    assert 400 <= response.status_code < 500, response.status_code
    assert _counts() == before


def test_confirmed_text_larger_than_an_upload_is_refused(scene, client):
    token = csrf_token(client, "/console/listings/import")
    row = f"SKU-{{}},{OWN_GTIN},1.00,USD,Pen,Brand\n"
    text = HEADER + "".join(row.format(i) for i in range(40_000))
    assert len(text) > 1024 * 1024
    response = client.post("/console/listings/import", data={
        "csrf_token": token, "action": "import", "csv_text": text})
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)


@pytest.mark.parametrize("fields", [
    {"sku": "S" * 5000, "price": "1.00", "currency": "USD", "gtin": OWN_GTIN},
    {"sku": "SKU-9", "price": "9" * 5000, "currency": "USD", "gtin": OWN_GTIN},
    {"sku": "SKU-9", "price": "1.00", "currency": "XXX", "gtin": OWN_GTIN},
    {"sku": "SKU-9", "price": "1.00", "currency": "USD", "gtin": "9" * 20},
    {"sku": "SKU\x009", "price": "1.00", "currency": "USD", "gtin": OWN_GTIN, "name": "a",
     "brand": "b"},
    {"sku": "SKU-9", "price": "1.00", "currency": "USD", "gtin": OWN_GTIN, "name": "N\x00",
     "brand": "b"},
    {"sku": "SKU-9", "price": "1.00", "currency": "USD", "gtin": OWN_GTIN, "name": "n" * 5000,
     "brand": "b"},
    {"sku": "SKU-9", "price": "1e999", "currency": "USD", "gtin": OWN_GTIN},
    {"sku": "SKU-9", "price": "-0.01", "currency": "USD", "gtin": OWN_GTIN},
    {},
])
def test_junk_new_listing_forms_answer_4xx_and_store_nothing(scene, client, fields):
    before = _counts()
    token = csrf_token(client, "/console/listings/new")
    response = client.post("/console/listings/new", data={"csrf_token": token, **fields})
    assert 400 <= response.status_code < 500, response.status_code
    assert _counts() == before


def test_forms_without_csrf_are_refused(scene, client):
    before = _counts()
    for path in ("/console/listings/new", f"/console/listings/{scene.listing_id}/edit",
                 f"/console/listings/{scene.listing_id}/discontinue",
                 f"/console/listings/{scene.listing_id}/reinstate",
                 "/console/listings/import"):
        response = client.post(path, data={"sku": "X-1", "price": "1.00", "currency": "USD",
                                           "gtin": OWN_GTIN, "action": "import",
                                           "csv_text": HEADER + f"X-2,{OWN_GTIN},1,USD,a,b\n"})
        assert response.status_code == 400, path
    assert _counts() == before
    assert db.session.get(Listing, scene.listing_id).discontinued_at is None


def _token(email: str) -> dict:
    _, plain = create_api_token(user_by_email(email), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("sku", ["S" * 5000, "a%00b", "%FF", "..", "<script>", "x%2Fy"])
def test_api_junk_skus_answer_4xx(scene, client, sku):
    headers = _token(scene.merch_email)
    assert client.get(f"/api/v1/listings/{sku}", headers=headers).status_code == 404
    response = client.put(f"/api/v1/listings/{sku}", headers=headers, json={
        "gtin": OWN_GTIN, "price_cents": 100, "currency": "USD", "name": "a", "brand": "b"})
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]


@pytest.mark.parametrize("body", [
    {"gtin": OWN_GTIN, "price_cents": 2**70, "currency": "USD", "name": "a", "brand": "b"},
    {"gtin": OWN_GTIN, "price_cents": "100", "currency": "USD"},
    {"gtin": OWN_GTIN, "price_cents": 100, "currency": "USD", "name": "a\x00", "brand": "b"},
    {"gtin": "\x00" * 5, "price_cents": 100, "currency": "USD"},
    {"gtin": OWN_GTIN, "price_cents": 100, "currency": "US\x00"},
    [1, 2], "text", None, {"gtin": [1]},
])
def test_api_junk_bodies_answer_4xx_and_store_nothing(scene, client, body):
    headers = _token(scene.merch_email)
    before = _counts()
    response = client.put("/api/v1/listings/SKU-NEW", headers=headers, json=body)
    assert 400 <= response.status_code < 500, response.status_code
    assert _counts() == before


@pytest.mark.parametrize("query", ["cursor=" + "9" * 12, "cursor=-1", "cursor=abc",
                                   "limit=0", "limit=" + "9" * 30, "limit=-5", "cursor=%00"])
def test_api_junk_list_queries_answer_4xx_or_a_page(scene, client, query):
    response = client.get(f"/api/v1/listings?{query}", headers=_token(scene.merch_email))
    assert response.status_code < 500


def test_another_retailers_listing_is_404_everywhere(scene, client, app):
    other = app.test_client()
    login(other, scene.other_merch_email)
    token = csrf_token(other, "/console/listings")
    for method, path in [("get", "edit"), ("post", "edit"), ("get", "discontinue"),
                         ("post", "discontinue"), ("post", "reinstate")]:
        response = getattr(other, method)(f"/console/listings/{scene.listing_id}/{path}",
                                          data={"csrf_token": token, "sku": "X", "price": "1",
                                                "currency": "USD"})
        assert response.status_code == 404, path
    headers = _token(scene.other_merch_email)
    assert client.get(f"/api/v1/listings/{scene.listed_sku}", headers=headers).status_code \
        == 404


@pytest.mark.parametrize("who", ["associate_email", "vendor_email"])
def test_associates_and_vendors_cannot_open_listings_pages(scene, app, who):
    other = app.test_client()
    login(other, getattr(scene, who))
    for path in ("/console/listings", "/console/listings/new", "/console/listings/import",
                 f"/console/listings/{scene.listing_id}/edit"):
        assert other.get(path).status_code in (302, 403), path


def test_an_upload_with_nul_bytes_is_refused_with_a_message(scene, client):
    response = _upload(client, HEADER.encode() + f"A\x00B,{OWN_GTIN},1.00,USD,Pen,B\n".encode())
    assert response.status_code == 422
    assert "NUL bytes" in response.get_data(as_text=True)
