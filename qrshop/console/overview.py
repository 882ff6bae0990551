"""The console home's overview: today's scans, this week against last, top items, alerts.

It composes features through their query and service functions (analytics for scan figures
and silent tags, offers for offers running out, content for reviews waiting,
feedback for shoppers' comments waiting), so the home page
reads the same numbers as the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from qrshop.analytics import charts
from qrshop.analytics import services as analytics
from qrshop.content import queries as content
from qrshop.feedback import reviews as feedback
from qrshop.offers import queries as offers
from qrshop.tags import silent

TOP_ITEMS = 5
SILENT_SHOWN = 5


@dataclass
class Overview:
    """What the console home shows above the store list."""

    today: date
    today_scans: int = 0
    week_scans: int = 0  # the last 7 local days, today included
    last_week_scans: int = 0  # the 7 days before those
    week_days: list[charts.Point] = field(default_factory=list)
    top: list[tuple[str, str, int]] = field(default_factory=list)  # (product, sku, scans)
    silent_tags: list[dict] = field(default_factory=list)
    silent_count: int = 0
    offers_running_out: list[dict] = field(default_factory=list)
    reviews_waiting: int = 0
    comments_waiting: int = 0  # shoppers' comments in the moderation queue

    @property
    def week_change(self) -> str:
        """'+12%' style change of this week against last."""
        return charts.format_change(self.week_scans, self.last_week_scans)

    @property
    def alert_count(self) -> int:
        """Silent tags, offers running out, reviews and comments waiting, together."""
        return (self.silent_count + len(self.offers_running_out) + self.reviews_waiting
                + self.comments_waiting)


def overview(retailer, stores: list, now: datetime, *, merchandiser: bool) -> Overview:
    """The overview for these stores of the retailer at `now` (days in the first store's time
    zone, like the dashboard). Offers and reviews are merchandisers' business only."""
    zone = ZoneInfo(stores[0].timezone) if stores else ZoneInfo("UTC")
    today = now.astimezone(zone).date()
    result = Overview(today=today)
    if merchandiser:
        result.offers_running_out = offers.offers_running_out(retailer.id, now)
        result.reviews_waiting = content.reviews_waiting(retailer.id)
        result.comments_waiting = feedback.pending_count(retailer.id)
    if not stores:
        return result
    week = analytics.Window(today - timedelta(days=6), today)
    # The previous week first: its rollup step covers both weeks.
    before = analytics.scan_time_series(stores, analytics.previous_window(week))
    totals = analytics.scan_totals(stores, week, rolled=True)
    result.today_scans = totals.per_day.get(today, 0)
    result.week_scans = sum(totals.per_day.values())
    result.last_week_scans = sum(before.per_day.values())
    result.week_days = [
        charts.Point(f"{day:%a}", n, before.per_day.get(day - timedelta(days=7), 0),
                     f"{day:%a} {day.day} {day:%b}")
        for day, n in totals.per_day.items()
    ]
    listings = analytics.listing_figures(retailer, stores, week, totals=totals)
    ranked = sorted((row for row in listings if row.scans), key=lambda r: (-r.scans, r.product))
    result.top = [(row.product, row.sku, row.scans) for row in ranked[:TOP_ITEMS]]
    result.silent_tags = silent.silent_tags(stores, now, limit=SILENT_SHOWN)
    result.silent_count = silent.silent_tag_count(stores, now)
    return result
