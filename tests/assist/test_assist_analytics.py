"""The figures of requests and holds per store (/console/assist/analytics and
GET /api/v1/analytics/assist) on hand-made rows with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qrshop.assist.models import AssistRequest, Hold
from qrshop.extensions import db
from qrshop.shopper.models import Shopper
from tests.api.engage import token_for
from tests.factories import login, make_shop, make_tag, make_user

NOV10 = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York (both stores)


def _shopper(shop, n: int) -> str:
    shopper_id = f"shopper{n:02d}"
    db.session.add(Shopper(id=shopper_id, retailer_id=shop.retailer.id,
                           created_at=NOV10 - timedelta(days=30)))
    db.session.flush()  # before the row that refers to it
    return shopper_id


def _request(shop, n, created, claim_after=None, close_after=None):
    db.session.add(AssistRequest(
        token=f"r{n}", retailer_id=shop.retailer.id, store_id=shop.store.id,
        listing_id=shop.listing.id, tag_code=shop.tag.code, shopper_id=_shopper(shop, n),
        message="Blue?", size="", reply="come", spot="", status="closed" if close_after
        else ("claimed" if claim_after else "open"), claimed_by_name="",
        claimed_at=created + timedelta(seconds=claim_after) if claim_after else None,
        closed_at=created + timedelta(seconds=close_after) if close_after else None,
        answer="", created_at=created, updated_at=created))


def _hold(shop, n, status, *, store=None, listing=None, ready=False, created=NOV10):
    db.session.add(Hold(
        token=f"h{n}", retailer_id=shop.retailer.id, store_id=(store or shop.store).id,
        listing_id=(listing or shop.listing).id, tag_code=shop.tag.code,
        shopper_id=_shopper(shop, n), name="Ana", phone="+14155550123", size="",
        consent_text="I agree", consented_at=created, locale="en", status=status,
        expires_at=created + timedelta(hours=24), ready_by_name="", closed_by_name="",
        ready_at=created + timedelta(hours=1) if ready else None,
        created_at=created, updated_at=created))


def _seed(client, shop):
    other = make_tag(shop.retailer, shop.store, shop.vendor, name="Other thing")
    _request(shop, 1, NOV10, 60, 600)
    _request(shop, 2, NOV10 + timedelta(hours=1), 180, 300)
    _request(shop, 3, NOV10 + timedelta(hours=2), 120)
    _request(shop, 4, datetime(2026, 11, 11, 3, 0, tzinfo=UTC))  # 22:00 on the 10th in NY
    _request(shop, 5, datetime(2026, 11, 11, 6, 0, tzinfo=UTC))  # 01:00 on the 11th in NY
    _hold(shop, 11, "collected", ready=True)
    _hold(shop, 12, "expired")
    _hold(shop, 13, "cancelled", ready=True)
    _hold(shop, 14, "placed", listing=other.listing)
    _hold(shop, 15, "ready", store=shop.other_store, ready=True)
    db.session.commit()
    merch = token_for("merchandiser", retailer_slug=shop.retailer.slug)
    sku = shop.listing.sku
    lines = [{"store": "NYC01", "sku": sku, "sold_at": "2026-11-10T12:00:00-05:00",
              "quantity": 2, "amount_cents": 9998, "currency": "USD", "line_id": "L1"},
             {"store": "NYC01", "sku": sku, "sold_at": "2026-11-11T12:00:00-05:00",
              "quantity": 5, "amount_cents": 24995, "currency": "USD", "line_id": "L2"}]
    assert client.post("/api/v1/sales", json={"items": lines},
                       headers=merch).get_json()["succeeded"] == 2
    return merch


def test_the_figures_per_store_have_known_answers(app, client):
    shop = make_shop()
    merch = _seed(client, shop)
    answer = client.get("/api/v1/analytics/assist?from=2026-11-10&to=2026-11-10",
                        headers=merch)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["from"], body["to"]) == ("2026-11-10", "2026-11-10")
    nyc, bos = sorted(body["stores"], key=lambda row: row["store"], reverse=True)
    assert nyc == {
        "store": "NYC01", "name": nyc["name"], "requests": 4, "requests_claimed": 3,
        "median_seconds_to_claim": 120, "requests_closed": 2, "median_seconds_to_close": 450,
        "requests_sold_same_day": 4, "requested_units_sold": 2,
        "holds_placed": 4, "holds_ready": 2, "holds_collected": 1, "holds_expired": 1,
        "holds_cancelled": 1, "holds_sold_same_day": 3, "held_units_sold": 2}
    # BOS01 has no sales feed: its sales figures are unknown, not zero.
    assert (bos["store"], bos["requests"], bos["holds_placed"], bos["holds_ready"]) == (
        "BOS01", 0, 1, 1)
    assert bos["held_units_sold"] is None and bos["median_seconds_to_claim"] is None
    # The 11th: request 5 and 5 units sold.
    next_day = client.get("/api/v1/analytics/assist?from=2026-11-11&to=2026-11-11",
                          headers=merch).get_json()["stores"]
    nyc = next(row for row in next_day if row["store"] == "NYC01")
    assert (nyc["requests"], nyc["requested_units_sold"], nyc["holds_placed"]) == (1, 5, 0)


def test_who_may_read_the_figures(app, client):
    shop = make_shop()
    _seed(client, shop)
    associate = token_for("associate", retailer_slug=shop.retailer.slug,
                          store_code=shop.other_store.code)
    rows = client.get("/api/v1/analytics/assist?from=2026-11-10&to=2026-11-10",
                      headers=associate).get_json()["stores"]
    assert [row["store"] for row in rows] == ["BOS01"]
    vendor = token_for("vendor", vendor_slug=shop.vendor.slug)
    assert client.get("/api/v1/analytics/assist", headers=vendor).status_code == 403
    bad = client.get("/api/v1/analytics/assist?from=2026-11-12&to=2026-11-10",
                     headers=associate)
    assert 400 <= bad.status_code < 500 and "error" in bad.get_json()


def test_the_console_page_shows_the_figures(app, client):
    shop = make_shop()
    _seed(client, shop)
    make_user("merchandiser", "merch@example.com", retailer_slug=shop.retailer.slug)
    login(client, "merch@example.com")
    html = client.get("/console/assist/analytics?from=2026-11-10&to=2026-11-10").get_data(
        as_text=True)
    row = html.split('data-store="NYC01"', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split("<", 1)[0] for cell in row.split("<td>")[1:]]
    assert cells == ["4", "2.0", "7.5", "4 (2)", "4", "2", "1", "1", "1", "3 (2)"]
    bos = html.split('data-store="BOS01"', 1)[1].split("</tr>", 1)[0]
    assert "—" in bos
    assert client.get("/console/assist/analytics?from=nope").status_code == 400
    make_user("associate", "assoc@example.com", retailer_slug=shop.retailer.slug,
              store_code=shop.store.code)
    other = app.test_client()
    login(other, "assoc@example.com")
    assert other.get("/console/assist/analytics").status_code == 403
