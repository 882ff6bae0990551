"""/api/v1/analytics/stores|days|hours and ?group_by=: the console dashboard's figures, to the
scan, for the same stores and local dates (the scans of tests/analytics/test_analytics.py)."""

from __future__ import annotations

import csv
import io

from qrshop.extensions import db
from tests.analytics.test_analytics import shop  # noqa: F401  (the fixture)
from tests.api.engage import token_for
from tests.factories import login, make_retailer, make_store, make_user

RANGE = "from=2026-11-01&to=2026-11-30"


def _csv(client, table: str, query: str) -> list[dict]:
    response = client.get(f"/console/analytics/{table}.csv?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _console(app):
    staff = app.test_client()
    login(staff, make_user("merchandiser", retailer_slug="acme").email)
    return staff


def test_the_reports_agree_with_the_console(app, client, shop):  # noqa: F811
    merch = token_for("merchandiser", retailer_slug="acme")
    staff = _console(app)
    for query in (RANGE, RANGE + "&store=nyc01", "from=2026-11-09&to=2026-11-10&store=LAX01"):
        stores = client.get(f"/api/v1/analytics/stores?{query}", headers=merch).get_json()
        assert [{key: str(value) for key, value in row.items()} for row in stores["stores"]] \
            == _csv(staff, "stores", query)
        days = client.get(f"/api/v1/analytics/days?{query}", headers=merch).get_json()
        assert [{"date": row["date"], "scans": str(row["scans"])} for row in days["days"]] \
            == _csv(staff, "days", query)
        hours = client.get(f"/api/v1/analytics/hours?{query}", headers=merch).get_json()
        assert [{"hour": str(row["hour"]), "scans": str(row["scans"])}
                for row in hours["hours"]] == _csv(staff, "hours", query)
        assert len(hours["hours"]) == 24
    nyc = client.get(f"/api/v1/analytics/stores?{RANGE}", headers=merch).get_json()
    assert nyc["from"] == "2026-11-01" and nyc["to"] == "2026-11-30" and nyc["store"] is None
    assert {row["store"]: row["scans"] for row in nyc["stores"]} == {
        "BOS01": 1, "LAX01": 1, "NYC01": 4}


def test_group_by_answers_the_rows_of_each_report(client, shop):  # noqa: F811
    merch = token_for("merchandiser", retailer_slug="acme")
    for group, path, key in (("listing", "listings", "listings"), ("store", "stores", "stores"),
                             ("day", "days", "days"), ("hour", "hours", "hours")):
        grouped = client.get(f"/api/v1/analytics?group_by={group}&{RANGE}&store=NYC01",
                             headers=merch)
        assert grouped.status_code == 200
        body = grouped.get_json()
        alone = client.get(f"/api/v1/analytics/{path}?{RANGE}&store=NYC01",
                           headers=merch).get_json()
        assert body["group_by"] == group and body["rows"] == alone[key]
        assert (body["from"], body["to"], body["store"]) == ("2026-11-01", "2026-11-30",
                                                             "NYC01")
    listing = client.get(f"/api/v1/analytics?group_by=listing&{RANGE}&store=NYC01",
                         headers=merch).get_json()["rows"]
    jacket = next(row for row in listing if row["product"] == "Trail Widget")
    assert (jacket["scans"], jacket["repeat_scans"], jacket["unique_shoppers"]) == (3, 1, 2)


def test_bad_input_and_boundaries(client, shop):  # noqa: F811
    merch = token_for("merchandiser", retailer_slug="acme")
    for query, field in (("group_by=week", "group_by"), ("", "group_by"),
                         ("group_by=day&from=nope", "from"),
                         ("group_by=day&to=9999-12-31", "between"),
                         ("group_by=day&from=2026-11-10&to=2026-11-01", "after the end"),
                         ("group_by=day&fro=2026-11-01", "fro")):
        response = client.get(f"/api/v1/analytics?{query}", headers=merch)
        assert response.status_code == 422, query
        assert field in response.get_json()["message"], response.get_json()
    assert client.get("/api/v1/analytics/days?store=NOPE", headers=merch).status_code == 404
    rival = make_retailer("rival")
    make_store(rival, "RIV01")
    db.session.commit()
    theirs = token_for("merchandiser", retailer_slug="rival")
    assert client.get("/api/v1/analytics/stores?store=NYC01", headers=theirs).status_code == 404
    stores = client.get(f"/api/v1/analytics/stores?{RANGE}", headers=theirs).get_json()
    assert [row["store"] for row in stores["stores"]] == ["RIV01"]
    assert all(row["scans"] == 0 for row in client.get(
        f"/api/v1/analytics/days?{RANGE}", headers=theirs).get_json()["days"])


def test_associates_see_their_store_and_scopes_and_roles_hold(client, shop):  # noqa: F811
    associate = token_for("associate", retailer_slug="acme", store_code="BOS01")
    stores = client.get(f"/api/v1/analytics/stores?{RANGE}", headers=associate).get_json()
    assert [row["store"] for row in stores["stores"]] == ["BOS01"]
    days = client.get(f"/api/v1/analytics/days?{RANGE}", headers=associate).get_json()
    assert sum(row["scans"] for row in days["days"]) == 1
    assert client.get(f"/api/v1/analytics/hours?{RANGE}&store=NYC01",
                      headers=associate).status_code == 404
    no_scope = token_for("merchandiser", "scans:read", retailer_slug="acme")
    refused = client.get("/api/v1/analytics?group_by=day", headers=no_scope)
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    vendor = token_for("vendor", vendor_slug="widgetco")
    assert client.get("/api/v1/analytics/stores", headers=vendor).status_code == 403
