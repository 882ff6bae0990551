"""The vendor studio over HTTP: editor HTML stored clean, rows for highlights and specs (and
the old text format still accepted), the form laid out by the templates in use, and the
live preview endpoint (the product's vendor only, CSRF-checked, nothing stored)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from qrshop.content.models import AuditEntry, ContentRevision
from qrshop.content.rich_text import editor_html_to_clean
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.factories import csrf_token, login

TRIX_HTML = ('<h1>Why it lasts</h1><div>Light <strong>and</strong> tough<br>second line'
             '<br><br>Next <em>paragraph</em><br></div><div><br></div>'
             '<div onclick="steal()">Click<script>alert(1)</script></div>'
             '<ul><li>Seam-sealed</li></ul><blockquote>Best on wet rock</blockquote>'
             '<a href="javascript:alert(1)">bad</a><a href="https://example.com/care">care</a>')


@pytest.fixture
def scene(app, client):
    """The content scene with its vendor logged in."""
    scene = make_scene()
    login(client, scene.vendor_email)
    return scene


def _new_path(scene):
    return f"/vendor/products/{scene.product.id}/revisions/new"


def _post_draft(client, scene, **fields):
    data = {"csrf_token": csrf_token(client, _new_path(scene)), "title": "Built for trails",
            "hero_image": str(scene.hero.id)}
    data.update(fields)
    return client.post(_new_path(scene), data=data)


def _newest_slots(scene) -> dict:
    return db.session.scalars(select(ContentRevision).where(
        ContentRevision.product_id == scene.product.id)
        .order_by(ContentRevision.number.desc())).first().slots


def _revision_count(scene) -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRevision).where(
        ContentRevision.product_id == scene.product.id))


@pytest.mark.parametrize(("editor", "stored"), [
    ("<h1>Big</h1>", "<h3>Big</h3>"),
    ("<h2>Mid</h2><h5>Small</h5>", "<h3>Mid</h3><h4>Small</h4>"),
    ("<div>One</div><div>Two</div>", "<p>One</p><p>Two</p>"),
    ("<div>a<br>b</div>", "<p>a<br>b</p>"),
    ("<div>a<br><br>b</div>", "<p>a</p><p>b</p>"),
    ("<div><br></div><div>kept</div><div></div>", "<p>kept</p>"),
    ("<ul><li><div>item</div></li></ul>", "<ul><li>item</li></ul>"),
    ("<pre>code</pre><del>struck</del>", "<p>code</p>struck"),
    ("<p>Already <b>clean</b></p><h4>x</h4>", "<p>Already <b>clean</b></p><h4>x</h4>"),
])
def test_editor_html_is_mapped_onto_the_allowed_set(editor, stored):
    assert editor_html_to_clean(editor) == stored


def test_trix_html_is_stored_clean_through_the_form(scene, client):
    response = _post_draft(client, scene, description=TRIX_HTML)
    assert response.status_code == 302
    description = _newest_slots(scene)["description"]
    assert description == (
        '<h3>Why it lasts</h3><p>Light <strong>and</strong> tough<br>second line</p>'
        '<p>Next <em>paragraph</em></p><p>Click</p><ul><li>Seam-sealed</li></ul>'
        '<blockquote>Best on wet rock</blockquote><a rel="noopener nofollow">bad</a>'
        '<a href="https://example.com/care" rel="noopener nofollow">care</a>')
    for gone in ("<div", "<h1", "onclick", "script", "alert", "javascript:"):
        assert gone not in description
    # The edit page hands the stored HTML back to the editor, escaped in its textarea.
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;h3&gt;Why it lasts&lt;/h3&gt;" in html


def test_highlights_and_specs_are_stored_from_rows_in_page_order(scene, client):
    response = _post_draft(client, scene, highlight=["Recycled nylon", "", "Waterproof", " "],
                           spec_name=["Weight", "", "Fill"], spec_value=["540 g", "", "Down"])
    assert response.status_code == 302
    slots = _newest_slots(scene)
    assert slots["highlights"] == ["Recycled nylon", "Waterproof"]
    assert slots["spec_table"] == [["Weight", "540 g"], ["Fill", "Down"]]
    # The edit page shows them as rows again, with blank rows ready below (no JavaScript).
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    highlights = re.findall(r'name="highlight" value="([^"]*)"', html)
    assert highlights == ["Recycled nylon", "Waterproof", "", "", ""]
    names = re.findall(r'name="spec_name" value="([^"]*)"', html)
    assert names == ["Weight", "Fill", "", "", "", ""]
    assert 'name="spec_value" value="540 g"' in html
    assert "name=\"highlights\"" not in html and "name=\"spec_table\"" not in html


def test_the_old_text_format_is_still_accepted(scene, client):
    response = _post_draft(client, scene, highlights="Warm\nDry",
                           spec_table="Weight: 540 g\nFill: Down")
    assert response.status_code == 302
    slots = _newest_slots(scene)
    assert slots["highlights"] == ["Warm", "Dry"]
    assert slots["spec_table"] == [["Weight", "540 g"], ["Fill", "Down"]]


def test_a_half_filled_spec_row_is_refused_and_nothing_is_stored(scene, client):
    before = _revision_count(scene)
    response = _post_draft(client, scene, spec_name=["Weight", "Fill"],
                           spec_value=["540 g", ""], highlight=["Kept when refused"])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Spec row 2 needs both a name and a value" in html
    # The refused form keeps what was typed, rows included.
    assert 'value="Kept when refused"' in html and 'name="spec_name" value="Fill"' in html
    assert _revision_count(scene) == before


def test_too_many_highlight_rows_are_refused(scene, client):
    response = _post_draft(client, scene, highlight=[f"Point {n}" for n in range(9)])
    assert response.status_code == 422
    assert "at most 8 highlights" in response.get_data(as_text=True)


def test_the_studio_lays_out_slots_by_the_templates_in_use(scene, client):
    html = client.get(_new_path(scene)).get_data(as_text=True)
    # Both retailers use the default Spotlight template: title and hero image are required.
    assert re.search(r'data-required-slot="title"', html)
    assert re.search(r'data-required-slot="hero_image"', html)
    assert 'data-required-slot="video"' not in html
    assert "by Acme Outfitters (Spotlight)" in html or "(Spotlight)" in html
    # The editor, counters and preview are the studio's own assets, loaded here.
    assert "/static/vendor/trix/trix.umd.min.js" in html and "/static/studio.js" in html
    assert 'data-rich-text="description"' in html and 'data-count="120"' in html
    assert html.count("data-preview-retailer") == 1
    assert f"/vendor/products/{scene.product.id}/preview/{scene.retailer.id}" in html
    assert "<script>" not in html  # nothing inline (CSP script-src 'self')


def test_a_story_template_tucks_away_the_slots_it_does_not_show(scene, client):
    for listing in (scene.tag.listing, scene.other_tag.listing):
        listing.template = "story"
        listing.retailer.enabled_templates = ["spotlight", "story"]
    db.session.commit()
    html = client.get(_new_path(scene)).get_data(as_text=True)
    assert 'data-required-slot="video"' in html
    details = html.split('<details class="unused-slots">', 1)[1].split("</details>", 1)[0]
    assert 'data-slot="spec_table"' in details and 'data-slot="documents"' in details
    assert 'data-slot="title"' not in details


def _preview(client, scene, retailer_id=None, token=True, **fields):
    retailer_id = retailer_id or scene.retailer.id
    data = {"title": "Preview title", "hero_image": str(scene.hero.id)}
    if token:
        data["csrf_token"] = csrf_token(client, _new_path(scene))
    data.update(fields)
    return client.post(f"/vendor/products/{scene.product.id}/preview/{retailer_id}", data=data)


def test_the_preview_renders_unsaved_slots_in_the_retailers_page(scene, client):
    before = (_revision_count(scene),
              db.session.scalar(select(func.count()).select_from(AuditEntry)))
    response = _preview(client, scene, description="<h1>Fresh</h1><div>Typed <strong>now"
                        "</strong><script>alert(1)</script></div>",
                        highlight=["Row one"], spec_name=["Weight"], spec_value=["540 g"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Preview title" in html and "<h3>Fresh</h3>" in html
    assert "<strong>now</strong>" in html and "alert(1)" not in html
    assert "Row one" in html and "540 g" in html
    assert "data-product-name" in html
    # In the other retailer's theme (its own primary colour).
    other = _preview(client, scene, retailer_id=scene.other_retailer.id)
    assert other.status_code == 200 and "#0b3d2e" in other.get_data(as_text=True)
    # Nothing was stored: no revision, no audit entry.
    assert (_revision_count(scene),
            db.session.scalar(select(func.count()).select_from(AuditEntry))) == before


def test_the_preview_explains_refused_input(scene, client):
    response = _preview(client, scene, spec_name=["Weight"], spec_value=[""])
    assert response.status_code == 422
    assert "Spec row 1 needs both a name and a value" in response.get_data(as_text=True)


def test_the_preview_needs_the_csrf_token(scene, client):
    response = _preview(client, scene, token=False)
    assert response.status_code == 400
    assert "Preview title" not in response.get_data(as_text=True)


def test_the_preview_is_for_the_products_vendor_only(app, client):
    scene = make_scene()
    login(client, scene.rival_email)
    token = csrf_token(client, "/vendor/media")
    path = f"/vendor/products/{scene.product.id}/preview/{scene.retailer.id}"
    response = client.post(path, data={"csrf_token": token, "title": "Hijack"})
    assert response.status_code == 404
    assert "Hijack" not in response.get_data(as_text=True)
    # The rival's own product at a retailer that does not carry it: 404 as well.
    rival_path = f"/vendor/products/{scene.rival_product.id}/preview/{scene.other_retailer.id}"
    assert client.post(rival_path, data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    # A merchandiser of a carrying retailer may not use the vendor's studio.
    login(client, scene.merch_email)
    token = csrf_token(client, "/console/reviews")
    assert client.post(path, data={"csrf_token": token, "title": "x"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    # Nobody logged in: the login page.
    response = client.post(path, data={"title": "x"})
    assert response.status_code in (302, 400)
    assert "Hijack" not in response.get_data(as_text=True)


def test_shopper_pages_load_nothing_of_the_studio(scene, client):
    _post_draft(client, scene, description=TRIX_HTML)
    html = client.get(f"/t/{scene.tag.code}?via=store").get_data(as_text=True)
    assert "data-product-name" in html
    for studio_asset in ("trix", "studio.js", "studio.css"):
        assert studio_asset not in html.lower()
