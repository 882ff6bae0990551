"""/api/v1/scans, /api/v1/wishlist-adds, /api/v1/feedback: event lists per party, shoppers
only as pseudonyms, never an IP address or a user agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qrshop.extensions import db
from qrshop.security import shopper_pseudonym
from qrshop.shopper.models import Scan
from tests.api.engage import token_for, walk
from tests.conftest import MOBILE_SAFARI
from tests.factories import make_retailer, make_shop, make_store, make_tag, make_vendor
from tests.helpers import form_fields, new_phone

DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0 Safari/537.36")
SCAN_KEYS = {"id", "code", "sku", "store", "scanned_at", "is_bot", "is_repeat", "device",
             "shopper"}


def _shopper(first: bool = False) -> str:
    """The shopper id of the newest (or first) scan that has one."""
    order = Scan.id if first else Scan.id.desc()
    return db.session.scalars(db.select(Scan.shopper_id).where(Scan.shopper_id.is_not(None))
                              .order_by(order)).first()


def test_scans_show_device_and_pseudonym_and_never_ip_or_agent(app, client):
    shop = make_shop()
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Boot")
    rival = make_retailer("rival")
    rival_tag = make_tag(rival, make_store(rival, "RIV01"), make_vendor("rivalco"))
    db.session.commit()
    phone = new_phone(app)
    phone.get(f"/t/{shop.tag.code}", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    phone.get(f"/t/{shop.tag.code}")  # a repeat
    phone_shopper = _shopper()
    app.test_client().get(f"/t/{boston.code}", headers={"User-Agent": DESKTOP})
    app.test_client().get(f"/t/{shop.tag.code}", headers={"User-Agent": "Googlebot/2.1"})
    app.test_client().get("/t/ZZZZ2222", headers={"User-Agent": MOBILE_SAFARI})  # orphan
    new_phone(app).get(f"/t/{rival_tag.code}")
    db.session.add(Scan(tag_id=shop.tag.id, listing_id=shop.tag.listing_id,
                        store_id=shop.store.id, retailer_id=shop.retailer.id,
                        shopper_id=None, scanned_at=datetime(2026, 1, 1, tzinfo=UTC),
                        is_bot=False, is_repeat=False))  # before devices were kept
    db.session.commit()
    merch = token_for("merchandiser", retailer_slug="acme")
    response = client.get("/api/v1/scans?limit=100", headers=merch)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "203.0.113.77" not in text and "Mozilla" not in text and "Googlebot" not in text
    items = response.get_json()["items"]
    assert all(set(item) == SCAN_KEYS for item in items)
    assert len(items) == 5  # not the orphan, not the rival's scan
    first, repeat, desktop, bot, old = items
    assert (first["code"], first["sku"], first["store"]) == (shop.tag.code,
                                                             shop.tag.listing.sku, "NYC01")
    assert first["device"] == "phone" and not first["is_bot"] and not first["is_repeat"]
    assert first["shopper"] == shopper_pseudonym(shop.retailer.id, phone_shopper)
    assert first["shopper"] != phone_shopper and repeat["shopper"] == first["shopper"]
    assert repeat["is_repeat"] is True
    assert desktop["device"] == "desktop" and desktop["store"] == "BOS01"
    assert bot["is_bot"] is True and bot["shopper"] is None
    assert old["device"] is None and old["shopper"] is None
    assert first["scanned_at"].endswith("Z")
    only_boston = client.get("/api/v1/scans?store=bos01", headers=merch).get_json()["items"]
    assert [item["id"] for item in only_boston] == [desktop["id"]]
    since = client.get("/api/v1/scans?since=2026-06-01T00:00:00%2B00:00",
                       headers=merch).get_json()["items"]
    assert old["id"] not in [item["id"] for item in since] and len(since) == 4


def test_scans_page_by_id_without_repeats(app, client):
    shop = make_shop()
    for _ in range(5):
        new_phone(app).get(f"/t/{shop.tag.code}")
    merch = token_for("merchandiser", retailer_slug="acme")
    items = walk(client, "/api/v1/scans", merch, limit=2)
    ids = [item["id"] for item in items]
    assert len(ids) == 5 and ids == sorted(set(ids))
    # Scan ids are 64-bit: a cursor past 2**31 is fine, one past 2**63 was never given out.
    assert client.get(f"/api/v1/scans?cursor={2**40}", headers=merch).get_json() == {
        "items": [], "next_cursor": None}
    for query, field in ((f"cursor={2**63}", "cursor"), ("cursor=-1", "cursor"),
                         ("limit=101", "limit"), ("since=yesterday", "since"),
                         ("since=2026-01-01T00:00:00", "since"), ("store=NOPE", "store"),
                         ("colour=red", "colour")):
        response = client.get(f"/api/v1/scans?{query}", headers=merch)
        assert response.status_code == 422, query
        assert field in response.get_json()["message"], (query, response.get_json())


def test_scans_need_a_merchandiser_with_scans_read(client):
    make_shop()
    refused = client.get("/api/v1/scans", headers=token_for("merchandiser", "analytics:read",
                                                            retailer_slug="acme"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    for role, links in (("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"})):
        assert client.get("/api/v1/scans", headers=token_for(role, **links)).status_code == 403


def _save(phone, tag):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    assert phone.post(f"/t/{tag.code}/save",
                      data=form_fields(html, f"/t/{tag.code}/save")).status_code == 303


def test_wishlist_adds_per_retailer_with_pseudonyms(app, client):
    shop = make_shop()
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Boot")
    rival = make_retailer("rival")
    rival_tag = make_tag(rival, make_store(rival, "RIV01"), make_vendor("rivalco"))
    db.session.commit()
    phone = new_phone(app)
    _save(phone, shop.tag)
    _save(phone, boston)
    _save(new_phone(app), shop.tag)
    _save(new_phone(app), rival_tag)
    merch = token_for("merchandiser", retailer_slug="acme")
    items = walk(client, "/api/v1/wishlist-adds", merch, limit=2)
    assert [(item["sku"], item["store"]) for item in items] == [
        (shop.tag.listing.sku, "NYC01"), (boston.listing.sku, "BOS01"),
        (shop.tag.listing.sku, "NYC01")]
    assert items[0]["shopper"] == items[1]["shopper"] != items[2]["shopper"]
    assert items[0]["shopper"] == shopper_pseudonym(shop.retailer.id, _shopper(first=True))
    assert all(item["removed_at"] is None for item in items)
    boston_only = client.get("/api/v1/wishlist-adds?store=BOS01", headers=merch).get_json()
    assert [item["sku"] for item in boston_only["items"]] == [boston.listing.sku]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert client.get(f"/api/v1/wishlist-adds?since={future}",
                      headers=merch).get_json()["items"] == []
    assert client.get("/api/v1/wishlist-adds?store=RIV01", headers=merch).status_code == 422
    no_scope = token_for("merchandiser", "scans:read", retailer_slug="acme")
    assert client.get("/api/v1/wishlist-adds", headers=no_scope).status_code == 403
    vendor = token_for("vendor", vendor_slug="widgetco")
    assert client.get("/api/v1/wishlist-adds", headers=vendor).status_code == 403


def _feedback(phone, tag, **answers):
    html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
    assert phone.post(f"/t/{tag.code}/feedback", data={
        **form_fields(html, f"/t/{tag.code}/feedback"), **answers}).status_code == 303


def test_feedback_for_the_merchandiser_and_the_vendor(app, client):
    shop = make_shop()
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Boot")
    rival = make_retailer("rival")
    rival_tag = make_tag(rival, make_store(rival, "RIV01"), make_vendor("rivalco"))
    db.session.commit()
    _feedback(new_phone(app), shop.tag, rating="5", helpful="yes", comment="Great fit")
    _feedback(new_phone(app), boston, rating="2")
    _feedback(new_phone(app), rival_tag, rating="4", comment="Rival's")
    merch = token_for("merchandiser", retailer_slug="acme")
    items = walk(client, "/api/v1/feedback", merch, limit=1)
    assert [(item["rating"], item["comment"], item["store"]) for item in items] == [
        (5, "Great fit", "NYC01"), (2, "", "BOS01")]
    assert items[0]["is_helpful"] is True and items[0]["sku"] == shop.tag.listing.sku
    assert not {"shopper", "email", "phone"} & set(items[0])
    boston_only = client.get("/api/v1/feedback?store=BOS01", headers=merch).get_json()
    assert [item["rating"] for item in boston_only["items"]] == [2]
    vendor = token_for("vendor", vendor_slug="widgetco")
    seen = client.get("/api/v1/feedback", headers=vendor).get_json()["items"]
    assert [(item["rating"], item["retailer"], item["store"]) for item in seen] == [
        (5, "Acme", None), (2, "Acme", None)]
    assert client.get("/api/v1/feedback?store=NYC01", headers=vendor).status_code == 422
    rival_vendor = token_for("vendor", vendor_slug="rivalco")
    assert [item["comment"] for item in client.get(
        "/api/v1/feedback", headers=rival_vendor).get_json()["items"]] == ["Rival's"]
    no_scope = token_for("vendor", "content:read", vendor_slug="widgetco")
    assert client.get("/api/v1/feedback", headers=no_scope).status_code == 403
    associate = token_for("associate", retailer_slug="acme", store_code="NYC01")
    assert client.get("/api/v1/feedback", headers=associate).status_code == 403
