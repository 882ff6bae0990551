"""Vendors submit content; each carrying retailer approves what goes live under its brand."""

from __future__ import annotations

import re

from sqlalchemy import select

from qrshop.content.models import AuditEntry, Review
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.factories import csrf_token, login


def _draft(client, scene, **slots):
    """Log in as the vendor and save a draft through the form; return its edit URL."""
    path = f"/vendor/products/{scene.product.id}/revisions/new"
    data = {"csrf_token": csrf_token(client, path), "title": "Built for wet trails",
            "tagline": "Grip that holds", "hero_image": str(scene.hero.id),
            "description": "<p>Light <strong>and</strong> tough<script>alert(1)</script></p>",
            "highlights": "Waterproof\nRecycled nylon", "spec_table": "Weight: 540 g"}
    data.update(slots)
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _submit(client, edit_url):
    return client.post(edit_url + "/submit", data={"csrf_token": csrf_token(client, edit_url)})


def _decide(client, review_id, decision, comment=""):
    path = f"/console/reviews/{review_id}"
    return client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "decision": decision, "comment": comment})


def _review_ids(client):
    html = client.get("/console/reviews").get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-review="(\d+)"', html)]


def _page(client, tag):
    return client.get(f"/t/{tag.code}?via=store").get_data(as_text=True)


def test_approved_revision_goes_live_only_at_the_approving_retailer(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene)
    assert _submit(client, edit_url).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})

    assert "Built for wet trails" not in _page(client, scene.tag)  # nothing live yet
    login(client, scene.merch_email)
    [review_id] = _review_ids(client)
    assert _decide(client, review_id, "approve").status_code == 302

    html = _page(client, scene.tag)
    assert "<h1 data-product-name>Trail Widget</h1>" in html
    assert "Built for wet trails" in html and "Grip that holds" in html
    assert "<strong>and</strong>" in html and "alert(1)" not in html
    assert 'type="image/webp"' in html and " 640w" in html and 'sizes="' in html
    assert 'width="1100" height="700"' in html
    # Bestmart has not approved anything: its page shows no vendor content.
    assert "Built for wet trails" not in _page(client, scene.other_tag)


def test_new_submission_does_not_change_the_live_page_until_approved(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    _submit(client, _draft(client, scene))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    login(client, scene.merch_email)
    _decide(client, _review_ids(client)[0], "approve")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})

    login(client, scene.vendor_email)
    _submit(client, _draft(client, scene, title="Version two"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    assert "Built for wet trails" in _page(client, scene.tag)
    assert "Version two" not in _page(client, scene.tag)

    login(client, scene.merch_email)
    [pending] = _review_ids(client)[:1]
    _decide(client, pending, "approve")
    assert "Version two" in _page(client, scene.tag)


def test_changes_requested_reach_the_vendor_and_nothing_goes_live(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene)
    _submit(client, edit_url)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    login(client, scene.merch_email)
    review_id = _review_ids(client)[0]
    refused = _decide(client, review_id, "changes")
    assert refused.status_code == 422 and "Say what should change" in refused.get_data(True)
    assert _decide(client, review_id, "changes", "Use a photo on a model").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})

    assert "Built for wet trails" not in _page(client, scene.tag)
    login(client, scene.vendor_email)
    html = client.get(f"/vendor/products/{scene.product.id}/revisions").get_data(as_text=True)
    assert "changes requested" in html and "Use a photo on a model" in html
    assert "waiting for review" in html  # Bestmart has not decided yet

    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "review.changes_requested" in actions and actions.count("revision.submitted") == 2


def test_submitted_revision_cannot_be_changed(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene)
    _submit(client, edit_url)
    response = client.post(edit_url, data={"csrf_token": csrf_token(client, edit_url),
                                           "title": "Sneaky edit"})
    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    assert _submit(client, edit_url).status_code == 409
    html = client.get(f"/vendor/products/{scene.product.id}/revisions").get_data(as_text=True)
    assert "Sneaky edit" not in html and "Built for wet trails" in html


def test_submission_missing_a_required_slot_is_refused_naming_it(app, client):
    scene = make_scene()
    scene.other_tag.listing.template = "specs"
    db.session.commit()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene, spec_table="")
    response = _submit(client, edit_url)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Add the spec table" in html and "Technical specs" in html and "Bestmart" in html
    assert db.session.scalar(select(Review.id)) is None


def test_every_decision_is_in_the_audit_log(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    _submit(client, _draft(client, scene))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    for email, decision in ((scene.merch_email, "approve"),
                            (scene.other_merch_email, "changes")):
        login(client, email)
        _decide(client, _review_ids(client)[0], decision, "Looks fine" if decision ==
                "approve" else "Shorter title")
        client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("review.%"))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.retailer_id, e.detail) for e in entries] == [
        ("review.approved", scene.retailer.id, "Looks fine"),
        ("review.changes_requested", scene.other_retailer.id, "Shorter title")]
    assert all(e.actor_id for e in entries)


def test_preview_shows_the_page_as_each_retailer_would(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene)
    revision_id = edit_url.rstrip("/").split("/")[-1]
    acme = client.get(f"/vendor/revisions/{revision_id}/preview/{scene.retailer.id}")
    best = client.get(f"/vendor/revisions/{revision_id}/preview/{scene.other_retailer.id}"
                      "?template=look")
    assert acme.status_code == best.status_code == 200
    assert "Built for wet trails" in acme.get_data(as_text=True)
    assert "--primary:#123456" in acme.get_data(as_text=True)
    assert "--primary:#0b3d2e" in best.get_data(as_text=True)
    assert "<h1 data-product-name>Trail Widget</h1>" in best.get_data(as_text=True)
    assert "Built for wet trails" not in _page(client, scene.tag)  # preview is not live


def test_each_template_renders_its_slots(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    edit_url = _draft(client, scene, gallery=[str(scene.photo.id), str(scene.hero.id)],
                      video_url="https://youtu.be/dQw4w9WgXcQ")
    revision_id = edit_url.rstrip("/").split("/")[-1]
    base = f"/vendor/revisions/{revision_id}/preview/{scene.retailer.id}?template="
    story = client.get(base + "story").get_data(as_text=True)
    assert story.index("youtube-nocookie.com/embed/dQw4w9WgXcQ") < story.index("data-product-name")
    assert "<details" in story  # the player loads only after a tap
    specs = client.get(base + "specs").get_data(as_text=True)
    assert "<th scope=\"row\">Weight</th><td>540 g</td>" in specs
    look = client.get(base + "look").get_data(as_text=True)
    assert "Wear it with" in look and 'loading="lazy"' in look
    for html in (story, specs, look):
        assert "fonts.googleapis" not in html and "<script>" not in html


def test_preview_includes_the_offer_shoppers_would_see(app, client):
    from tests.helpers import make_offer

    scene = make_scene()
    make_offer(scene.retailer, title="Ten percent today", percent_off=10)
    login(client, scene.vendor_email)
    revision_id = _draft(client, scene).rstrip("/").split("/")[-1]
    html = client.get(f"/vendor/revisions/{revision_id}/preview/{scene.retailer.id}"
                      ).get_data(as_text=True)
    assert "Ten percent today" in html and "Built for wet trails" in html


def test_review_page_shows_the_revision_history(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    _submit(client, _draft(client, scene))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/vendor")})
    login(client, scene.merch_email)
    review_id = _review_ids(client)[0]
    _decide(client, review_id, "changes", "Brighter photo please")
    html = client.get(f"/console/reviews/{review_id}").get_data(as_text=True)
    assert 'data-audit="revision.submitted"' in html
    assert 'data-audit="review.changes_requested"' in html and "Brighter photo please" in html
    assert "merch@acme.test" in html and "Send decision" not in html
