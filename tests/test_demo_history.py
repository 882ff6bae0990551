"""`qrshop demo` seeds 90 days of history once, so every chart has something to show."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from qrshop.analytics.models import ScanDayRollup
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.models import CouponClaim
from qrshop.shopper.models import Scan
from qrshop.wishlist.models import WishlistItem
from tests.factories import login


def test_demo_seeds_90_days_of_rhythmic_history_once(runner):
    started = time.monotonic()
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    seconds = time.monotonic() - started
    zone = ZoneInfo("America/New_York")
    scans = db.session.execute(select(Scan.scanned_at, Scan.store_id)).all()
    days = {at.astimezone(zone).date() for at, _ in scans}
    today = utcnow().astimezone(zone).date()
    assert min(days) <= today - timedelta(days=89) and len(days) >= 88
    assert all(at <= utcnow() for at, _ in scans)
    # Weekly rhythm: weekend days busier than weekdays; daily: afternoons busier than mornings.
    weekdays = Counter(at.astimezone(zone).weekday() for at, _ in scans)
    assert weekdays[5] > 1.4 * weekdays[1]
    hours = Counter(at.astimezone(zone).hour for at, _ in scans)
    assert hours[15] > 3 * hours[9] and set(hours) <= set(range(9, 22))
    assert len({store for _, store in scans}) == 2
    # Saves, claims and redemptions come with the scans.
    assert db.session.scalar(select(func.count()).select_from(WishlistItem)) > 100
    claims = db.session.scalar(select(func.count()).select_from(CouponClaim))
    redeemed = db.session.scalar(select(func.count()).select_from(CouponClaim)
                                 .where(CouponClaim.redeemed_at.is_not(None)))
    assert claims > 100 and 0.3 * claims < redeemed < 0.7 * claims
    # The rollup ran: completed days are in the rollup tables.
    assert db.session.scalar(select(func.count(func.distinct(ScanDayRollup.day)))) >= 88
    # Running the demo again adds nothing.
    counts = len(scans), claims
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    assert (db.session.scalar(select(func.count()).select_from(Scan)),
            db.session.scalar(select(func.count()).select_from(CouponClaim))) == counts
    assert seconds < 30  # seeding is bulk inserts; the whole first run takes a few seconds


def test_every_dashboard_chart_shows_demo_data_on_first_run(runner, client, app):
    runner.invoke(args=["demo", "--no-serve"])
    password = json.loads((Path(app.instance_path) / "demo-logins.json").read_text())
    login(client, "merchandiser@demo.qrshop.test", password["merchandiser@demo.qrshop.test"])
    html = client.get("/console/analytics?days=90").get_data(as_text=True)
    for caption in ("Counted scans per day", "Counted scans by local hour"):
        table = html.split(f"<caption>{caption}")[1].split("</table>")[0]
        assert sum(int(n) for n in re.findall(r"<td>(\d+)</td>", table)) > 1000
    home = client.get("/console").get_data(as_text=True)
    assert 'data-alert="silent"' in home  # the demo's tag that fell off the shelf
    assert "<strong>0</strong>" not in home.split('data-kpi="week"')[1].split("</div>")[0]
