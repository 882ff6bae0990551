"""/api/v1/content: a vendor's revisions and their status per retailer; a merchandiser's
review queue and decisions, on the console's rules (tests/content/helpers.py's scene)."""

from __future__ import annotations

from qrshop.accounts.services import create_api_token, user_by_email
from qrshop.content.models import AuditEntry, Review
from qrshop.content.services import create_draft, submit_revision
from qrshop.extensions import db
from tests.api.engage import walk
from tests.content.helpers import make_scene


def _auth(email, *scopes) -> dict:
    plain = create_api_token(user_by_email(email), "test", scopes)[1]
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _submitted(scene, title="Hello"):
    vendor = user_by_email(scene.vendor_email)
    revision = create_draft(scene.product, vendor, {"title": title,
                                                   "hero_image": str(scene.hero.id)})
    reviews = submit_revision(revision, vendor)
    db.session.commit()
    return revision, reviews


def test_the_vendor_sees_each_retailers_status_up_to_live(app, client):
    scene = make_scene()
    revision, _ = _submitted(scene)
    vendor, merch = _auth(scene.vendor_email), _auth(scene.merch_email)
    other_merch = _auth(scene.other_merch_email)
    got = client.get(f"/api/v1/content/revisions/{revision.id}", headers=vendor).get_json()
    assert got["status"] == "submitted" and got["gtin"] == scene.product.gtin
    assert {r["retailer"]: r["status"] for r in got["retailers"]} == {
        "acme": "pending", "bestmart": "pending"}
    queue = client.get("/api/v1/content/reviews", headers=merch).get_json()["items"]
    [review] = [item for item in queue if item["revision_id"] == revision.id]
    approved = client.post(f"/api/v1/content/reviews/{review['id']}/decision", headers=merch,
                           json={"decision": "approve"})
    assert approved.status_code == 200 and approved.get_json()["live"] is True
    [other] = client.get("/api/v1/content/reviews", headers=other_merch).get_json()["items"]
    sent_back = client.post(f"/api/v1/content/reviews/{other['id']}/decision",
                            headers=other_merch,
                            json={"decision": "request_changes", "note": "Brighter photo"})
    assert sent_back.status_code == 200 and sent_back.get_json()["status"] == \
        "changes_requested"
    got = client.get(f"/api/v1/content/revisions/{revision.id}", headers=vendor).get_json()
    statuses = {r["retailer"]: (r["status"], r["comment"]) for r in got["retailers"]}
    assert statuses == {"acme": ("live", ""), "bestmart": ("changes_requested",
                                                           "Brighter photo")}
    # The same audit trail as the console's decisions.
    actions = {entry.action for entry in db.session.query(AuditEntry).filter_by(
        revision_id=revision.id)}
    assert {"review.approved", "review.changes_requested"} <= actions
    again = client.post(f"/api/v1/content/reviews/{review['id']}/decision", headers=merch,
                        json={"decision": "request_changes", "note": "late"})
    assert again.status_code == 409 and again.get_json()["error"] == "already_decided"
    live = client.get("/api/v1/content/revisions?status=live", headers=vendor).get_json()
    assert [item["id"] for item in live["items"]] == [revision.id]


def test_revisions_filter_by_product_and_status_and_page(client):
    scene = make_scene()
    vendor_user = user_by_email(scene.vendor_email)
    draft = create_draft(scene.product, vendor_user, {"title": "Draft"})
    first, _ = _submitted(scene, "First")
    second, _ = _submitted(scene, "Second")  # supersedes the first's pending reviews
    db.session.commit()
    vendor = _auth(scene.vendor_email)
    ids = [item["id"] for item in walk(client, "/api/v1/content/revisions", vendor, limit=1)]
    assert ids == [draft.id, first.id, second.id]
    by_gtin = walk(client, f"/api/v1/content/revisions?product={scene.product.gtin[1:]}",
                   vendor)
    assert len(by_gtin) == 3
    drafts = client.get("/api/v1/content/revisions?status=draft", headers=vendor).get_json()
    assert [item["id"] for item in drafts["items"]] == [draft.id]
    assert drafts["items"][0]["retailers"] == []
    superseded = client.get("/api/v1/content/revisions?status=superseded",
                            headers=vendor).get_json()
    assert [item["id"] for item in superseded["items"]] == [first.id]
    bad = client.get("/api/v1/content/revisions?product=123", headers=vendor)
    assert bad.status_code == 422 and "product" in bad.get_json()["message"]
    assert client.get("/api/v1/content/revisions?status=nope", headers=vendor).status_code == 422


def test_parties_see_only_their_own_content(client):
    scene = make_scene()
    revision, reviews = _submitted(scene)
    rival, other_merch = _auth(scene.rival_email), _auth(scene.other_merch_email)
    assert client.get(f"/api/v1/content/revisions/{revision.id}",
                      headers=rival).status_code == 404
    assert client.get("/api/v1/content/revisions", headers=rival).get_json()["items"] == []
    acme_review = next(r for r in reviews if r.retailer_id == scene.retailer.id)
    refused = client.post(f"/api/v1/content/reviews/{acme_review.id}/decision",
                          headers=other_merch, json={"decision": "approve"})
    assert refused.status_code == 404
    assert client.get(f"/api/v1/content/reviews/{acme_review.id}",
                      headers=other_merch).status_code == 404
    got = client.get(f"/api/v1/content/reviews/{acme_review.id}",
                     headers=_auth(scene.merch_email)).get_json()
    assert got["revision_id"] == revision.id and got["status"] == "pending"
    db.session.refresh(acme_review)
    assert acme_review.status == "pending"
    merch = _auth(scene.merch_email)
    assert client.get("/api/v1/content/revisions", headers=merch).status_code == 403
    assert client.get("/api/v1/content/reviews", headers=_auth(scene.vendor_email)
                      ).status_code == 403
    associate = _auth(scene.associate_email)
    assert client.get("/api/v1/content/reviews", headers=associate).status_code == 403


def test_decisions_need_content_write_and_a_note_to_send_back(client):
    scene = make_scene()
    _, reviews = _submitted(scene)
    acme_review = next(r for r in reviews if r.retailer_id == scene.retailer.id)
    reader = _auth(scene.merch_email, "content:read")
    assert client.get("/api/v1/content/reviews", headers=reader).status_code == 200
    refused = client.post(f"/api/v1/content/reviews/{acme_review.id}/decision",
                          headers=reader, json={"decision": "approve"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    writer = _auth(scene.merch_email)
    for body, field in [({"decision": "request_changes"}, "note"),
                        ({"decision": "maybe"}, "decision"),
                        ({"decision": "approve", "extra": 1}, "extra")]:
        response = client.post(f"/api/v1/content/reviews/{acme_review.id}/decision",
                               headers=writer, json=body)
        assert response.status_code == 422 and field in response.get_json()["message"]
    assert db.session.get(Review, acme_review.id).status == "pending"
    decided = client.get("/api/v1/content/reviews?status=approved", headers=writer)
    assert decided.get_json()["items"] == []
