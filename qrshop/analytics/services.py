"""Aggregates for the dashboards, CSV exports and the analytics API.

Day boundaries follow each store's own time zone: a date range becomes, per store, a UTC
interval [local midnight of the first day, local midnight after the last day). Every figure
is computed from the raw events with bots excluded, so the numbers can always be re-derived:
scans of completed days through daily rollups of the scan log (see rollup.py, totals.py),
later ones straight from it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, func, literal, or_, select

from qrshop.accounts.models import Retailer, Store
from qrshop.analytics import sales_report
from qrshop.analytics.totals import ScanTotals, read_scan_totals
from qrshop.catalog.models import Listing, Product
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.offers import analytics as engagement_analytics
from qrshop.parsing import EARLIEST_DAY, LATEST_DAY, parse_day
from qrshop.shopper.models import Scan
from qrshop.tags.codes import CODE_LENGTH, NOT_IN_CODES, is_tag_code
from qrshop.tags.models import Tag

MAX_RANGE_DAYS = 366
SILENT_AFTER_DAYS = 14


@dataclass(frozen=True)
class Window:
    """An inclusive range of local dates."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        """Every date in the window."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def parse_window(raw_from: str | date | None, raw_to: str | date | None, today: date) -> Window:
    """Read from/to (YYYY-MM-DD) with a 30-day default ending today; InvalidInput if wrong."""
    end = _as_date(raw_to) if raw_to else today
    start = _as_date(raw_from) if raw_from else end - timedelta(days=29)
    if start > end:
        raise InvalidInput("The start date is after the end date.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
    return Window(start, end)


PRESET_DAYS = (7, 30, 90)


def parse_range(raw_days: str | None, raw_from: str | None, raw_to: str | None,
                today: date) -> Window:
    """A dashboard range: a preset (days=7, 30 or 90, ending at `to` or today) or from/to
    as parse_window reads them; InvalidInput (400) for anything else."""
    if raw_days in (None, ""):
        return parse_window(raw_from, raw_to, today)
    if raw_from:
        raise InvalidInput("Choose a preset or a from date, not both.")
    if raw_days not in {str(days) for days in PRESET_DAYS}:
        raise InvalidInput(f"days must be one of {', '.join(map(str, PRESET_DAYS))}.")
    end = _as_date(raw_to) if raw_to else today
    return parse_window(end - timedelta(days=int(raw_days) - 1), end, today)


def previous_window(window: Window) -> Window:
    """The same number of days just before a window (what it is compared with)."""
    length = window.end - window.start + timedelta(days=1)
    return Window(window.start - length, window.end - length)


def _as_date(value: str | date) -> date:
    """A date given (checked before any date arithmetic, which overflows near year 1 or
    9999), or read by parse_day: YYYY-MM-DD within EARLIEST_DAY..LATEST_DAY."""
    if isinstance(value, date):
        if not EARLIEST_DAY <= value <= LATEST_DAY:
            raise InvalidInput(f"Dates must be between {EARLIEST_DAY} and {LATEST_DAY}.")
        return value
    return parse_day(value)


def utc_bounds(store: Store, window: Window) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight before the first day and after the last."""
    zone = ZoneInfo(store.timezone)
    start = datetime.combine(window.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(window.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def in_window(store_column, time_column, stores: list[Store], window: Window):
    """SQL condition: an event at one of these stores within the window, in local days.

    Stores whose local days start at the same instants (one time zone) share one term: a
    chain of 200 stores in 4 zones is 4 terms, not 200."""
    if not stores:
        return false()
    by_bounds: dict[tuple[datetime, datetime], list[int]] = defaultdict(list)
    for store in stores:
        by_bounds[utc_bounds(store, window)].append(store.id)
    return or_(*[
        and_(store_column.in_(ids) if len(ids) > 1 else store_column == ids[0],
             time_column >= start, time_column < end)
        for (start, end), ids in by_bounds.items()
    ])


def stores_for(retailer: Retailer, store_code: str | None, *, only_store_id: int | None = None
               ) -> list[Store]:
    """The retailer's stores to report on; an associate is limited to their own store."""
    query = select(Store).where(Store.retailer_id == retailer.id).order_by(Store.code)
    if only_store_id is not None:
        query = query.where(Store.id == only_store_id)
    if store_code:
        query = query.where(Store.code == store_code.strip().upper())
    stores = db.session.scalars(query).all()
    if store_code and not stores:
        raise InvalidInput(f"{retailer.name} has no store {store_code!r}.", status_code=404,
                           code="unknown_store")
    return stores


@dataclass
class ListingFigures:
    """One listing's figures in a window (bots never counted)."""

    listing_id: int
    sku: str
    product: str
    gtin: str
    scans: int = 0
    repeat_scans: int = 0
    unique_shoppers: int = 0
    wishlist_adds: int = 0
    coupons_claimed: int = 0
    coupons_redeemed: int = 0
    # Sale amounts typed at coupon redemption (the meaning it always had): coupon sales.
    sales_cents: int = 0
    # From the POS sales feed (returns subtract): units and amounts of the sales lines.
    units_sold: int = 0
    pos_sales_cents: int = 0

    @property
    def conversion(self) -> float:
        """Redemptions per counted scan."""
        return self.coupons_redeemed / self.scans if self.scans else 0.0

    @property
    def scan_to_sale(self) -> float:
        """Units sold (POS feed) per counted scan."""
        return self.units_sold / self.scans if self.scans else 0.0

    def as_dict(self) -> dict:
        """The API / CSV shape: integer fields plus conversion."""
        return {
            "listing_id": self.listing_id, "sku": self.sku, "product": self.product,
            "gtin": self.gtin, "scans": self.scans, "repeat_scans": self.repeat_scans,
            "unique_shoppers": self.unique_shoppers, "wishlist_adds": self.wishlist_adds,
            "coupons_claimed": self.coupons_claimed, "coupons_redeemed": self.coupons_redeemed,
            "sales_cents": self.sales_cents, "conversion": round(self.conversion, 4),
            "units_sold": self.units_sold, "pos_sales_cents": self.pos_sales_cents,
            "coupon_sales_cents": self.sales_cents,
            "scan_to_sale": round(self.scan_to_sale, 4),
        }


def scan_totals(stores: list[Store], window: Window, *, rolled: bool = False) -> ScanTotals:
    """Counted scans of these stores in the window: per listing, per store, day and hour.

    Compute it once per report and hand it to listing_figures, scan_time_series and
    store_comparison. rolled: the caller has just read an earlier window (which rolled the
    stores up from its first day through yesterday), so the rollup step is not run again.
    """
    return read_scan_totals(stores, window.start, window.end, rolled=rolled)


def listing_figures(retailer: Retailer, stores: list[Store], window: Window, *,
                    vendor_id: int | None = None, totals: ScanTotals | None = None,
                    with_sales: bool = True) -> list[ListingFigures]:
    """Per-listing figures for every listing of the retailer tagged in these stores.

    With vendor_id, only that vendor's products; with_sales False leaves the POS feed's
    figures at 0 (a retailer that does not share its sales with vendors).
    """
    store_ids = [store.id for store in stores]
    query = (
        select(Listing.id, Listing.sku, Product.name, Product.gtin)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.retailer_id == retailer.id,
               Listing.id.in_(select(Tag.listing_id).where(Tag.store_id.in_(store_ids))))
        .order_by(Product.name)
    )
    if vendor_id is not None:
        query = query.where(Product.vendor_id == vendor_id)
    listings = db.session.execute(query).all()
    figures = {row[0]: ListingFigures(*row) for row in listings}
    if totals is None:
        totals = scan_totals(stores, window)
    for listing_id, (scans, repeats, _shoppers) in totals.listings.items():
        if listing_id in figures:
            item = figures[listing_id]
            item.scans, item.repeat_scans = scans, repeats
            item.unique_shoppers = totals.listing_shoppers(listing_id)
    for listing_id, counts in engagement_analytics.listing_counts(stores, window,
                                                                   in_window).items():
        if listing_id in figures:
            for name, value in counts.items():
                setattr(figures[listing_id], name, value)
    if with_sales:
        for listing_id, (units, amount) in sales_report.sales_totals(
                stores, window.start, window.end).items():
            if listing_id in figures:
                figures[listing_id].units_sold = units
                figures[listing_id].pos_sales_cents = amount
    return list(figures.values())


@dataclass
class TimeSeries:
    """Counted scans per local day and per local hour of day."""

    per_day: dict[date, int] = field(default_factory=dict)
    per_hour: list[int] = field(default_factory=lambda: [0] * 24)


def scan_time_series(stores: list[Store], window: Window, *,
                     totals: ScanTotals | None = None, rolled: bool = False) -> TimeSeries:
    """Scans per local day (every day of the window, zeros included) and per local hour.

    Without totals, only the rollups' daily and hourly sums are read (no listing rows)."""
    if totals is None:
        totals = read_scan_totals(stores, window.start, window.end, series_only=True,
                                  rolled=rolled)
    return TimeSeries(per_day=dict(totals.per_day), per_hour=list(totals.per_hour))


def store_comparison(stores: list[Store], window: Window, *,
                     totals: ScanTotals | None = None) -> list[dict]:
    """Counted scans, unique shoppers and active tags per store."""
    if totals is None:
        totals = scan_totals(stores, window)
    active = dict(db.session.execute(
        select(Tag.store_id, func.count())
        .where(Tag.store_id.in_([s.id for s in stores]), Tag.retired_at.is_(None))
        .group_by(Tag.store_id)
    ).all())
    counts = {store_id: (cell[0], totals.store_shoppers(store_id))
              for store_id, cell in totals.stores.items()}
    return [
        {"store": store.code, "name": store.name, "scans": counts.get(store.id, (0, 0))[0],
         "unique_shoppers": counts.get(store.id, (0, 0))[1], "active_tags": active.get(store.id, 0)}
        for store in stores
    ]


def _silent_condition(stores: list[Store], now: datetime):
    """SQL condition on Tag: active, older than 14 days, unscanned for 14 days, at a store
    that did have scans then; None when no store had any."""
    since = now - timedelta(days=SILENT_AFTER_DAYS)
    # One statement: an index probe on (store_id, scanned_at) per store.
    busy_stores = list(db.session.scalars(select(Store.id).where(
        Store.id.in_([store.id for store in stores]),
        exists().where(Scan.store_id == Store.id, Scan.scanned_at >= since,
                       Scan.is_bot == literal(False)))))
    if not busy_stores:
        return None
    # Per tag, two index probes on (tag_id, scanned_at): no scan of the whole log.
    scanned_since = exists().where(Scan.tag_id == Tag.id, Scan.scanned_at >= since,
                                   Scan.is_bot == literal(False))
    return and_(Tag.store_id.in_(busy_stores), Tag.retired_at.is_(None),
                Tag.created_at < since, ~scanned_since)


def silent_tags(stores: list[Store], now: datetime, limit: int | None = None) -> list[dict]:
    """Active tags with no counted scan for 14 days at a store that did have scans then
    (the first `limit` of them by store and product, or all).

    Such a tag has probably fallen off the shelf or is hidden.
    """
    condition = _silent_condition(stores, now)
    if condition is None:
        return []
    last_scan = (
        select(func.max(Scan.scanned_at)).where(Scan.tag_id == Tag.id,
                                                Scan.is_bot == literal(False))
        .scalar_subquery()
    )
    query = (
        select(Tag.code, Tag.placement, Store.code, Product.name, last_scan)
        .join(Store, Store.id == Tag.store_id)
        .join(Listing, Listing.id == Tag.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(condition)
        .order_by(Store.code, Product.name, Tag.code)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        {"code": code, "placement": placement, "store": store_code, "product": product,
         "last_scan": last}
        for code, placement, store_code, product, last in db.session.execute(query)
    ]


def silent_tag_count(stores: list[Store], now: datetime) -> int:
    """How many tags silent_tags() would list, counted in SQL without building them."""
    condition = _silent_condition(stores, now)
    if condition is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(Tag).where(condition))


def orphan_scans(window: Window, limit: int = 10, stores: Optional[list[Store]] = None
                 ) -> tuple[int, list[tuple[str, int]]]:
    """Requests for codes that match no tag (mistyped or damaged labels) in the window's days
    (the stores' local days, from the earliest store's start to the latest one's end; UTC
    days without stores): how many, and the most requested codes among those qrshop could
    have printed.

    Unknown codes belong to no retailer, so every console sees the same list; and anyone can
    type one. So only codes of the tag alphabet and length are listed (tags.codes.is_tag_code):
    anything else, a phone number or a message to retailers, is counted, never shown.
    """
    if stores:
        bounds = [utc_bounds(store, window) for store in stores]
        start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    else:
        start = datetime.combine(window.start, time(0), UTC)
        end = datetime.combine(window.end + timedelta(days=1), time(0), UTC)
    where = and_(Scan.tag_id.is_(None), Scan.orphan_code.is_not(None),
                 Scan.is_bot == literal(False), Scan.scanned_at >= start, Scan.scanned_at < end)
    total = db.session.scalar(select(func.count()).select_from(Scan).where(where))
    # Stored codes are letters and digits, upper case; these leave the tag-shaped ones.
    tag_shaped = and_(func.length(Scan.orphan_code) == CODE_LENGTH,
                      *(Scan.orphan_code.not_like(f"%{character}%")
                        for character in NOT_IN_CODES))
    top = db.session.execute(
        select(Scan.orphan_code, func.count()).where(where, tag_shaped)
        .group_by(Scan.orphan_code).order_by(func.count().desc(), Scan.orphan_code).limit(limit)
    ).all()
    return total, [(code, count) for code, count in top if is_tag_code(code)]


def funnel(rows: list[ListingFigures]) -> list[tuple[str, int]]:
    """Scan -> save or claim -> redeem, summed over listings."""
    return [
        ("Scans", sum(r.scans for r in rows)),
        ("Saved or claimed", sum(r.wishlist_adds + r.coupons_claimed for r in rows)),
        ("Redeemed", sum(r.coupons_redeemed for r in rows)),
    ]


def vendor_figures(vendor_id: int, window: Window) -> list[dict]:
    """A vendor's products at every retailer carrying them, aggregated per retailer.

    Only counts leave this function: never a shopper, store-level identity or code.
    """
    stores_by_retailer: dict[int, list[Store]] = defaultdict(list)
    retailers = db.session.scalars(
        select(Retailer).where(Retailer.id.in_(
            select(Listing.retailer_id).join(Product, Product.id == Listing.product_id)
            .where(Product.vendor_id == vendor_id)
        )).order_by(Retailer.name)
    ).all()
    for store in db.session.scalars(select(Store).where(
            Store.retailer_id.in_([r.id for r in retailers]))):
        stores_by_retailer[store.retailer_id].append(store)
    return [
        {"retailer": retailer.name, **row.as_dict(),
         "sales_shared": retailer.share_sales_with_vendors}
        for retailer in retailers
        for row in listing_figures(retailer, stores_by_retailer[retailer.id], window,
                                   vendor_id=vendor_id,
                                   with_sales=retailer.share_sales_with_vendors)
    ]
