"""Idempotency-Key on every API POST: a retry gets the first answer, never a second action."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from flask import jsonify
from pydantic import BaseModel
from sqlalchemy import func, select

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.models import ApiToken
from qrshop.accounts.services import create_api_token
from qrshop.api import idempotency
from qrshop.api.idempotency import IdempotencyKey
from qrshop.api.spec import operation
from qrshop.content.models import Media
from qrshop.db import utcnow
from qrshop.extensions import csrf, db
from qrshop.offers.models import CouponClaim
from tests.content.images import image_bytes
from tests.factories import make_shop, make_user
from tests.helpers import claim_coupon, make_offer


class Note(BaseModel):
    """The test operation's body."""

    text: str


class Calls:
    """What the test operation did: how often it ran; it can fail or wait when told to."""

    def __init__(self):
        self.count = 0
        self.fail = False
        self.started = threading.Event()
        self.release: threading.Event | None = None


@pytest.fixture
def notes(app):
    """A POST /api/v1/test-notes operation (any merchandiser) that counts its runs, and a
    merchandiser's token. Registered before the app answers its first request."""
    calls = Calls()

    @api_roles_required("merchandiser")
    @operation(summary="Test note", body=Note, responses={201: (None, "Noted.")})
    def test_note(body: Note):
        calls.count += 1
        calls.started.set()
        if calls.release is not None:
            calls.release.wait(10)
        if calls.fail:
            raise RuntimeError("the database went away")
        return jsonify(text=body.text, run=calls.count), 201, {
            "Location": f"/api/v1/test-notes/{calls.count}", "X-Not-Kept": "1"}

    app.add_url_rule("/api/v1/test-notes", view_func=csrf.exempt(test_note), methods=["POST"])
    app.add_url_rule("/api/v1/test-notes/other", endpoint="test_note_other",
                     view_func=csrf.exempt(test_note), methods=["POST"])
    make_shop()
    user = make_user("merchandiser", retailer_slug="acme")
    token = create_api_token(user, "pim")[1]
    db.session.commit()
    return calls, token


def _post(client, token, key=None, body=None, path="/api/v1/test-notes"):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, json=body if body is not None else {"text": "hello"},
                       headers=headers)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_runs_nothing(client, notes):
    calls, token = notes
    first = _post(client, token, "order-42")
    assert first.status_code == 201 and first.get_json() == {"text": "hello", "run": 1}
    assert "Idempotent-Replayed" not in first.headers
    again = _post(client, token, "order-42")
    assert again.status_code == 201 and again.get_json() == {"text": "hello", "run": 1}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Type"] == "application/json"
    assert again.headers["Location"] == first.headers["Location"] == "/api/v1/test-notes/1"
    assert "X-Not-Kept" not in again.headers
    assert calls.count == 1
    # Another key, or none, is another request.
    assert _post(client, token, "order-43").get_json()["run"] == 2
    assert _post(client, token).get_json()["run"] == 3


def test_the_same_json_written_differently_is_the_same_body(client, notes):
    calls, token = notes
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1",
               "Content-Type": "application/json"}
    assert client.post("/api/v1/test-notes", data='{"text": "hi"}',
                       headers=headers).status_code == 201
    again = client.post("/api/v1/test-notes", data='{ "text":"hi" }\n', headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true" and calls.count == 1


def test_the_same_key_with_another_body_or_path_is_refused(client, notes):
    calls, token = notes
    assert _post(client, token, "k1").status_code == 201
    other_body = _post(client, token, "k1", body={"text": "goodbye"})
    assert other_body.status_code == 422
    assert other_body.get_json()["error"] == "idempotency_key_reused"
    assert "new key" in other_body.get_json()["message"]
    other_path = _post(client, token, "k1", path="/api/v1/test-notes/other")
    assert other_path.status_code == 422
    assert other_path.get_json()["error"] == "idempotency_key_reused"
    assert calls.count == 1


def test_keys_belong_to_their_token(client, notes):
    calls, token = notes
    colleague = create_api_token(make_user("merchandiser", retailer_slug="acme"), "bi")[1]
    db.session.commit()
    assert _post(client, token, "shared-key").get_json()["run"] == 1
    other = _post(client, colleague, "shared-key")
    assert other.status_code == 201 and other.get_json()["run"] == 2
    assert "Idempotent-Replayed" not in other.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_422_and_runs_nothing(client, notes, key):
    calls, token = notes
    response = client.post("/api/v1/test-notes", json={"text": "hello"}, headers={
        "Authorization": f"Bearer {token}", "Idempotency-Key": key.encode().decode("latin-1")})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"
    assert "Idempotency-Key" in response.get_json()["message"]
    assert calls.count == 0


def test_the_longest_key_is_accepted(client, notes):
    calls, token = notes
    key = "~ " + "a" * 253
    assert _post(client, token, key).status_code == 201
    assert _post(client, token, key).headers["Idempotent-Replayed"] == "true"
    assert calls.count == 1


def test_a_4xx_answer_is_kept_and_replayed(client, notes):
    calls, token = notes
    refused = _post(client, token, "k1", body={"text": 5})
    assert refused.status_code == 422
    again = _post(client, token, "k1", body={"text": 5})
    assert again.status_code == 422 and again.get_json() == refused.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_5xx_is_not_kept_so_the_retry_runs_again(app, client, notes):
    calls, token = notes
    app.config["PROPAGATE_EXCEPTIONS"] = False
    calls.fail = True
    assert _post(client, token, "k1").status_code == 500
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    calls.fail = False
    retry = _post(client, token, "k1")
    assert retry.status_code == 201 and retry.get_json()["run"] == 2
    assert "Idempotent-Replayed" not in retry.headers


def test_a_retry_while_the_first_request_runs_is_409(app, notes):
    calls, token = notes
    calls.release = threading.Event()
    answers = {}

    def first():
        answers["first"] = _post(app.test_client(), token, "slow")

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert calls.started.wait(10)
        busy = _post(app.test_client(), token, "slow")
        assert busy.status_code == 409 and busy.get_json()["error"] == "idempotency_key_in_use"
    finally:
        calls.release.set()
        thread.join(10)
    assert answers["first"].status_code == 201
    calls.release = None
    assert _post(app.test_client(), token, "slow").headers["Idempotent-Replayed"] == "true"
    assert calls.count == 1


def test_simultaneous_retries_run_the_request_once(app, notes):
    """Eight clients (threads, each with its own connections) send the same key at once:
    exactly one runs; each other gets 409 (still running) or the replayed answer."""
    calls, token = notes
    barrier = threading.Barrier(8)
    statuses = []

    def send():
        barrier.wait(10)
        response = _post(app.test_client(), token, "burst")
        statuses.append((response.status_code, response.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert calls.count == 1
    assert statuses.count((201, None)) == 1
    assert all(status in ((201, None), (201, "true"), (409, None)) for status in statuses)
    assert len(statuses) == 8


def test_a_reservation_left_by_a_dead_worker_is_taken_over(client, notes):
    calls, token = notes
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "pim"))
    stale = IdempotencyKey(api_token_id=token_id, key="k1", request_line="POST /x",
                           request_sha256="0" * 64,
                           created_at=utcnow() - timedelta(seconds=idempotency.PENDING_SECONDS
                                                           + 1))
    db.session.add(stale)
    db.session.commit()
    response = _post(client, token, "k1")
    assert response.status_code == 201 and calls.count == 1


def test_keys_expire_after_24_hours(client, notes):
    calls, token = notes
    assert _post(client, token, "k1").status_code == 201
    row = db.session.scalar(select(IdempotencyKey))
    row.created_at = utcnow() - timedelta(hours=24, seconds=1)
    db.session.commit()
    again = _post(client, token, "k1", body={"text": "a new day"})
    assert again.status_code == 201 and again.get_json()["run"] == 2
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_expired_keys_of_every_token_are_pruned(client, notes, monkeypatch):
    calls, token = notes
    for key in ("old-1", "old-2"):
        assert _post(client, token, key).status_code == 201
    for row in db.session.scalars(select(IdempotencyKey)):
        row.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    monkeypatch.setattr(idempotency, "_next_prune", 0.0)
    assert _post(client, token, "new").status_code == 201
    db.session.expire_all()
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["new"]


@pytest.fixture
def coupon(client):
    """A claimed coupon and an associate's token at its store."""
    shop = make_shop()
    make_offer(shop.retailer)
    code = claim_coupon(client, shop.tag)
    token = create_api_token(make_user("associate", retailer_slug="acme",
                                       store_code="NYC01"), "till")[1]
    db.session.commit()
    return code, token


def test_a_redemption_retried_with_its_key_is_answered_201_again(client, coupon):
    code, token = coupon
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "till-7-sale-991"}
    body = {"code": code, "store": "NYC01", "sale_amount_cents": 4999}
    first = client.post("/api/v1/redemptions", json=body, headers=headers)
    assert first.status_code == 201
    retry = client.post("/api/v1/redemptions", json=body, headers=headers)
    assert retry.status_code == 201 and retry.get_json() == first.get_json()
    # Without the key, the same request is a second redemption, refused as ever.
    del headers["Idempotency-Key"]
    assert client.post("/api/v1/redemptions", json=body,
                       headers=headers).get_json()["error"] == "already_redeemed"
    assert db.session.scalar(select(func.count()).select_from(CouponClaim)
                             .where(CouponClaim.redeemed_at.is_not(None))) == 1


def test_a_multipart_upload_retried_with_its_key_stores_one_file(client):
    make_shop()
    token = create_api_token(make_user("vendor", vendor_slug="widgetco"), "pim")[1]
    db.session.commit()
    png = image_bytes("PNG", size=(20, 20))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "upload-1"}
    first = client.post("/api/v1/media", data={"file": (io.BytesIO(png), "a.png")},
                        headers=headers)
    assert first.status_code == 201
    retry = client.post("/api/v1/media", data={"file": (io.BytesIO(png), "a.png")},
                        headers=headers)
    assert retry.status_code == 201 and retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/media", headers=headers, data={
        "file": (io.BytesIO(image_bytes("PNG", size=(30, 30))), "a.png")})
    assert other.status_code == 422 and other.get_json()["error"] == "idempotency_key_reused"
    assert db.session.scalar(select(func.count()).select_from(Media)) == 1


def test_every_post_documents_the_header_and_its_answers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    posts = [(path, operations["post"]) for path, operations in document["paths"].items()
             if "post" in operations]
    assert posts
    for path, post in posts:
        header = [p for p in post["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in header] == ["Idempotency-Key"], path
        assert header[0]["schema"]["maxLength"] == 255
        assert "idempotency_key_in_use" in post["responses"]["409"]["description"], path
        assert "idempotency_key_reused" in post["responses"]["422"]["description"], path
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            if method != "post":
                assert all(p["in"] != "header" for p in entry["parameters"]), path
