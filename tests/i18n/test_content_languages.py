"""Vendor content per language: drafted in a locale, approved per locale, shown to shoppers
of that language, else the retailer's default language's content."""

from __future__ import annotations

import gzip

from qrshop.accounts.services import user_by_email
from qrshop.content.models import ReviewStatus
from qrshop.content.services import create_draft, decide_review, submit_revision
from qrshop.extensions import db
from tests.api.helpers import bearer
from tests.content.helpers import go_live, make_scene
from tests.factories import csrf_token, login
from tests.helpers import new_phone


def _spanish(scene, title="Hecho para senderos mojados", approve=True):
    vendor, merch = user_by_email(scene.vendor_email), user_by_email(scene.merch_email)
    revision = create_draft(scene.product, vendor, {"title": title, "tagline": "Agarre firme",
                                                      "hero_image": str(scene.hero.id)},
                            locale="es")
    reviews = submit_revision(revision, vendor)
    if approve:
        decide_review(reviews[0], merch, approve=True, comment="")
    db.session.commit()
    return revision, reviews


def _page(app, code, language):
    phone = new_phone(app)
    phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return phone.get(f"/t/{code}").get_data(as_text=True)


def test_each_language_sees_its_approved_content_else_the_default_languages(app):
    scene = make_scene()
    english = go_live(scene, "spotlight")
    _spanish(scene)
    spanish_page = _page(app, scene.tag.code, "es-MX")
    assert "Hecho para senderos mojados" in spanish_page
    assert "Built for wet trails" not in spanish_page
    assert "Built for wet trails" in _page(app, scene.tag.code, "en-US")
    french_page = _page(app, scene.tag.code, "fr-CA")  # no French content: the default's
    assert "Built for wet trails" in french_page and '<html lang="fr">' in french_page
    # The default language's live revision is unchanged by the Spanish approval.
    assert scene.tag.listing.live_revision_id == english.id
    for language in ("es", "fr", "en"):
        html = _page(app, scene.tag.code, language).encode()
        assert len(gzip.compress(html)) <= 14 * 1024


def test_a_spanish_submission_does_not_supersede_an_english_one_waiting_for_review(app):
    scene = make_scene()
    vendor = user_by_email(scene.vendor_email)
    hero = str(scene.hero.id)
    english = create_draft(scene.product, vendor, {"title": "English", "hero_image": hero})
    (english_review, *_) = submit_revision(english, vendor)
    _spanish(scene, approve=False)
    db.session.refresh(english_review)
    assert english_review.status == ReviewStatus.PENDING
    newer = create_draft(scene.product, vendor, {"title": "English 2", "hero_image": hero})
    submit_revision(newer, vendor)
    db.session.commit()
    db.session.refresh(english_review)
    assert english_review.status == ReviewStatus.SUPERSEDED


def test_a_pending_translation_shows_nothing_until_approved(app):
    scene = make_scene()
    go_live(scene, "spotlight")
    _spanish(scene, approve=False)
    assert "Built for wet trails" in _page(app, scene.tag.code, "es")


def test_a_retailer_whose_default_is_french_falls_back_to_french(app):
    scene = make_scene()
    scene.retailer.default_language = "fr"
    db.session.commit()
    vendor, merch = user_by_email(scene.vendor_email), user_by_email(scene.merch_email)
    revision = create_draft(scene.product, vendor, {"title": "Conçu pour la pluie",
                                                         "hero_image": str(scene.hero.id)},
                            locale="fr")
    decide_review(submit_revision(revision, vendor)[0], merch, approve=True, comment="")
    db.session.commit()
    assert scene.tag.listing.live_revision_id == revision.id
    assert "Conçu pour la pluie" in _page(app, scene.tag.code, "es")


def test_the_vendor_chooses_the_language_of_a_new_draft(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    url = f"/vendor/products/{scene.product.id}/revisions/new"
    assert 'name="locale"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "title": "Pour la pluie", "locale": "fr"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-revision-locale="fr"' in page
    refused = client.post(url, data={"csrf_token": csrf_token(client, url),
                                     "title": "x", "locale": "de"})
    assert refused.status_code == 400


def test_the_api_says_each_revisions_language(app, client):
    scene = make_scene()
    revision, _ = _spanish(scene)
    headers = bearer(user_by_email(scene.vendor_email))
    answer = client.get(f"/api/v1/content/revisions/{revision.id}", headers=headers).get_json()
    assert answer["locale"] == "es"


def test_the_api_says_an_approved_translation_is_live(app, client):
    scene = make_scene()
    go_live(scene, "spotlight")
    revision, _ = _spanish(scene)
    headers = bearer(user_by_email(scene.vendor_email))
    answer = client.get(f"/api/v1/content/revisions/{revision.id}", headers=headers).get_json()
    assert [r["status"] for r in answer["retailers"] if r["retailer"] == "acme"] == ["live"]
