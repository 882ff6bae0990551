"""The merchandiser dashboard: date ranges (presets, custom, bad input), the comparison with
the previous period, and a table behind every chart."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qrshop.analytics import services
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import login, make_shop, make_user


def _scans(tag, day: date, count: int, hour_utc: int = 15):
    for n in range(count):
        db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                            retailer_id=tag.listing.retailer_id, shopper_id=f"s{day}{n}",
                            scanned_at=datetime.combine(day, datetime.min.time(), UTC)
                            + timedelta(hours=hour_utc, minutes=n),
                            is_bot=False, is_repeat=False))


@pytest.fixture
def dashboard(app, client):
    """Acme's merchandiser logged in; 3 scans on 1-7 Nov 2026, 6 on 8-14 Nov (NYC01)."""
    shop = make_shop()
    _scans(shop.tag, date(2026, 11, 2), 1)
    _scans(shop.tag, date(2026, 11, 5), 2)
    _scans(shop.tag, date(2026, 11, 9), 4)
    _scans(shop.tag, date(2026, 11, 14), 2, hour_utc=20)
    db.session.commit()
    make_user("merchandiser", "merch@acme.test", retailer_slug="acme")
    login(client, "merch@acme.test")
    return shop


def test_previous_window_has_the_same_length_just_before():
    window = services.Window(date(2026, 11, 8), date(2026, 11, 14))
    assert services.previous_window(window) == services.Window(date(2026, 11, 1),
                                                               date(2026, 11, 7))
    month = services.Window(date(2026, 3, 1), date(2026, 3, 31))
    assert services.previous_window(month) == services.Window(date(2026, 1, 29),
                                                              date(2026, 2, 28))


def test_the_dashboard_compares_with_the_previous_period(dashboard, client):
    html = client.get("/console/analytics?from=2026-11-08&to=2026-11-14").get_data(as_text=True)
    kpi = html.split('data-kpi="scans"')[1].split("</div>")[0]
    assert ">6<" in kpi and "+100% vs previous 7 days" in kpi and "3 before" in kpi
    # The day chart's table pairs each day with the same weekday of the week before.
    table = html.split("<caption>Counted scans per day")[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', table)
    assert ("Mon 9 Nov 2026", "4", "1") in rows
    assert ("Sat 14 Nov 2026", "2", "0") in rows and ("Thu 12 Nov 2026", "0", "2") in rows
    assert len(rows) == 7
    # Hour chart: 9 Nov 15:00 UTC is 10:00 in New York.
    hours = html.split("<caption>Counted scans by local hour")[1].split("</table>")[0]
    assert re.search(r"10:00 to 10:59</th><td>4</td><td>3</td>", hours)


def test_every_chart_has_a_table_with_a_caption(dashboard, client):
    html = client.get("/console/analytics?days=30").get_data(as_text=True)
    charts = re.findall(r'<figure class="chart">(.*?)</figure>', html, flags=re.S)
    assert len(charts) == 2
    for chart in charts:
        assert '<svg class="bars"' in chart and "<title>" in chart and 'tabindex="0"' in chart
        assert re.search(r"<table>\s*<caption>[^<]+</caption>", chart)
    assert "<script" not in html.split("<main")[1]


@pytest.mark.parametrize("days", [7, 30, 90])
def test_presets_end_today(dashboard, client, days):
    today = utcnow().astimezone(ZoneInfo("America/New_York")).date()
    response = client.get(f"/console/analytics?days={days}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = today - timedelta(days=days - 1)
    assert f'name="from" value="{start.isoformat()}"' in html
    assert f'name="to" value="{today.isoformat()}"' in html
    assert re.search(rf'days={days}"[^>]*aria-current="true"', html)
    assert f"previous {days} days" in html.split("data-comparison>")[1].split("<")[0]


def test_a_custom_range_is_kept(dashboard, client):
    html = client.get("/console/analytics?from=2026-11-01&to=2026-11-14").get_data(as_text=True)
    assert 'name="from" value="2026-11-01"' in html and "(14 days)" in html
    assert "aria-current" not in html.split('aria-label="Date range presets"')[1].split("</nav>")[0]


@pytest.mark.parametrize("query", [
    "days=8", "days=abc", "days=7&from=2026-11-01", "from=2026-13-45", "from=yesterday",
    "from=2026-11-14&to=2026-11-01", "from=2024-01-01&to=2026-01-01", "to=99999-01-01",
])
def test_nonsense_ranges_are_a_422_not_a_500(dashboard, client, query):
    # InvalidInput's status, as everywhere in qrshop: the request was understood, not valid.
    response = client.get(f"/console/analytics?{query}")
    assert response.status_code == 422
    assert client.get(f"/console/analytics/days.csv?{query}").status_code == 422


def test_the_csv_follows_a_preset(dashboard, client):
    response = client.get("/console/analytics/days.csv?days=7")
    assert response.status_code == 200
    assert len(response.get_data(as_text=True).strip().splitlines()) == 8
