"""Retailers choose which landing templates they allow, a default, and one per listing."""

from __future__ import annotations

from qrshop.accounts.services import user_by_email
from qrshop.content.services import create_draft, decide_review, submit_revision
from qrshop.content.templates import TEMPLATES
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.factories import csrf_token, login


def test_every_template_has_a_file_and_a_slot_schema(app):
    assert set(TEMPLATES) >= {"spotlight", "story", "specs", "look"}
    for template in TEMPLATES.values():
        assert "title" in template.required
        assert not set(template.required) & set(template.optional)
        app.jinja_env.get_template(template.file)


def test_merchandiser_picks_a_template_for_one_listing(app, client):
    scene = make_scene()
    vendor, merch = user_by_email(scene.vendor_email), user_by_email(scene.merch_email)
    revision = create_draft(scene.product, vendor, {
        "title": "T", "hero_image": str(scene.hero.id), "gallery": [str(scene.photo.id)],
        "highlights": "Pairs with the Ridge Cap"})
    decide_review(submit_revision(revision, vendor)[0], merch, approve=True, comment="")
    db.session.commit()
    login(client, scene.merch_email)
    token = csrf_token(client, "/console/templates")
    response = client.post(f"/console/listings/{scene.tag.listing_id}/template",
                           data={"csrf_token": token, "template": "look"})
    assert response.status_code == 302
    html = client.get(f"/t/{scene.tag.code}?via=store").get_data(as_text=True)
    assert "Wear it with" in html and "Pairs with the Ridge Cap" in html


def test_default_must_be_enabled(app, client):
    scene = make_scene()
    login(client, scene.merch_email)
    token = csrf_token(client, "/console/templates")
    response = client.post("/console/templates", data={
        "csrf_token": token, "enabled": ["story", "specs"], "default": "spotlight"})
    assert response.status_code == 422
    assert "must be one of those enabled" in response.get_data(as_text=True)
    response = client.post("/console/templates", data={
        "csrf_token": token, "enabled": ["story", "specs"], "default": "specs"})
    assert response.status_code == 302
    db.session.expire_all()
    assert scene.retailer.default_template == "specs"
    assert scene.retailer.enabled_templates == ["story", "specs"]


def test_a_listing_cannot_use_a_disabled_template(app, client):
    scene = make_scene()
    scene.retailer.enabled_templates = ["spotlight"]
    db.session.commit()
    login(client, scene.merch_email)
    token = csrf_token(client, "/console/templates")
    response = client.post(f"/console/listings/{scene.tag.listing_id}/template",
                           data={"csrf_token": token, "template": "story"}, follow_redirects=True)
    assert "not enabled for Acme" in response.get_data(as_text=True)
    db.session.expire_all()
    assert scene.tag.listing.template is None
