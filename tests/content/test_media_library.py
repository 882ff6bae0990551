"""The vendor's media library: grid and search, several files at once, alt text required
before submitting, captions on shopper pages, delete only when unused, replace safely."""

from __future__ import annotations

import io

from sqlalchemy import select

from qrshop.accounts.services import user_by_email
from qrshop.content.models import ContentRevision, Media
from qrshop.content.services import create_draft, decide_review, submit_revision
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.content.images import image_bytes
from tests.factories import csrf_token, login

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF")


def _upload(client, token, *files, path="/vendor/media"):
    return client.post(path, data={"csrf_token": token, "file": [
        (io.BytesIO(data), name) for name, data in files]}, content_type="multipart/form-data")


def _vendor(client, scene):
    login(client, scene.vendor_email)
    return csrf_token(client, "/vendor/media")


def test_several_files_at_once_each_checked_on_its_own(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    response = _upload(client, token, ("boot-side.jpg", image_bytes("JPEG", size=(900, 600))),
                       ("not-a-photo.jpg", b"<html>nope</html>"),
                       ("boot-top.png", image_bytes("PNG", size=(500, 500))))
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # two stored, one refused and named
    assert "Uploaded boot-side.jpg, boot-top.png" in html
    assert "not-a-photo.jpg: This is not a JPEG, PNG or WebP image." in html
    names = set(db.session.scalars(select(Media.original_name)))
    assert {"boot-side.jpg", "boot-top.png"} <= names and "not-a-photo.jpg" not in names
    # The script's endpoint: one file per request, JSON per file.
    good = _upload(client, token, ("strap.webp", image_bytes("WEBP", size=(400, 300))),
                   path="/vendor/media/upload")
    assert good.status_code == 201 and good.get_json()["kind"] == "image"
    bad = _upload(client, token, ("logo.svg", b"<svg/>"), path="/vendor/media/upload")
    assert bad.status_code == 415 and bad.get_json()["error"] == "unsupported_type"
    assert "not a JPEG" in bad.get_json()["message"]
    # Without a CSRF token nothing is taken.
    stale = client.post("/vendor/media/upload", data={
        "file": (io.BytesIO(image_bytes("JPEG", size=(300, 300))), "x.jpg")},
        content_type="multipart/form-data")
    assert stale.status_code == 400


def test_grid_search_kind_filter_and_uses(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    _upload(client, token, ("care-guide.pdf", PDF))
    vendor = user_by_email(scene.vendor_email)
    create_draft(scene.product, vendor, {"hero_image": str(scene.hero.id)})
    db.session.commit()
    page = client.get("/vendor/media").get_data(as_text=True)
    assert "hero-shot.jpg" in page and "detail.png" in page and "care-guide.pdf" in page
    assert "rival.jpg" not in page  # another vendor's library
    assert "Used in 1 revision" in page and "1100×700" in page
    assert 'class="media-grid"' in page and 'src="/media/' in page
    by_alt = client.get("/vendor/media?q=dial").get_data(as_text=True)
    assert "detail.png" in by_alt and "hero-shot.jpg" not in by_alt  # alt text matched
    pdfs = client.get("/vendor/media?kind=pdf").get_data(as_text=True)
    assert "care-guide.pdf" in pdfs and "hero-shot.jpg" not in pdfs
    item = client.get(f"/vendor/media/{scene.hero.id}").get_data(as_text=True)
    assert "Trail Widget — revision 1" in item or "revision 1" in item
    assert "draft" in item


def test_alt_text_is_required_before_submitting_and_reaches_the_page(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    scene.photo.alt_text = ""  # the gallery image has none yet
    vendor = user_by_email(scene.vendor_email)
    revision = create_draft(scene.product, vendor, {
        "title": "Trail ready", "hero_image": str(scene.hero.id),
        "gallery": [str(scene.photo.id)]})
    db.session.commit()
    refused = client.post(f"/vendor/revisions/{revision.id}/submit",
                          data={"csrf_token": token})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "detail.png" in text and "alt text" in text
    assert db.session.get(ContentRevision, revision.id).is_draft
    saved = client.post(f"/vendor/media/{scene.photo.id}", data={
        "csrf_token": token, "alt_text": "  The  dial, close up ",
        "caption": "Luminous dial"})
    assert saved.status_code == 302
    assert db.session.get(Media, scene.photo.id).alt_text == "The dial, close up"
    ok = client.post(f"/vendor/revisions/{revision.id}/submit", data={"csrf_token": token})
    assert ok.status_code == 302
    db.session.expire_all()
    submitted = db.session.get(ContentRevision, revision.id)
    assert submitted.slots["gallery"][0]["alt"] == "The dial, close up"
    assert submitted.slots["gallery"][0]["caption"] == "Luminous dial"
    merch = user_by_email(scene.merch_email)
    review = [r for r in submitted.reviews if r.retailer_id == scene.retailer.id][0]
    decide_review(review, merch, approve=True, comment="")
    db.session.commit()
    landing = app.test_client().get(f"/t/{scene.tag.code}",
                         headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile"}).get_data(
                             as_text=True)
    assert 'alt="The dial, close up"' in landing
    assert "<figcaption>Luminous dial</figcaption>" in landing
    assert 'alt="The gizmo from the front"' in landing  # the hero's alt text
    assert "detail.png" not in landing and ">detail<" not in landing  # never a file name


def test_alt_text_too_long_and_other_vendors_refused(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    long = client.post(f"/vendor/media/{scene.hero.id}", data={
        "csrf_token": token, "alt_text": "x" * 301, "caption": ""})
    assert long.status_code == 422 and "300 characters" in long.get_data(as_text=True)
    assert db.session.get(Media, scene.hero.id).alt_text == "The gizmo from the front"
    no_csrf = client.post(f"/vendor/media/{scene.hero.id}", data={"alt_text": "changed"})
    assert no_csrf.status_code == 400
    # The rival's file is not in this vendor's library: every route answers 404.
    rival = scene.rival_image.id
    assert client.get(f"/vendor/media/{rival}").status_code == 404
    for path in (f"/vendor/media/{rival}", f"/vendor/media/{rival}/delete",
                 f"/vendor/media/{rival}/replace"):
        assert client.post(path, data={"csrf_token": token, "alt_text": "mine"}).status_code \
            == 404
    assert db.session.get(Media, rival).alt_text == "A rival gizmo"
    merch = app.test_client()
    login(merch, scene.merch_email)
    assert merch.get("/vendor/media").status_code in (403, 404)
    assert merch.get(f"/vendor/media/{scene.hero.id}").status_code in (403, 404)
    assert app.test_client().get("/vendor/media").status_code in (302, 401)  # anonymous


def test_delete_refused_while_used_then_allowed(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    vendor = user_by_email(scene.vendor_email)
    live = create_draft(scene.product, vendor, {"title": "Live", "hero_image": str(scene.hero.id)})
    decide_review(submit_revision(live, vendor)[0], user_by_email(scene.merch_email),
                  approve=True, comment="")
    create_draft(scene.product, vendor, {"title": "Next", "gallery": [str(scene.photo.id)]})
    unused = Media(sha256="0" * 64, extension="jpg", kind="image", content_type="image/jpeg",
                   size_bytes=10, width=1, height=1, vendor_id=scene.hero.vendor_id,
                   original_name="old.jpg")
    db.session.add(unused)
    db.session.commit()
    refused = client.post(f"/vendor/media/{scene.hero.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "still used by" in text and "revision 1 (live)" in text
    drafted = client.post(f"/vendor/media/{scene.photo.id}/delete", data={"csrf_token": token})
    assert drafted.status_code == 409 and "revision 2 (draft)" in drafted.get_data(as_text=True)
    assert db.session.get(Media, scene.hero.id) is not None
    gone = client.post(f"/vendor/media/{unused.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 302
    db.session.expire_all()
    assert db.session.get(Media, unused.id) is None
    assert client.post(f"/vendor/media/{scene.hero.id}/delete").status_code == 400  # no CSRF


def test_replace_keeps_live_pages_and_proposes_a_draft(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    vendor = user_by_email(scene.vendor_email)
    live = create_draft(scene.product, vendor, {"title": "Live", "hero_image": str(scene.hero.id)})
    decide_review(submit_revision(live, vendor)[0], user_by_email(scene.merch_email),
                  approve=True, comment="")
    db.session.commit()
    live_slots = dict(db.session.get(ContentRevision, live.id).slots)
    bad = client.post(f"/vendor/media/{scene.hero.id}/replace", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "care.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 415 and "Replace a image with a image" in bad.get_data(as_text=True)
    response = client.post(f"/vendor/media/{scene.hero.id}/replace", data={
        "csrf_token": token,
        "file": (io.BytesIO(image_bytes("JPEG", size=(1000, 800), colour=(5, 90, 20))),
                 "hero-v2.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Media).where(Media.original_name == "hero-v2.jpg"))
    assert new.alt_text == "The gizmo from the front"  # carried over
    assert db.session.get(ContentRevision, live.id).slots == live_slots  # live page unchanged
    drafts = list(db.session.scalars(select(ContentRevision).where(
        ContentRevision.product_id == scene.product.id, ContentRevision.status == "draft")))
    assert len(drafts) == 1 and drafts[0].slots["hero_image"]["media_id"] == new.id
    assert drafts[0].slots["title"] == "Live"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "submit them for review" in page


def test_api_sets_alt_text_for_pim_feeds(app, client):
    from qrshop.accounts.services import create_api_token

    scene = make_scene()
    token = create_api_token(user_by_email(scene.vendor_email), "pim")[1]
    rival_token = create_api_token(user_by_email(scene.rival_email), "rival")[1]
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    uploaded = client.post("/api/v1/media", headers=auth, data={
        "file": (io.BytesIO(image_bytes("JPEG", size=(500, 400))), "pim-1.jpg")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 201 and uploaded.get_json()["alt_text"] == ""
    media_id = uploaded.get_json()["id"]
    changed = client.patch(f"/api/v1/content/media/{media_id}", headers=auth,
                           json={"alt_text": "A boot from the side"})
    assert changed.status_code == 200
    assert (changed.get_json()["alt_text"], changed.get_json()["caption"]) == (
        "A boot from the side", "")
    assert client.patch(f"/api/v1/content/media/{media_id}", headers=auth,
                        json={"caption": "x" * 301}).status_code == 422
    other = client.patch(f"/api/v1/content/media/{media_id}",
                         headers={"Authorization": f"Bearer {rival_token}"},
                         json={"alt_text": "mine"})
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"
    assert db.session.get(Media, media_id).alt_text == "A boot from the side"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "patch" in spec["paths"]["/api/v1/content/media/{media_id}"]


def test_delete_refused_for_a_file_named_as_a_logo(app, client):
    scene = make_scene()
    token = _vendor(client, scene)
    scene.retailer.logo_media_id = scene.hero.id
    db.session.commit()
    response = client.post(f"/vendor/media/{scene.hero.id}/delete", data={"csrf_token": token})
    assert response.status_code == 409 and "logo" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Media, scene.hero.id) is not None
