"""The console home's overview: today's scans, this week against last, top items, alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qrshop.console.overview import overview
from qrshop.content.models import Review
from qrshop.content.services import create_draft
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import link_vendor, login, make_shop, make_tag, make_user
from tests.helpers import make_offer

# Saturday 14 Nov 2026, 13:00 in New York.
NOW = datetime(2026, 11, 14, 18, 0, tzinfo=UTC)


def _scan(tag, at):
    db.session.add(Scan(tag_id=tag.id, listing_id=tag.listing_id, store_id=tag.store_id,
                        retailer_id=tag.listing.retailer_id, shopper_id=f"s{int(at.timestamp())}",
                        scanned_at=at, is_bot=False, is_repeat=False))


@pytest.fixture
def scene(app):
    """NYC01: jacket scanned 4 times this week (2 today), scarf twice; 4 scans last week; a
    hat tag unscanned since its printing in October (silent)."""
    shop = make_shop()
    scarf = make_tag(shop.retailer, shop.store, shop.vendor, name="Scarf")
    hat = make_tag(shop.retailer, shop.store, shop.vendor, name="Hat")
    hat.created_at = shop.tag.created_at = scarf.created_at = datetime(2026, 10, 1, tzinfo=UTC)
    for at in (NOW - timedelta(hours=1), NOW - timedelta(hours=2),  # today
               NOW - timedelta(days=2), NOW - timedelta(days=5)):
        _scan(shop.tag, at)
    _scan(scarf, NOW - timedelta(days=1))
    _scan(scarf, NOW - timedelta(days=3))
    for days in (7, 8, 10, 13):  # the week before
        _scan(scarf, NOW - timedelta(days=days))
    _scan(shop.tag, NOW - timedelta(days=20))  # older: in neither week
    db.session.commit()
    return shop


def test_overview_figures_on_known_scans(scene):
    result = overview(scene.retailer, [scene.store], NOW, merchandiser=True)
    assert str(result.today) == "2026-11-14"
    assert (result.today_scans, result.week_scans, result.last_week_scans) == (2, 6, 4)
    assert result.week_change == "+50%"
    assert [(product, scans) for product, _sku, scans in result.top] == [
        ("Trail Widget", 4), ("Scarf", 2)]
    assert [p.value for p in result.week_days] == [0, 1, 0, 1, 1, 1, 2]
    assert sum(p.previous for p in result.week_days) == 4
    assert result.silent_count == 1 and result.silent_tags[0]["product"] == "Hat"


def test_overview_alerts_offers_running_out_and_reviews_waiting(scene):
    make_offer(scene.retailer, title="Ends soon", starts_at=NOW - timedelta(days=3),
               ends_at=NOW + timedelta(days=2))
    make_offer(scene.retailer, title="Runs a month", starts_at=NOW - timedelta(days=3),
               ends_at=NOW + timedelta(days=30))
    link_vendor(scene.retailer, scene.vendor)
    author = make_user("vendor", "v@widgetco.test", vendor_slug="widgetco")
    # A submitted revision waiting for Acme (submit_revision checks template slots first).
    revision = create_draft(scene.product, author, {"title": "New look"})
    db.session.add(Review(revision_id=revision.id, retailer_id=scene.retailer.id))
    db.session.commit()
    result = overview(scene.retailer, [scene.store], NOW, merchandiser=True)
    assert [offer["title"] for offer in result.offers_running_out] == ["Ends soon"]
    assert result.reviews_waiting == 1
    assert result.alert_count == 3
    # An associate's overview carries scan figures and silent tags only.
    associate = overview(scene.retailer, [scene.store], NOW, merchandiser=False)
    assert associate.offers_running_out == [] and associate.reviews_waiting == 0


def test_console_home_shows_the_overview_beside_the_checklist(app, client):
    shop = make_shop()
    make_user("merchandiser", "merch@acme.test", retailer_slug="acme")
    login(client, "merch@acme.test")
    now = datetime.now(UTC)
    _scan(shop.tag, now - timedelta(minutes=1))
    db.session.commit()
    html = client.get("/console").get_data(as_text=True)
    assert "data-checklist" in html  # the first-run checklist stays
    today = html.split('data-kpi="today"')[1].split("</div>")[0]
    assert "<strong>1</strong>" in today or "<strong>0</strong>" in today  # around midnight
    assert 'data-kpi="week"' in html and "No scans last week" in html
    assert "<caption>Counted scans per day this week" in html
    assert "Trail Widget" in html.split("Top items this week")[1]
    assert 'data-alert="none"' in html
