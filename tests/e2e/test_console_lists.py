"""The console's items, offers and feedback pages on a 390 px phone: nothing in the page's
main part is wider than the screen (wide tables scroll in their own box); screenshots are
kept in test-artifacts/ to look at."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.feedback.models import Feedback
from qrshop.shopper.models import Shopper
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_many_listings, make_shop, make_user
from tests.helpers import make_offer

pytestmark = pytest.mark.slow


def _shop_with_many_rows():
    shop = make_shop()
    ids = make_many_listings(shop.retailer, shop.vendor, 120)
    for n in range(60):
        make_offer(shop.retailer, title=f"Weekly deal {n + 1:02d}")
    now = utcnow()
    db.session.execute(insert(Shopper), [{"id": f"e2e{i}", "retailer_id": shop.retailer.id,
                                          "created_at": now} for i in ids[:60]])
    db.session.execute(insert(Feedback), [
        {"shopper_id": f"e2e{i}", "listing_id": i, "rating": 1 + i % 5, "is_helpful": i % 2 == 0,
         "comment": "Fits well, the strap is a bit short", "created_at": now,
         "updated_at": now} for i in ids[:60]])
    db.session.commit()
    return make_user("merchandiser", retailer_slug="acme").email


def test_console_lists_fit_a_phone(live_server, phone):
    email = _shop_with_many_rows()
    phone.goto(f"{live_server}/login")
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in (("/console/items?page=2", "items"), ("/console/offers", "offers"),
                       ("/console/feedback?q=item", "feedback")):
        response = phone.goto(live_server + path)
        assert response.status == 200
        assert phone.locator("nav.pager a[rel=next]").count() == 2  # above and below
        phone.screenshot(path=str(ARTIFACTS / f"console-{name}-390.png"))
        # The page's own content fits; wide tables scroll inside their box.
        assert phone.evaluate("document.querySelector('main').scrollWidth") <= 390, name
    # Ending an offer asks first, without JavaScript.
    phone.goto(f"{live_server}/console/offers")
    phone.click("text=End now…")
    assert "This cannot be undone." in phone.inner_text("main")
    phone.screenshot(path=str(ARTIFACTS / "console-end-offer-390.png"))
    phone.click("text=Yes, end the offer")
    assert "ended." in phone.inner_text("main")
