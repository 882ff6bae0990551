"""`qrshop demo` seeds 90 days of POS sales once: the lift report shows tagged items selling
more, the dashboard shows units sold and scan-to-sale, and a second run adds nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from qrshop.analytics.models import SalesDayRollup, SalesLine
from qrshop.demo_sales import NEW_TAGS
from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from tests.api.engage import token_for
from tests.factories import login


def _feed() -> tuple[int, int, int]:
    """(lines, units in the lines, units in the rollup)."""
    return (db.session.scalar(select(func.count()).select_from(SalesLine)),
            db.session.scalar(select(func.sum(SalesLine.quantity))),
            db.session.scalar(select(func.sum(SalesDayRollup.units))))


def test_demo_sales_show_a_lift_on_newly_tagged_items_once(runner, client):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    lines, units, rolled_up = _feed()
    assert lines > 2000 and units == rolled_up  # the rollup holds every line
    # Returns are negative lines; every redeemed coupon is a till line of its own.
    assert db.session.scalar(select(func.count()).select_from(SalesLine)
                             .where(SalesLine.quantity < 0)) > 20
    redeemed = db.session.scalar(select(func.count()).select_from(CouponClaim)
                                 .where(CouponClaim.redeemed_at.is_not(None)))
    assert db.session.scalar(select(func.count()).select_from(SalesLine)
                             .where(SalesLine.line_id.like("DEMO-COUPON-%"))) == redeemed
    assert set(db.session.scalars(select(SalesLine.currency).distinct())) == {"USD"}

    merch = token_for("merchandiser", retailer_slug="fashiontown")
    body = client.get("/api/v1/analytics/lift", headers=merch).get_json()
    rows = {row["sku"]: row for row in body["listings"]}
    assert set(rows) == set(NEW_TAGS)
    lifted = [row for row in rows.values() if row["enough_data"]]
    assert len(lifted) == 3
    for row in lifted:
        assert row["store"] == "ATL01" and row["before"]["days"] == row["after"]["days"] == 28
        assert row["control"]["stores"] == 1 and row["control"]["days"] == 28
        assert row["lift_vs_before"] > 0 and row["lift_vs_control"] > 0
    # The tag printed days ago is flagged: too little data to tell yet.
    recent = rows["FT-LU-2007"]
    assert recent["enough_data"] is False and "since the tag was printed" in recent["reason"]

    # Running the demo again stores nothing twice.
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    assert _feed() == (lines, units, rolled_up)


def test_demo_lift_page_and_dashboard_show_sales(runner, client, app):
    runner.invoke(args=["demo", "--no-serve"])
    password = json.loads((Path(app.instance_path) / "demo-logins.json").read_text())
    login(client, "merchandiser@demo.qrshop.test", password["merchandiser@demo.qrshop.test"])
    lift = client.get("/console/analytics/lift").get_data(as_text=True)
    vest = lift.split("Summit Down Vest")[1].split("</tr>")[0]
    # The lift reads green, with its column's name for the phone's one-card-per-row layout.
    assert re.search(r'<td data-label="Lift vs before" class="delta up">\+\d+%</td>', vest)
    assert '<td data-label="Enough data?">yes</td>' in vest
    html = client.get("/console/analytics?days=30").get_data(as_text=True)
    table = html.split("<h2>Per listing")[1].split("</tbody>")[0].split("<tbody>")[1]
    units = [int(cells[9]) for cells in
             (re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in table.split("<tr>")[1:])]
    assert len(units) == 15 and all(count > 0 for count in units)
    kpi = html.split('data-kpi="units"')[1].split("</div>")[0]
    assert f"<strong>{sum(units):,}</strong>" in kpi and "per counted scan" in kpi
