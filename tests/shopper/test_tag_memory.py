"""The scanner keeps what a tag shows for a second, then reads it again.

A changed page, a new or ended offer and a retired tag show (and are counted as such) at
most LANDING_DATA_MAX_AGE_SECONDS after the change, whoever made it. The scanner's clock
is a fake one here: the tests move it on instead of sleeping.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from qrshop.catalog.models import Listing
from qrshop.catalog.services import set_price
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import Offer
from qrshop.shopper.models import Scan
from qrshop.tags.services import retire_tag
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_shop
from tests.helpers import make_offer
from tests.shopper.helpers import freeze_scan_clock


def _page(app, url: str):
    return app.test_client().get(url, headers={"User-Agent": MOBILE_SAFARI})


def _served(app) -> int:
    return app.extensions["qrshop.scan_fast_path"].served


def test_a_price_change_shows_once_the_kept_page_is_a_second_old(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    clock = freeze_scan_clock(app, max_age=1.0)
    assert "$49.99" in _page(app, url).get_data(as_text=True)  # read and rendered

    set_price(db.session.get(Listing, tag.listing_id), 3999)
    db.session.commit()
    clock.advance(0.9)
    served = _served(app)
    assert "$49.99" in _page(app, url).get_data(as_text=True)  # kept, 0.9 s old
    assert _served(app) == served + 1
    clock.advance(0.1)

    page = _page(app, url).get_data(as_text=True)
    assert "$39.99" in page and "$49.99" not in page


def test_a_retired_tag_is_counted_live_for_at_most_a_second(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    clock = freeze_scan_clock(app, max_age=1.0)
    _page(app, url)
    retire_tag(tag)
    db.session.commit()

    assert _page(app, url).status_code == 200  # kept: still live for this process
    clock.advance(1.0)
    assert _page(app, url).status_code == 410
    # Every scan is stored once, of the tag (retired or not).
    assert [scan.tag_id for scan in db.session.scalars(select(Scan))] == [tag.id] * 3


def test_a_new_offer_shows_to_a_new_shopper_after_a_second(app):
    shop = make_shop()
    url = f"/t/{shop.tag.code}"
    clock = freeze_scan_clock(app, max_age=1.0)
    assert "Get coupon" not in _page(app, url).get_data(as_text=True)

    make_offer(shop.retailer, title="Rainy day deal")
    assert "Rainy day deal" not in _page(app, url).get_data(as_text=True)
    clock.advance(1.0)

    assert "Rainy day deal" in _page(app, url).get_data(as_text=True)


def test_an_ended_offer_disappears_after_a_second(app):
    shop = make_shop()
    offer = make_offer(shop.retailer, title="Flash deal")
    url = f"/t/{shop.tag.code}"
    clock = freeze_scan_clock(app, max_age=1.0)
    assert "Flash deal" in _page(app, url).get_data(as_text=True)

    db.session.execute(update(Offer).where(Offer.id == offer.id)
                       .values(ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert "Flash deal" in _page(app, url).get_data(as_text=True)
    clock.advance(1.0)

    assert "Flash deal" not in _page(app, url).get_data(as_text=True)


def test_a_returning_shoppers_own_state_is_never_kept(app):
    tag = make_shop().tag
    url = f"/t/{tag.code}"
    freeze_scan_clock(app, max_age=60.0)
    phone = app.test_client()
    phone.get(url, headers={"User-Agent": MOBILE_SAFARI})
    page = phone.get(url, headers={"User-Agent": MOBILE_SAFARI}).get_data(as_text=True)
    assert "♡ Save" in page

    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    phone.post(f"{url}/save", data={"csrf_token": token}, headers={"User-Agent": MOBILE_SAFARI})

    assert "♥ Saved" in phone.get(url, headers={"User-Agent": MOBILE_SAFARI}).get_data(
        as_text=True)
