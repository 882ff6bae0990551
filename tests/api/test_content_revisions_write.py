"""/api/v1/content/revisions writes: a vendor's PIM creates, updates and submits drafts (and
many at once) on the studio's rules (tests/content/helpers.py's scene)."""

from __future__ import annotations

from sqlalchemy import func, select

from qrshop.accounts.services import user_by_email
from qrshop.content.media import ingest
from qrshop.content.models import ContentRevision
from qrshop.extensions import db
from tests.api.helpers import bearer
from tests.content.helpers import create_product, make_scene, unused_gtin
from tests.content.images import image_bytes


def _revisions() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRevision))


def _vendor(scene) -> dict:
    return bearer(user_by_email(scene.vendor_email), "content:read", "content:write")


def _slots(scene, **more) -> dict:
    return {"title": "Built for wet trails", "tagline": "Grip that holds",
            "description": '<h3>Made to last</h3><p onclick="x()">Sealed <b>seams</b>'
                           "<script>alert(1)</script></p>",
            "highlights": ["Waterproof", "Recycled nylon"],
            "spec_table": [["Weight", "310 g"], ["Size", "M"]],
            "hero_image": scene.hero.id, "gallery": [scene.photo.id, scene.hero.id],
            "video_url": "https://vimeo.com/76979871", **more}


def test_a_vendor_creates_updates_and_submits_a_draft(client):
    scene = make_scene()
    vendor = _vendor(scene)
    created = client.post("/api/v1/content/revisions", headers=vendor,
                          json={"gtin": scene.product.gtin, "slots": _slots(scene)})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert draft["status"] == "draft" and draft["locale"] == "en"
    assert draft["gtin"] == scene.product.gtin and draft["retailers"] == []
    slots = draft["slots"]
    assert slots["title"] == "Built for wet trails"
    assert "<script>" not in slots["description"] and "onclick" not in slots["description"]
    assert "<h3>Made to last</h3>" in slots["description"]
    assert slots["highlights"] == ["Waterproof", "Recycled nylon"]
    assert slots["spec_table"] == [["Weight", "310 g"], ["Size", "M"]]
    assert slots["hero_image"]["media_id"] == scene.hero.id
    assert [image["media_id"] for image in slots["gallery"]] == [scene.photo.id, scene.hero.id]
    assert slots["video"]["provider"] == "vimeo"
    # The same row the read API and the studio see.
    read = client.get(f"/api/v1/content/revisions/{draft['id']}", headers=vendor).get_json()
    assert read["slots"] == slots

    updated = client.put(f"/api/v1/content/revisions/{draft['id']}", headers=vendor,
                         json={"slots": _slots(scene, title="Lighter, still dry")})
    assert updated.status_code == 200 and updated.get_json()["slots"]["title"] == \
        "Lighter, still dry"

    submitted = client.post(f"/api/v1/content/revisions/{draft['id']}/submit", headers=vendor)
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["status"] == "submitted"
    assert {r["retailer"]: r["status"] for r in body["retailers"]} == {
        "acme": "pending", "bestmart": "pending"}
    assert body["slots"]["hero_image"]["alt"] == "The gizmo from the front"
    # Submitted revisions are frozen.
    again = client.put(f"/api/v1/content/revisions/{draft['id']}", headers=vendor,
                       json={"slots": _slots(scene)})
    assert again.status_code == 409 and again.get_json()["error"] == "immutable"
    twice = client.post(f"/api/v1/content/revisions/{draft['id']}/submit", headers=vendor)
    assert twice.status_code == 409 and twice.get_json()["error"] == "immutable"


def test_submit_is_refused_while_an_image_has_no_alt_text(client):
    scene = make_scene()
    bare = ingest(image_bytes("JPEG", size=(900, 600), colour=(5, 90, 5)), "no-alt.jpg",
                  scene.product.vendor_id)
    db.session.commit()
    vendor = _vendor(scene)
    draft = client.post("/api/v1/content/revisions", headers=vendor, json={
        "gtin": scene.product.gtin, "slots": _slots(scene, gallery=[bare.id])}).get_json()
    refused = client.post(f"/api/v1/content/revisions/{draft['id']}/submit", headers=vendor)
    assert refused.status_code == 422
    error = refused.get_json()
    assert error["error"] == "missing_alt_text" and "no-alt.jpg" in error["message"]
    still = client.get(f"/api/v1/content/revisions/{draft['id']}", headers=vendor).get_json()
    assert still["status"] == "draft" and still["retailers"] == []


def test_another_vendors_product_and_revision_are_not_found(client):
    scene = make_scene()
    vendor, rival = _vendor(scene), bearer(user_by_email(scene.rival_email))
    before = _revisions()
    other = client.post("/api/v1/content/revisions", headers=vendor,
                        json={"gtin": scene.rival_product.gtin, "slots": {"title": "Mine"}})
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"
    assert _revisions() == before
    draft = client.post("/api/v1/content/revisions", headers=vendor, json={
        "gtin": scene.product.gtin, "slots": {"title": "Ours"}}).get_json()
    for response in (
            client.put(f"/api/v1/content/revisions/{draft['id']}", headers=rival,
                       json={"slots": {"title": "Theirs"}}),
            client.post(f"/api/v1/content/revisions/{draft['id']}/submit", headers=rival)):
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    read = client.get(f"/api/v1/content/revisions/{draft['id']}", headers=vendor).get_json()
    assert read["slots"] == {"title": "Ours"} and read["status"] == "draft"


def test_bad_slots_are_refused_with_nothing_stored(client):
    scene = make_scene()
    vendor = _vendor(scene)
    before = _revisions()
    cases = [
        ({"hero_image": scene.rival_image.id}, "not in your library"),
        ({"spec_table": [["Weight", " "]]}, "Spec table line 1"),
        ({"video_url": "https://example.com/clip"}, ""),
        ({"colour": "red"}, "colour"),
        ({"highlights": ["x"] * 9}, "highlights"),
        ({"description": "<p>" + "x" * 20_001 + "</p>"}, "20,000"),
    ]
    for slots, words in cases:
        response = client.post("/api/v1/content/revisions", headers=vendor,
                               json={"gtin": scene.product.gtin, "slots": slots})
        assert response.status_code == 422, (slots, response.get_json())
        assert response.get_json()["error"] and words in response.get_json()["message"]
    assert _revisions() == before
    bad_gtin = client.post("/api/v1/content/revisions", headers=vendor,
                           json={"gtin": "12345", "slots": {}})
    assert bad_gtin.status_code == 422 and _revisions() == before


def test_bulk_stores_each_good_draft_and_answers_the_bad_one(client):
    scene = make_scene()
    second = create_product(scene.product.vendor, gtin=unused_gtin(), name="Trail Gaiter",
                            brand="Widgetco")
    db.session.commit()
    vendor = _vendor(scene)
    existing = client.post("/api/v1/content/revisions", headers=vendor, json={
        "gtin": scene.product.gtin, "slots": {"title": "Old"}}).get_json()
    before = _revisions()
    response = client.post("/api/v1/content/revisions:bulk", headers=vendor, json={"items": [
        {"gtin": scene.product.gtin, "slots": _slots(scene, title="New")},
        {"gtin": second.gtin, "slots": {"title": "Gaiter", "highlights": ["Snug"]}},
        {"gtin": second.gtin, "locale": "fr", "slots": {"hero_image": scene.rival_image.id}},
        {"gtin": scene.rival_product.gtin, "slots": {"title": "Not mine"}},
        {"gtin": second.gtin, "slots": {"title": 7}},
    ]})
    assert response.status_code == 200
    body = response.get_json()
    assert [(r["index"], r["status"]) for r in body["results"]] == [
        (0, 200), (1, 201), (2, 422), (3, 404), (4, 422)]
    assert body["succeeded"] == 2 and body["failed"] == 3
    assert body["results"][0]["data"]["id"] == existing["id"]
    assert "not in your library" in body["results"][2]["message"]
    assert _revisions() == before + 1  # only the gaiter's new draft
    read = client.get(f"/api/v1/content/revisions/{existing['id']}", headers=vendor).get_json()
    assert read["slots"]["title"] == "New" and read["slots"]["hero_image"]["media_id"] == \
        scene.hero.id
    gaiter = client.get(f"/api/v1/content/revisions?product={second.gtin}",
                        headers=vendor).get_json()["items"]
    assert [(r["locale"], r["slots"]) for r in gaiter] == [
        ("en", {"title": "Gaiter", "highlights": ["Snug"]})]


def test_writes_need_the_content_write_scope(client):
    scene = make_scene()
    reader = bearer(user_by_email(scene.vendor_email), "content:read")
    response = client.post("/api/v1/content/revisions", headers=reader,
                           json={"gtin": scene.product.gtin, "slots": {"title": "x"}})
    assert response.status_code == 403 and response.get_json()["error"] == \
        "insufficient_scope"


def test_a_retried_create_with_the_same_idempotency_key_stores_one_draft(client):
    scene = make_scene()
    headers = {**_vendor(scene), "Idempotency-Key": "pim-feed-2026-12-05-0001"}
    body = {"gtin": scene.product.gtin, "slots": {"title": "Once"}}
    before = _revisions()
    first = client.post("/api/v1/content/revisions", headers=headers, json=body)
    again = client.post("/api/v1/content/revisions", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert _revisions() == before + 1
