"""Shared steps for engagement tests: offers, and a shopper claiming a coupon like a phone."""

from __future__ import annotations

import re
from datetime import timedelta

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.services import create_offer
from tests.conftest import MOBILE_SAFARI


def make_offer(retailer, **values):
    """An offer running from an hour ago for 30 days (15% off unless told), committed."""
    now = utcnow()
    values.setdefault("title", "15% off today")
    values.setdefault("kind", "percent")
    if values["kind"] == "percent":
        values.setdefault("percent_off", 15)
    offer = create_offer(retailer, starts_at=values.pop("starts_at", now - timedelta(hours=1)),
                         ends_at=values.pop("ends_at", now + timedelta(days=30)), **values)
    db.session.commit()
    return offer


def new_phone(app):
    """A separate phone: its own cookies."""
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    return phone


def form_fields(html: str, action: str) -> dict:
    """The hidden fields of the form posting to action."""
    form = re.search(r'<form method="post" action="' + re.escape(action) + r'"[^>]*>(.*?)</form>',
                     html, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def coupon_form(phone, tag) -> dict:
    """Scan the tag and return the 'Get coupon' form's fields."""
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    return form_fields(html, f"/t/{tag.code}/coupon")


def claim_coupon(phone, tag) -> str:
    """Scan the tag, tap 'Get coupon' and return the code the coupon page shows."""
    response = phone.post(f"/t/{tag.code}/coupon", data=coupon_form(phone, tag))
    assert response.status_code == 303, response.get_data(as_text=True)
    page = phone.get(response.headers["Location"])
    assert page.status_code == 200
    return coupon_code_on(page.get_data(as_text=True))


def coupon_code_on(html: str) -> str:
    """The code in the page's data-coupon-code element."""
    return re.search(r'data-coupon-code="([A-Z0-9-]+)"', html).group(1)
