"""A refused shopper action stays on the shopper's page, in the retailer's brand, with the
message next to its field and what was typed kept; nothing is stored."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from qrshop.alerts.models import Subscription
from qrshop.extensions import db
from qrshop.feedback.models import Feedback
from qrshop.offers.models import CouponClaim
from qrshop.wishlist.models import WishlistItem
from tests.factories import make_shop
from tests.helpers import form_fields, make_offer


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _post(client, tag, form: str, fields: dict, *, page: str = "", **headers):
    html = client.get(f"/t/{tag.code}{page}").get_data(as_text=True)
    action = f"/t/{tag.code}/{form}"
    return client.post(action, data={**form_fields(html, action), **fields}, headers=headers)


def _in_the_brand(html: str) -> None:
    """The retailer's page (its colour, its name, the product), not the platform's."""
    assert "We couldn't do that" not in html
    assert "--primary:#123456" in html and "Acme" in html
    assert "<h1 data-product-name>Trail Widget</h1>" in html


def _message_by(html: str, field: str) -> str:
    shown = re.search(r'<p class="error" role="alert"[^>]*data-error-for="' + field +
                      r'"[^>]*>([^<]*)</p>', html)
    assert shown, f"no message by {field}"
    return shown.group(1)


def test_empty_feedback_shows_the_landing_page_with_the_message_by_the_form(client):
    tag = make_shop().tag
    response = _post(client, tag, "feedback", {})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    _in_the_brand(html)
    assert "Choose stars, answer the question or write a comment." in _message_by(html,
                                                                                  "feedback")
    assert response.headers["Cache-Control"] == "no-store"
    assert _count(Feedback) == 0
    # The page's forms still work from here: the next answer is taken.
    fields = form_fields(html, f"/t/{tag.code}/feedback")
    assert client.post(f"/t/{tag.code}/feedback",
                       data={**fields, "rating": "4"}).status_code == 303
    assert _count(Feedback) == 1


def test_too_long_feedback_keeps_what_was_typed_next_to_the_message(client):
    tag = make_shop().tag
    comment = "Lovely & light " * 70  # 1050 characters
    response = _post(client, tag, "feedback", {"comment": comment, "rating": "4",
                                               "helpful": "yes"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    _in_the_brand(html)
    assert "Keep the comment to 1000 characters" in _message_by(html, "comment")
    textarea = re.search(r'<textarea id="fb-comment"([^>]*)>([^<]*)</textarea>', html)
    assert 'aria-invalid="true"' in textarea.group(1)
    assert textarea.group(2) == comment.replace("&", "&amp;")
    assert 'name="rating" value="4" checked' in html
    assert 'name="helpful" value="yes" checked' in html
    assert _count(Feedback) == 0


def test_the_pages_script_gets_the_refusal_as_json(client):
    tag = make_shop().tag
    response = _post(client, tag, "feedback", {"comment": "x" * 1001},
                     Accept="application/json")
    assert response.status_code == 422
    assert response.get_json() == {"error": "comment_too_long", "field": "comment",
                                   "message": "Keep the comment to 1000 characters; it has "
                                              "1001."}


def test_an_expired_save_form_stays_on_the_page(app, client):
    tag = make_shop().tag
    response = _post(client, tag, "save", {"csrf_token": "0" * 64})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    _in_the_brand(html)
    assert "try again" in _message_by(html, "save")
    assert _count(WishlistItem) == 0
    # The page it shows has a working token.
    assert client.post(f"/t/{tag.code}/save",
                       data=form_fields(html, f"/t/{tag.code}/save")).status_code == 303
    assert _count(WishlistItem) == 1


def test_a_refused_coupon_claim_stays_on_the_page(client):
    shop = make_shop()
    make_offer(shop.retailer, title="15% off your visit")
    html = client.get(f"/t/{shop.tag.code}").get_data(as_text=True)
    fields = form_fields(html, f"/t/{shop.tag.code}/coupon")
    assert client.post(f"/t/{shop.tag.code}/coupon", data=fields).status_code == 303
    again = client.post(f"/t/{shop.tag.code}/coupon", data=fields)  # a second tab's form
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    _in_the_brand(html)
    assert _message_by(html, "coupon")
    assert "Show my coupon" in html  # the one already claimed, right there
    no_offer = client.post(f"/t/{shop.tag.code}/coupon", data={**fields, "offer": "x"})
    assert no_offer.status_code == 400
    assert "Choose an offer" in _message_by(no_offer.get_data(as_text=True), "coupon")
    assert _count(CouponClaim) == 1


def test_a_bad_alerts_email_is_shown_next_to_the_email_field(client):
    tag = make_shop().tag
    response = _post(client, tag, "alerts", {
        "email": "ann@@example", "topics": ["price_drop"], "consent": "yes"}, page="/alerts")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "We couldn't do that" not in html and "--primary:#123456" in html
    email = re.search(r'<input id="alert-email"[^>]*>\s*<p class="error" role="alert" '
                      r'id="alert-email-error" data-alerts-error="email">([^<]+)</p>', html)
    assert email, "the message is not right after the email field"
    assert "That email address does not work" in email.group(1)
    field = re.search(r'<input id="alert-email"[^>]*>', html).group(0)
    assert 'value="ann@@example"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="alert-email-error"' in field
    assert _count(Subscription) == 0


def test_alerts_without_consent_say_so_by_the_consent_box(client):
    tag = make_shop().tag
    response = _post(client, tag, "alerts", {"email": "ann@example.com",
                                             "topics": ["sale"]}, page="/alerts")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'data-consent-text>[^<]*</span></label>\s*<p class="error" role="alert" '
                     r'id="alert-consent-error" data-alerts-error="consent">Tick the box', html)
    assert 'value="ann@example.com"' in html


def test_too_much_feedback_is_a_429_on_the_page_not_an_error_page(client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}").get_data(as_text=True)
    fields = {**form_fields(html, f"/t/{tag.code}/feedback"), "helpful": "yes"}
    statuses = [client.post(f"/t/{tag.code}/feedback", data=fields).status_code
                for _ in range(10)]
    assert statuses == [303] * 10
    response = client.post(f"/t/{tag.code}/feedback", data=fields)
    assert response.status_code == 429 and response.headers.get("Retry-After")
    page = response.get_data(as_text=True)
    _in_the_brand(page)
    assert "a lot of feedback" in _message_by(page, "feedback")
    answer = client.post(f"/t/{tag.code}/feedback", data=fields,
                         headers={"Accept": "application/json"})
    assert answer.status_code == 429 and answer.get_json()["field"] == "feedback"
