"""/console/offers: 50 offers a page, search by title, item name or SKU; ending one asks."""

from __future__ import annotations

import re
from datetime import timedelta

from qrshop.catalog.models import Listing
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import Offer
from qrshop.offers.services import create_offer
from tests.factories import csrf_token, login, make_many_listings, make_shop, make_user
from tests.helpers import form_fields, make_offer, new_phone


def _merchandiser(app):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    return staff


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-offer="(\d+)"', html)


def _many_offers(retailer, count: int) -> None:
    now = utcnow()
    for n in range(count):
        create_offer(retailer, title=f"Weekly deal {n + 1:03d}", kind="percent", percent_off=10,
                     starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3))
    db.session.commit()


def test_offers_come_50_a_page_newest_first_with_page_links(app):
    retailer = make_shop().retailer
    _many_offers(retailer, 120)
    staff = _merchandiser(app)
    first = staff.get("/console/offers").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "Offers 1–50 of 120." in first
    assert first.index("Weekly deal 120") < first.index("Weekly deal 119")
    assert 'href="/console/offers?page=2"' in first and "Page 1 of 3" in first
    last = staff.get("/console/offers?page=3").get_data(as_text=True)
    assert len(_rows(last)) == 20 and "Weekly deal 001" in last
    assert 'href="/console/offers?page=2"' in last and 'rel="next"' not in last
    # The new-offer form is still there on every page.
    assert 'action="/console/offers"' in last


def test_offers_are_found_by_title_item_name_or_sku(app):
    shop = make_shop()
    _many_offers(shop.retailer, 60)
    listing = db.session.get(Listing, shop.tag.listing_id)
    scoped = make_offer(shop.retailer, title="Widget days", listing=listing)
    staff = _merchandiser(app)
    assert _rows(staff.get("/console/offers?q=WIDGET DAYS").get_data(as_text=True)) == [
        str(scoped.id)]
    assert _rows(staff.get("/console/offers?q=trail").get_data(as_text=True)) == [
        str(scoped.id)]
    assert _rows(staff.get(f"/console/offers?q={listing.sku}").get_data(as_text=True)) == [
        str(scoped.id)]
    weekly = staff.get("/console/offers?q=weekly&page=2").get_data(as_text=True)
    assert "Offers 51–60 of 60 matching “weekly”." in weekly
    none = staff.get("/console/offers?q=nothing like it").get_data(as_text=True)
    assert _rows(none) == [] and "No offers match “nothing like it”." in none


def test_no_offers_yet_says_what_to_do(app):
    make_shop()
    html = _merchandiser(app).get("/console/offers").get_data(as_text=True)
    assert "No offers yet. Create one with the form below" in html


def test_ending_an_offer_asks_first_and_ends_only_when_confirmed(app):
    shop = make_shop()
    offer = make_offer(shop.retailer, title="Flash sale")
    staff = _merchandiser(app)
    action = f"/console/offers/{offer.id}/end"
    fields = form_fields(staff.get("/console/offers").get_data(as_text=True), action)
    asked = staff.post(action, data=fields)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "End offer “Flash sale” now? This cannot be undone." in page
    assert "Flash sale" in new_phone(app).get(f"/t/{shop.tag.code}").get_data(as_text=True)
    by_link = staff.get(action)  # the question also works as a plain link
    assert by_link.status_code == 200 and "This cannot be undone." in by_link.get_data(
        as_text=True)
    confirm = form_fields(page, action)
    assert confirm["confirm"] == "yes"
    done = staff.post(action, data=confirm)
    assert done.status_code == 303
    assert "Flash sale" not in new_phone(app).get(f"/t/{shop.tag.code}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).ends_at <= utcnow()


def test_only_the_retailers_merchandisers_see_the_end_question(app):
    retailer = make_shop().retailer
    offer = make_offer(retailer)
    associate = new_phone(app)
    login(associate, make_user("associate", retailer_slug="acme", store_code="NYC01").email)
    assert associate.get(f"/console/offers/{offer.id}/end").status_code == 403
    from tests.factories import make_retailer, make_store
    rival = make_retailer("rival")
    make_store(rival, "RIV01")
    db.session.commit()
    other = new_phone(app)
    login(other, make_user("merchandiser", retailer_slug="rival").email)
    assert other.get(f"/console/offers/{offer.id}/end").status_code == 404
    assert other.post(f"/console/offers/{offer.id}/end", data={
        "csrf_token": csrf_token(other, "/console/offers")}).status_code == 404


def _new_offer(staff, **values):
    data = {"csrf_token": csrf_token(staff, "/console/offers"), "title": "Big sale",
            "kind": "percent", "percent_off": "20", "amount_off": "", "perk_text": "",
            "listing": "", "listing_sku": "", "store": "", "starts_at": "2026-01-01T09:00",
            "ends_at": "2036-01-01T09:00", "total_limit": "", "per_shopper_limit": "1",
            "coupon_valid_days": "7", "terms": ""}
    return staff.post("/console/offers", data={**data, **values})


def test_a_large_catalogue_types_the_sku_instead_of_a_list_of_every_item(app):
    shop = make_shop()
    make_many_listings(shop.retailer, shop.vendor, 250)
    staff = _merchandiser(app)
    html = staff.get("/console/offers").get_data(as_text=True)
    assert 'name="listing_sku"' in html and 'name="listing"' not in html
    assert html.count("<option") < 20  # the offer types and the stores, not 251 items
    listing = db.session.get(Listing, shop.tag.listing_id)
    assert _new_offer(staff, listing_sku=listing.sku.lower()).status_code == 303
    assert _new_offer(staff, title="By id", listing=str(listing.id)).status_code == 303
    refused = _new_offer(staff, title="Nowhere", listing_sku="NO-SUCH-SKU")
    assert refused.status_code == 422 and "No item has the SKU" in refused.get_data(
        as_text=True)
    db.session.expire_all()
    titles = {offer.title: offer.listing_id for offer in db.session.query(Offer)}
    assert titles == {"Big sale": listing.id, "By id": listing.id}
