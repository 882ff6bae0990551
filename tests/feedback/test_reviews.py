"""Ratings and reviews on the landing page: the average from MIN_RATINGS_SHOWN ratings, and
only comments a merchandiser of the retailer approved in the moderation queue."""

from __future__ import annotations

import re

import pytest

from qrshop.feedback.reviews import MIN_RATINGS_SHOWN
from tests.factories import login, make_retailer, make_shop, make_store, make_user
from tests.helpers import form_fields, new_phone


def _send(phone, tag, **answers):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    response = phone.post(f"/t/{tag.code}/feedback",
                          data={**form_fields(html, f"/t/{tag.code}/feedback"), **answers})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def _landing(app, tag) -> str:
    return new_phone(app).get(f"/t/{tag.code}").get_data(as_text=True)


def _merchandiser(app, slug="acme"):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug=slug).email)
    return staff


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _decide(staff, feedback_id: int, decision: str):
    queue = staff.get("/console/comments").get_data(as_text=True)
    return staff.post(f"/console/comments/{feedback_id}",
                      data={"csrf_token": _csrf(queue), "decision": decision})


def _pending_ids(staff) -> list[int]:
    html = staff.get("/console/comments").get_data(as_text=True)
    return [int(n) for n in re.findall(r'data-pending-comment="(\d+)"', html)]


def test_average_and_count_show_from_the_minimum_number_of_ratings(app):
    tag = make_shop().tag
    assert MIN_RATINGS_SHOWN == 3
    for stars in ("5", "4"):
        _send(new_phone(app), tag, rating=stars)
    html = _landing(app, tag)
    assert "Ratings and reviews" in html and "Not enough ratings yet." in html
    assert "data-rating-average" not in html and "4.5 out of 5" not in html
    _send(new_phone(app), tag, rating="4")
    html = _landing(app, tag)
    assert 'data-rating-count="3"' in html
    assert "4.3 out of 5" in html and "3 ratings" in html
    assert "Not enough ratings yet." not in html


def test_the_average_reads_in_the_shoppers_language(app):
    tag = make_shop().tag
    for stars in ("5", "4", "4"):
        _send(new_phone(app), tag, rating=stars)
    phone = new_phone(app)
    html = phone.get(f"/t/{tag.code}", headers={"Accept-Language": "fr-CA"}
                     ).get_data(as_text=True)
    assert "4,3 sur 5" in html and "3 notes" in html and "Noter cet article" in html


def test_a_comment_is_never_shown_before_approval(app):
    tag = make_shop().tag
    _send(new_phone(app), tag, rating="5", comment="Secret until approved")
    assert "Secret until approved" not in _landing(app, tag)
    staff = _merchandiser(app)
    queue = staff.get("/console/comments").get_data(as_text=True)
    assert "Secret until approved" in queue and "Trail Widget" in queue


def test_an_approved_comment_is_shown_escaped_newest_first(app):
    tag = make_shop().tag
    _send(new_phone(app), tag, rating="2", comment="First <b>bold</b> & <script>x()</script>")
    _send(new_phone(app), tag, rating="5", comment="Second, newer")
    staff = _merchandiser(app)
    first, second = _pending_ids(staff)
    for feedback_id in (first, second):
        assert _decide(staff, feedback_id, "approve").status_code == 303
    assert _pending_ids(staff) == []
    html = _landing(app, tag)
    assert "<script>x()</script>" not in html and "<b>bold</b>" not in html
    assert "First &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;" in html
    assert html.index("Second, newer") < html.index("First &lt;b&gt;")
    assert 'aria-label="Rated 5 out of 5"' in html
    from sqlalchemy import func, select

    from qrshop.content.models import AuditEntry
    from qrshop.extensions import db

    assert db.session.scalar(select(func.count(AuditEntry.id))
                             .where(AuditEntry.action == "comment.approved")) == 2


def test_a_rejected_comment_stays_hidden_and_a_changed_one_waits_again(app):
    tag = make_shop().tag
    author = new_phone(app)
    _send(author, tag, rating="1", comment="Rude words")
    staff = _merchandiser(app)
    (feedback_id,) = _pending_ids(staff)
    assert _decide(staff, feedback_id, "reject").status_code == 303
    assert _pending_ids(staff) == []
    assert "Rude words" not in _landing(app, tag)
    assert f'data-decided-comment="{feedback_id}" data-status="rejected"' in staff.get(
        "/console/comments").get_data(as_text=True)
    # Approved, then changed by its shopper: hidden again until approved again.
    assert _decide(staff, feedback_id, "approve").status_code == 303
    assert "Rude words" in _landing(app, tag)
    _send(author, tag, comment="Edited after approval")
    html = _landing(app, tag)
    assert "Edited after approval" not in html and "Rude words" not in html
    assert _pending_ids(staff) == [feedback_id]


def test_a_bad_decision_is_refused(app):
    tag = make_shop().tag
    _send(new_phone(app), tag, comment="Hmm")
    staff = _merchandiser(app)
    (feedback_id,) = _pending_ids(staff)
    assert _decide(staff, feedback_id, "publish").status_code == 422
    assert _pending_ids(staff) == [feedback_id]
    assert _decide(staff, 999999, "approve").status_code == 404


def test_the_queue_needs_its_retailers_merchandiser(app, client):
    tag = make_shop().tag
    _send(new_phone(app), tag, comment="Only for acme")
    acme = _merchandiser(app)
    (feedback_id,) = _pending_ids(acme)
    queue = acme.get("/console/comments").get_data(as_text=True)
    other_retailer = make_retailer("rival", name="Rival")
    make_store(other_retailer, "RIV01")
    rival = _merchandiser(app, "rival")
    assert "Only for acme" not in rival.get("/console/comments").get_data(as_text=True)
    rival_queue = rival.get("/console/comments").get_data(as_text=True)
    assert rival.post(f"/console/comments/{feedback_id}",
                      data={"csrf_token": _csrf(rival_queue), "decision": "approve"}
                      ).status_code == 404
    for role, links in (("vendor", {"vendor_slug": "widgetco"}),
                        ("associate", {"retailer_slug": "acme", "store_code": "NYC01"})):
        other = new_phone(app)
        login(other, make_user(role, **links).email)
        assert other.get("/console/comments").status_code == 403
        assert other.post(f"/console/comments/{feedback_id}",
                          data={"csrf_token": _csrf(queue), "decision": "approve"}
                          ).status_code in (400, 403)
    assert client.get("/console/comments").status_code in (302, 401)
    # Without the form's token: refused, still waiting.
    assert acme.post(f"/console/comments/{feedback_id}",
                     data={"decision": "approve"}).status_code == 400
    assert _pending_ids(acme) == [feedback_id]
    assert "Only for acme" not in _landing(app, tag)


def test_the_console_home_counts_the_comments_waiting(app):
    tag = make_shop().tag
    _send(new_phone(app), tag, comment="One")
    _send(new_phone(app), tag, comment="Two")
    staff = _merchandiser(app)
    home = staff.get("/console").get_data(as_text=True)
    assert 'data-alert="comments"' in home and "2 shopper comments waiting" in home
    for feedback_id in _pending_ids(staff):
        _decide(staff, feedback_id, "approve")
    assert 'data-alert="comments"' not in staff.get("/console").get_data(as_text=True)


def test_vendors_still_see_every_comment_with_its_status(app):
    tag = make_shop().tag
    _send(new_phone(app), tag, rating="4", comment="Vendor can read this")
    vendor = new_phone(app)
    login(vendor, make_user("vendor", vendor_slug="widgetco").email)
    page = vendor.get("/vendor/feedback").get_data(as_text=True)
    assert "“Vendor can read this” (4★)" in page
    assert 'data-comment-status="pending">· waiting for approval' in page
    staff = _merchandiser(app)
    (feedback_id,) = _pending_ids(staff)
    _decide(staff, feedback_id, "approve")
    page = vendor.get("/vendor/feedback").get_data(as_text=True)
    assert "“Vendor can read this” (4★)" in page and "data-comment-status" not in page


@pytest.mark.parametrize("template", ["spotlight", "story", "specs", "look"])
def test_the_description_comes_before_the_folded_feedback_form(app, template):
    from qrshop.extensions import db

    shop = make_shop()
    tag = shop.tag
    listing = db.session.get(type(tag).listing.property.mapper.class_, tag.listing_id)
    listing.template = template
    db.session.commit()
    html = _landing(app, tag)
    assert "<details class=\"rate\"><summary" in html
    assert html.index('id="reviews-heading"') < html.index("Rate this item") < html.index(
        'action="/t/' + tag.code + '/feedback"')


def test_a_refused_feedback_opens_the_fold_with_the_message_by_the_field(app, client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    response = client.post(f"/t/{tag.code}/feedback",
                           data={**form_fields(html, f"/t/{tag.code}/feedback"),
                                 "comment": "x" * 1001})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details class="rate" open>' in body
    assert re.search(r'data-error-for="comment">Keep the comment to 1000', body)


def test_moderation_through_the_api(app, client):
    from tests.api.engage import token_for

    tag = make_shop().tag
    _send(new_phone(app), tag, rating="5", comment="Via the API")
    headers = token_for("merchandiser", retailer_slug="acme")
    page = client.get("/api/v1/feedback?comment_status=pending", headers=headers).get_json()
    (item,) = page["items"]
    assert item["comment"] == "Via the API" and item["comment_status"] == "pending"
    answer = client.post(f"/api/v1/feedback/{item['id']}/moderation", headers=headers,
                         json={"decision": "approve"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["comment_status"] == "approved"
    assert "Via the API" in _landing(app, tag)
    assert client.get("/api/v1/feedback?comment_status=pending",
                      headers=headers).get_json()["items"] == []
    assert client.post(f"/api/v1/feedback/{item['id']}/moderation", headers=headers,
                       json={"decision": "maybe"}).status_code == 422
    assert client.post("/api/v1/feedback/999999/moderation", headers=headers,
                       json={"decision": "approve"}).status_code == 404
    read_only = token_for("merchandiser", "feedback:read", retailer_slug="acme")
    assert client.post(f"/api/v1/feedback/{item['id']}/moderation", headers=read_only,
                       json={"decision": "reject"}).status_code == 403
    vendor = token_for("vendor", vendor_slug="widgetco")
    assert client.post(f"/api/v1/feedback/{item['id']}/moderation", headers=vendor,
                       json={"decision": "reject"}).status_code == 403
    assert client.get("/api/v1/feedback", headers=vendor).get_json()["items"][0][
        "comment_status"] == "approved"


def test_the_summary_is_read_with_the_pages_data_not_per_scan(app, monkeypatch):
    """Scans within the page data's age read no reviews; the next read sees an approval."""
    from qrshop.shopper import landing_parts

    tag = make_shop().tag
    _send(new_phone(app), tag, rating="5", comment="Cached")
    reads = []
    read = landing_parts.part("reviews")
    monkeypatch.setitem(landing_parts._parts, "reviews",
                        lambda *args: reads.append(args[0]) or read(*args))
    scanner = app.extensions["qrshop.scanner"]
    monkeypatch.setattr(scanner.tags, "max_age", 60)
    for _ in range(3):  # the tag was read by the GET before the feedback was sent
        assert new_phone(app).get(f"/t/{tag.code}").status_code == 200
    assert reads == []
    staff = _merchandiser(app)
    (feedback_id,) = _pending_ids(staff)
    _decide(staff, feedback_id, "approve")
    assert "Cached" not in _landing(app, tag)  # within the page data's age
    monkeypatch.setattr(scanner.tags, "max_age", 0)
    assert "Cached" in _landing(app, tag)  # the next read of the tag: the new page
    assert set(reads) == {tag.listing_id}


@pytest.mark.parametrize("template", ["spotlight", "story", "specs", "look"])
def test_the_page_with_reviews_stays_under_14_kb_compressed(app, template):
    """Full content, the rating summary and three approved comments of the longest kind."""
    import gzip
    import random
    import string

    from tests.content.helpers import go_live, make_scene

    scene = make_scene()
    go_live(scene, template)
    words = random.Random(7)
    for _ in range(3):
        text = " ".join("".join(words.choices(string.ascii_lowercase, k=words.randint(2, 9)))
                        for _ in range(160))[:1000]
        _send(new_phone(app), scene.tag, rating="4", comment=text)
    staff = new_phone(app)
    login(staff, scene.merch_email)
    for feedback_id in _pending_ids(staff):
        _decide(staff, feedback_id, "approve")
    html = new_phone(app).get(f"/t/{scene.tag.code}").get_data()
    assert html.count(b"data-review>") == 3 and b'data-rating-count="3"' in html
    assert len(gzip.compress(html)) <= 14 * 1024, len(gzip.compress(html))
