"""/console/items: 50 items a page, search by name or SKU, an empty state, and sending an
alert asks first."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select

from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from tests.factories import (
    csrf_token,
    login,
    make_many_listings,
    make_retailer,
    make_shop,
    make_user,
)
from tests.helpers import form_fields, new_phone


def _merchandiser(app, retailer_slug="acme"):
    staff = new_phone(app)
    login(staff, make_user("merchandiser", retailer_slug=retailer_slug).email)
    return staff


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-listing="(\d+)"', html)


def _statements_during(app, call):
    """How many SQL statements call() runs."""
    count = 0

    def counted(*_):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return result, count


def test_items_come_50_a_page_with_page_links_and_stay_cheap_with_thousands(app):
    shop = make_shop()
    make_many_listings(shop.retailer, shop.vendor, 3000)
    staff = _merchandiser(app)
    first, statements = _statements_during(app, lambda: staff.get("/console/items"))
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and len(_rows(html)) == 50
    assert "Items 1–50 of 3001." in html
    assert "Page 1 of 61" in html and 'href="/console/items?page=2"' in html
    assert statements < 15  # a count and one page, never a query per row
    last = staff.get("/console/items?page=61").get_data(as_text=True)
    assert len(_rows(last)) == 1 and "Trail Widget" in last and 'rel="next"' not in last
    assert "Page 61 of 61" in staff.get("/console/items?page=999").get_data(as_text=True)
    assert "Page 1 of 61" in staff.get("/console/items?page=abc").get_data(as_text=True)


def test_items_are_found_by_product_name_or_sku(app):
    shop = make_shop()
    make_many_listings(shop.retailer, shop.vendor, 120)
    staff = _merchandiser(app)
    by_name = staff.get("/console/items?q=trail widget").get_data(as_text=True)
    assert _rows(by_name) == [str(shop.tag.listing_id)]
    sku = db.session.get(type(shop.listing), shop.tag.listing_id).sku
    assert _rows(staff.get(f"/console/items?q={sku.lower()}").get_data(as_text=True)) == [
        str(shop.tag.listing_id)]
    many = staff.get("/console/items?q=item 00&page=2").get_data(as_text=True)
    assert "Items 51–99 of 99 matching “item 00”." in many
    assert 'href="/console/items?q=item+00&amp;page=1"' in many
    none = staff.get("/console/items?q=50%25_off").get_data(as_text=True)
    assert _rows(none) == [] and "No items match “50%_off”." in none


def test_no_items_yet_points_to_the_catalogue_page(app):
    make_retailer("fresh")
    db.session.commit()
    html = _merchandiser(app, "fresh").get("/console/items").get_data(as_text=True)
    assert "No items yet" in html and 'href="/console/listings"' in html
    assert "Carry products from your vendors or import a CSV" in html


def _subscribed_shop(app, client):
    tag = make_shop().tag
    html = client.get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    client.post(f"/t/{tag.code}/alerts", data={
        **form_fields(html, f"/t/{tag.code}/alerts"), "topics": ["back_in_stock"],
        "consent": "yes", "phone": "+14155550123"})
    # The SMS double opt-in: the subscriber taps the link in the text.
    text = db.session.scalar(select(OutboxMessage.body))
    client.post(re.search(r"https?://[^/\s]+(/alerts/confirm/\S+)", text).group(1))
    return tag


def _queued() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_sending_an_alert_asks_first_and_sends_only_when_confirmed(app, client):
    tag = _subscribed_shop(app, client)
    staff = _merchandiser(app)
    before = _queued()
    action = f"/console/items/{tag.listing_id}/alert"
    fields = form_fields(staff.get("/console/items").get_data(as_text=True), action)
    asked = staff.post(action, data={**fields, "topic": "back_in_stock", "note": "Size M"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and _queued() == before
    assert "Send the back in stock alert about Trail Widget to 1 subscriber(s)?" in page
    assert "cannot be called back" in page and "Back in stock: Trail Widget at Acme" in page
    confirm = form_fields(page, action)
    assert confirm["confirm"] == "yes" and confirm["topic"] == "back_in_stock"
    assert confirm["note"] == "Size M"
    done = staff.post(action, data=confirm, follow_redirects=True).get_data(as_text=True)
    assert "queued for 1 subscriber(s)" in done and _queued() == before + 1


def test_a_bad_alert_is_refused_before_the_question(app, client):
    tag = _subscribed_shop(app, client)
    staff = _merchandiser(app)
    action = f"/console/items/{tag.listing_id}/alert"
    fields = form_fields(staff.get("/console/items").get_data(as_text=True), action)
    answer = staff.post(action, data={**fields, "topic": "gossip"}, follow_redirects=True)
    assert "Choose price drop, back in stock or sale." in answer.get_data(as_text=True)
    rival = _merchandiser_of_rival(app)
    token = csrf_token(rival, "/console/offers")
    for confirm in ("", "yes"):  # another retailer's item: not found, asked or not
        assert rival.post(action, data={"topic": "sale", "confirm": confirm,
                                        "csrf_token": token}).status_code == 404


def _merchandiser_of_rival(app):
    make_retailer("rival")
    db.session.commit()
    return _merchandiser(app, "rival")
