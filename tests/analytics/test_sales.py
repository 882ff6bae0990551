"""The POS sales feed: POST /api/v1/sales, `qrshop sales import`, the console upload, units
and sales in the listings report, and lift, on hand-made lines with known answers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qrshop.analytics import sales_report
from qrshop.analytics.models import SalesDayRollup, SalesLine
from qrshop.extensions import db
from tests.api.engage import token_for
from tests.factories import csrf_token, login, make_shop, make_user

HEADER = "store,sku,sold_at,quantity,amount_cents,currency,line_id\n"


def _line(sku, line_id, sold_at, quantity=1, amount=4999, store="NYC01", currency="USD"):
    return {"store": store, "sku": sku, "sold_at": sold_at, "quantity": quantity,
            "amount_cents": amount, "currency": currency, "line_id": line_id}


@pytest.fixture
def shop(app):
    """make_shop: NYC01 and BOS01 (both New York time), Trail Widget tagged in NYC01."""
    return make_shop()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_post_sales_answers_each_line_and_a_resend_is_known(client, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    sku = shop.listing.sku
    lines = [
        # 23:30 on 10 November in New York: 11 November in UTC.
        _line(sku, "L1", "2026-11-10T23:30:00-05:00", 2, 9998),
        _line("NOPE", "L2", "2026-11-10T12:00:00-05:00"),
        _line(sku, "L3", "2026-11-10T12:00:00-05:00", store="XXX"),
        _line(sku, "L4", "2026-11-11T09:00:00Z", -1, -4999),  # a return, 04:00 in New York
        _line(sku, "L5", "2026-11-10T12:00:00"),  # no offset
    ]
    answer = client.post("/api/v1/sales", json={"items": lines}, headers=merch)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["succeeded"], body["failed"]) == (2, 3)
    statuses = [(r["index"], r["status"], r.get("error")) for r in body["results"]]
    assert statuses == [(0, 201, None), (1, 422, "unknown_sku"), (2, 422, "unknown_store"),
                        (3, 201, None), (4, 422, "invalid_input")]
    assert body["results"][0]["data"] == {"line_id": "L1", "duplicate": False}
    again = client.post("/api/v1/sales", json={"items": [lines[0], lines[3]]},
                        headers=merch).get_json()
    assert [r["status"] for r in again["results"]] == [200, 200]
    assert again["results"][0]["data"] == {"line_id": "L1", "duplicate": True}
    assert _count(SalesLine) == 2
    rollup = {(row.day.isoformat(), row.units, row.amount_cents)
              for row in db.session.scalars(select(SalesDayRollup))}
    assert rollup == {("2026-11-10", 2, 9998), ("2026-11-11", -1, -4999)}
    day = client.get("/api/v1/analytics/listings?store=NYC01&from=2026-11-10&to=2026-11-10",
                     headers=merch).get_json()["listings"][0]
    assert (day["units_sold"], day["pos_sales_cents"], day["coupon_sales_cents"],
            day["sales_cents"]) == (2, 9998, 0, 0)
    both = client.get("/api/v1/analytics/listings?from=2026-11-10&to=2026-11-11",
                      headers=merch).get_json()["listings"][0]
    assert (both["units_sold"], both["pos_sales_cents"], both["scan_to_sale"]) == (1, 4999, 0)


def test_sales_scope_roles_and_limits(client, shop):
    line = _line(shop.listing.sku, "A", "2026-11-10T12:00:00-05:00")
    read_only = token_for("merchandiser", "analytics:read", retailer_slug="acme")
    assert client.post("/api/v1/sales", json={"items": [line]},
                       headers=read_only).status_code == 403
    associate = token_for("associate", retailer_slug="acme", store_code="NYC01")
    assert client.post("/api/v1/sales", json={"items": [line]},
                       headers=associate).status_code == 403
    merch = token_for("merchandiser", retailer_slug="acme")
    too_many = [dict(line, line_id=f"X{n}") for n in range(1001)]
    refused = client.post("/api/v1/sales", json={"items": too_many}, headers=merch)
    assert refused.status_code == 422 and _count(SalesLine) == 0
    thousand = client.post("/api/v1/sales", json={"items": too_many[:1000]}, headers=merch)
    assert thousand.get_json()["succeeded"] == 1000
    assert db.session.scalar(select(SalesDayRollup.units)) == 1000
    wrong = client.post("/api/v1/sales", json={"items": [
        dict(line, line_id="W", currency="EUR"), dict(line, line_id="Z", quantity=0),
        dict(line, line_id="S", quantity=2, amount_cents=-5)]}, headers=merch).get_json()
    assert [r["error"] for r in wrong["results"]] == ["wrong_currency", "invalid_input",
                                                      "invalid_input"]


def test_cli_import_all_or_nothing_and_resend(runner, shop, tmp_path):
    sku = shop.listing.sku
    good = tmp_path / "sales.csv"
    good.write_text(HEADER + f"NYC01,{sku},2026-11-10T23:30:00-05:00,2,9998,USD,C1\n"
                    f"\nnyc01,{sku},2026-11-11T10:00:00-05:00,-1,-4999,usd,C2\n"
                    f"BOS01,{sku},2026-11-11T10:00:00-05:00,3,14997,USD,C3\n")
    result = runner.invoke(args=["sales", "import", "--retailer", "acme", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported 3 sales lines (0 already known)."
    again = runner.invoke(args=["sales", "import", "--retailer", "acme", str(good)])
    assert again.output.strip() == "Imported 0 sales lines (3 already known)."
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"NYC01,{sku},2026-11-12T10:00:00-05:00,1,4999,USD,D1\n"
                   "NYC01,NOPE,2026-11-12T10:00:00-05:00,1,4999,USD,D2\n"
                   f"MARS,{sku},2026-11-12T10:00:00-05:00,1,4999,USD,D3\n")
    refused = runner.invoke(args=["sales", "import", "--retailer", "acme", str(bad)])
    assert refused.exit_code != 0
    assert "line 3: Unknown SKU 'NOPE'" in refused.output
    assert "line 4: Unknown store 'MARS'" in refused.output
    assert "nothing was imported" in refused.output
    assert _count(SalesLine) == 3
    assert db.session.scalar(select(func.sum(SalesDayRollup.units))) == 4


def test_console_upload_needs_csrf_and_imports(app, shop):
    staff = app.test_client()
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    data = (HEADER + f"NYC01,{shop.listing.sku},2026-11-10T12:00:00-05:00,1,4999,USD,U1\n"
            ).encode()
    no_token = staff.post("/console/sales", data={"file": (io.BytesIO(data), "s.csv")},
                          content_type="multipart/form-data")
    assert no_token.status_code == 400 and _count(SalesLine) == 0
    token = csrf_token(staff, "/console/sales")
    done = staff.post("/console/sales", data={"csrf_token": token,
                                              "file": (io.BytesIO(data), "s.csv")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "Imported 1 sales lines (0 already known)." in done.get_data(as_text=True)
    bad = HEADER + "NYC01,NOPE,2026-11-10T12:00:00-05:00,1,4999,USD,U2\n"
    refused = staff.post("/console/sales", data={"csrf_token": token,
                                                 "file": (io.BytesIO(bad.encode()), "s.csv")},
                         content_type="multipart/form-data")
    assert refused.status_code == 422 and 'data-line="2"' in refused.get_data(as_text=True)
    assert _count(SalesLine) == 1
    shared = staff.post("/console/sales/sharing", data={"csrf_token": token,
                                                        "share_sales_with_vendors": "y"})
    assert shared.status_code == 302
    db.session.refresh(shop.retailer)
    assert shop.retailer.share_sales_with_vendors is True


def _seed_lift(client, shop, merch):
    """Trail Widget's tag at NYC01 first printed 2026-10-15 (10:00 New York). NYC01: 1 unit a
    day 8-14 Oct (one of them sold 23:30 on the 14th, already the 15th in UTC), 2 a day
    15-21 Oct (16 sold, 2 returned). BOS01 (no tag): 1 unit a day 15-21 Oct."""
    sku = shop.listing.sku
    shop.tag.printed_at = datetime(2026, 10, 15, 14, 0, tzinfo=UTC)
    db.session.commit()
    lines = [_line(sku, f"B{day}", f"2026-10-{day:02d}T12:00:00-04:00") for day in range(8, 14)]
    lines.append(_line(sku, "B14", "2026-10-14T23:30:00-04:00"))
    for day in range(15, 22):
        lines.append(_line(sku, f"A{day}", f"2026-10-{day:02d}T12:00:00-04:00", 2, 9998))
        lines.append(_line(sku, f"C{day}", f"2026-10-{day:02d}T12:00:00-04:00", store="BOS01"))
    lines += [_line(sku, "A-extra", "2026-10-16T15:00:00-04:00", 2, 9998),
              _line(sku, "A-return", "2026-10-17T15:00:00-04:00", -2, -9998)]
    body = client.post("/api/v1/sales", json={"items": lines}, headers=merch).get_json()
    assert body["failed"] == 0
    # A resend changes nothing.
    assert client.post("/api/v1/sales", json={"items": lines},
                       headers=merch).get_json()["results"][0]["data"]["duplicate"] is True


def test_lift_known_answers(client, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    _seed_lift(client, shop, merch)
    answer = client.get("/api/v1/analytics/lift?store=NYC01&from=2026-10-01&to=2026-10-31"
                        "&weeks=1", headers=merch)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["store"], body["from"], body["to"], body["weeks"]) == (
        "NYC01", "2026-10-01", "2026-10-31", 1)
    [row] = body["listings"]
    assert row["first_printed_day"] == "2026-10-15"
    assert row["before"] == {"from": "2026-10-08", "to": "2026-10-14", "days": 7, "units": 7,
                             "units_per_day": 1.0}
    assert row["after"] == {"from": "2026-10-15", "to": "2026-10-21", "days": 7,
                            "units": 14, "units_per_day": 2.0}
    assert row["control"] == {"stores": 1, "days": 7, "units": 7, "units_per_day": 1.0}
    assert (row["lift_vs_before"], row["lift_vs_control"]) == (1.0, 1.0)
    assert row["enough_data"] is True and row["reason"] is None
    # Four weeks: NYC01's feed began on 8 October, so only 7 days count before; all 28
    # after (15 October to 11 November) are complete, with 14 units in them.
    four = client.get("/api/v1/analytics/lift?store=NYC01&from=2026-10-01&to=2026-10-31",
                      headers=merch).get_json()["listings"][0]
    assert (four["before"]["days"], four["after"]["days"], four["after"]["units"]) == (
        7, 28, 14)
    assert four["after"]["units_per_day"] == 0.5 and four["lift_vs_before"] == -0.5
    # Nothing printed in the range; a store with no tag has no row.
    assert client.get("/api/v1/analytics/lift?from=2026-11-01&to=2026-11-30",
                      headers=merch).get_json()["listings"] == []
    assert client.get("/api/v1/analytics/lift?store=BOS01&from=2026-10-01&to=2026-10-31",
                      headers=merch).get_json()["listings"] == []
    assert client.get("/api/v1/analytics/lift?weeks=0", headers=merch).status_code == 422
    assert client.get("/api/v1/analytics/lift?store=NOPE", headers=merch).status_code == 404


def test_lift_flags_too_little_data(client, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    _seed_lift(client, shop, merch)
    rows = sales_report.lift_rows(shop.retailer, [shop.store], datetime(2026, 10, 1).date(),
                                  datetime(2026, 10, 31).date(), 1,
                                  now=datetime(2026, 10, 18, 16, 0, tzinfo=UTC))
    [row] = rows
    assert row["after"]["days"] == 3 and row["enough_data"] is False
    assert "only 3 day(s) of sales since the tag was printed" in row["reason"]


def test_vendors_see_units_and_lift_only_when_shared(client, runner, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    _seed_lift(client, shop, merch)
    vendor = token_for("vendor", vendor_slug="widgetco")
    query = "/api/v1/analytics/lift?from=2026-10-01&to=2026-10-31&weeks=1"
    assert client.get(query, headers=vendor).get_json()["listings"] == []
    result = runner.invoke(args=["retailers", "update", "acme",
                                 "--share-sales-with-vendors", "on"])
    assert result.exit_code == 0, result.output
    [row] = client.get(query, headers=vendor).get_json()["listings"]
    assert row["retailer"] == "Acme" and "store" not in row and "listing_id" not in row
    assert (row["before_units"], row["after_units"], row["lift_vs_before"]) == (7, 14, 1.0)
    assert client.get(query + "&store=NYC01", headers=vendor).status_code == 422


def test_lift_and_vendor_pages_show_the_figures(app, client, runner, shop):
    merch = token_for("merchandiser", retailer_slug="acme")
    _seed_lift(client, shop, merch)
    staff = app.test_client()
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    page = staff.get("/console/analytics/lift?from=2026-10-01&to=2026-10-31&weeks=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trail Widget" in html and "+100%" in html and "2.00 (7)" in html
    assert staff.get("/console/analytics/lift?weeks=99").status_code == 422
    assert "Units sold" in staff.get("/console/analytics?from=2026-10-01&to=2026-10-31"
                                     ).get_data(as_text=True)
    vendor = app.test_client()
    login(vendor, make_user("vendor", vendor_slug="widgetco").email)
    assert "not shared" in vendor.get("/vendor/analytics?from=2026-10-01&to=2026-10-31"
                                      ).get_data(as_text=True)
    runner.invoke(args=["retailers", "update", "acme", "--share-sales-with-vendors", "on"])
    shown = vendor.get("/vendor/analytics/lift?from=2026-10-01&to=2026-10-31&weeks=1")
    assert shown.status_code == 200 and "+100%" in shown.get_data(as_text=True)
    assert staff.get("/vendor/analytics/lift").status_code in (302, 403)


def test_numbers_in_other_scripts_or_with_underscores_are_refused(client, shop, runner,
                                                                  tmp_path):
    merch = token_for("merchandiser", retailer_slug="acme")
    line = _line(shop.listing.sku, "N", "2026-11-10T12:00:00-05:00")
    answer = client.post("/api/v1/sales", json={"items": [
        dict(line, line_id="A", quantity="٣"), dict(line, line_id="B", amount_cents="4_999"),
        dict(line, line_id="C", quantity=2, amount_cents=9998)]}, headers=merch).get_json()
    assert [result["status"] for result in answer["results"]] == [422, 422, 201]
    assert "quantity" in answer["results"][0]["message"]
    assert _count(SalesLine) == 1
    # The CSV import reads its numbers as text: ASCII digits only there too.
    csv = tmp_path / "sales.csv"
    csv.write_text("store,sku,sold_at,quantity,amount_cents,currency,line_id\n"
                   f"NYC01,{shop.listing.sku},2026-11-10T12:00:00-05:00,٣,4999,USD,D\n",
                   encoding="utf-8")
    result = runner.invoke(args=["sales", "import", "--retailer", "acme", str(csv)])
    assert result.exit_code != 0 and "quantity must be a whole number" in result.output
    assert _count(SalesLine) == 1
