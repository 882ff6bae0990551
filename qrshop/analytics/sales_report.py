"""Sales figures from the daily sales rollup: units and POS sales per listing, and lift.

Lift of a tagged listing L at store S, with N weeks (docs/analytics.md has the formulas):
  d0      the local day (S's time zone) L's first tag at S was printed;
  before  the 7N days d0-7N .. d0-1; after: the 7N days d0 .. d0+7N-1;
  a day counts when it is complete (before today, local) and on or after the first day of
  S's sales feed; units per day = units in the counted days / counted days;
  lift_vs_before  = after / before - 1;
  control = the retailer's other stores with no tag of L printed and not retired during
  before..after: their units in the after days / their counted store-days;
  lift_vs_control = after / control - 1.
Too little data (fewer than MIN_DAYS counted days before or after, or no unit before) gives
enough_data false and a reason; a ratio whose denominator is 0 is null.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from qrshop.accounts.models import Retailer, Store
from qrshop.analytics.models import SalesChainRollup, SalesDayRollup
from qrshop.catalog.models import Listing, Product
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.tags.models import Tag

MIN_DAYS = 7
MAX_WEEKS = 26


def _whole_retailer(stores: list[Store]) -> Optional[int]:
    """The retailer whose every store these are (then its chain rows are read), or None."""
    retailer_ids = {store.retailer_id for store in stores}
    if len(retailer_ids) != 1:
        return None
    retailer_id = retailer_ids.pop()
    count = db.session.scalar(select(func.count()).select_from(Store)
                              .where(Store.retailer_id == retailer_id))
    return retailer_id if count == len({store.id for store in stores}) else None


def sales_totals(stores: list[Store], first: date, last: date) -> dict[int, tuple[int, int]]:
    """{listing_id: (units, amount_cents)} of these stores' local days first..last: from
    sales_chain_rollups when they are all of a retailer's stores (a chain's month is one row
    per listing and day), else from sales_day_rollups."""
    if not stores:
        return {}
    retailer_id = _whole_retailer(stores)
    if retailer_id is not None:
        rollup = SalesChainRollup.__table__.c
        which = rollup.retailer_id == retailer_id
    else:
        rollup = SalesDayRollup.__table__.c
        which = rollup.store_id.in_([store.id for store in stores])
    return {listing_id: (int(units), int(amount)) for listing_id, units, amount in
            db.session.execute(
                select(rollup.listing_id, func.sum(rollup.units), func.sum(rollup.amount_cents))
                .where(which, rollup.day >= first, rollup.day <= last)
                .group_by(rollup.listing_id))}


@dataclass
class _Span:
    """Units over some counted days."""

    days: int = 0
    units: int = 0

    def as_dict(self, first: date, last: date) -> dict:
        return {"from": first.isoformat(), "to": last.isoformat(), "days": self.days,
                "units": self.units, "units_per_day": _per_day(self.units, self.days)}


def _per_day(units: int, days: int) -> Optional[float]:
    return round(units / days, 4) if days else None


def _lift(value: Optional[float], base: Optional[float]) -> Optional[float]:
    return round(value / base - 1, 4) if value is not None and base else None


def _first_sales_days(store_ids: list[int]) -> dict[int, date]:
    """The first day of each store's sales feed: one statement, an index probe per store."""
    first_day = (select(func.min(SalesDayRollup.day))
                 .where(SalesDayRollup.store_id == Store.id).scalar_subquery())
    return {store_id: day for store_id, day in db.session.execute(
        select(Store.id, first_day).where(Store.id.in_(store_ids))) if day is not None}


def _chain_units(retailer_id: int, listing_ids: list[int], first: date, last: date) -> dict:
    """{(listing_id, day): units} at all of the retailer's stores, from the chain rollup."""
    found: dict = {}
    if first > last:
        return found
    rollup = SalesChainRollup.__table__.c
    for start in range(0, len(listing_ids), 500):
        for listing_id, day, units in db.session.execute(
            select(rollup.listing_id, rollup.day, rollup.units)
            .where(rollup.retailer_id == retailer_id,
                   rollup.listing_id.in_(listing_ids[start:start + 500]),
                   rollup.day >= first, rollup.day <= last)
        ):
            found[(listing_id, day)] = units
    return found


def _units(store_ids: list[int], listing_ids: list[int], first: date, last: date) -> dict:
    """{(store_id, listing_id): {day: units}} from the rollup."""
    found: dict = defaultdict(dict)
    rollup = SalesDayRollup.__table__.c
    for start in range(0, len(listing_ids), 500):
        for store_id, listing_id, day, units in db.session.execute(
            select(rollup.store_id, rollup.listing_id, rollup.day, rollup.units)
            .where(rollup.listing_id.in_(listing_ids[start:start + 500]),
                   rollup.store_id.in_(store_ids), rollup.day >= first, rollup.day <= last)
        ):
            found[(store_id, listing_id)][day] = units
    return found


def lift_rows(retailer: Retailer, stores: list[Store], first: date, last: date, weeks: int,
              *, vendor_id: Optional[int] = None, now: Optional[datetime] = None) -> list[dict]:
    """One row per (store, tagged listing) whose first tag at the store was printed on a
    local day from first to last: units per day before and after, against control stores."""
    now = now or utcnow()
    every_store = db.session.scalars(select(Store).where(Store.retailer_id == retailer.id)).all()
    zones = {store.id: ZoneInfo(store.timezone) for store in every_store}
    codes = {store.id: store.code for store in every_store}
    query = (select(Tag.store_id, Tag.listing_id, Tag.printed_at, Tag.retired_at)
             .join(Listing, Listing.id == Tag.listing_id)
             .where(Listing.retailer_id == retailer.id, Tag.printed_at.is_not(None)))
    if vendor_id is not None:
        query = query.join(Product, Product.id == Listing.product_id).where(
            Product.vendor_id == vendor_id)
    tags = db.session.execute(query).all()
    first_printed: dict[tuple[int, int], datetime] = {}
    for store_id, listing_id, printed_at, _retired in tags:
        key = (store_id, listing_id)
        if key not in first_printed or printed_at < first_printed[key]:
            first_printed[key] = printed_at
    wanted = {store.id for store in stores}
    span = timedelta(days=7 * weeks)
    pairs = []
    for (store_id, listing_id), printed_at in first_printed.items():
        day = printed_at.astimezone(zones[store_id]).date()
        if store_id in wanted and first <= day <= last:
            pairs.append((store_id, listing_id, printed_at, day))
    if not pairs:
        return []
    listing_ids = sorted({pair[1] for pair in pairs})
    shelf: dict[tuple[int, int], list] = defaultdict(list)
    printed_in: dict[int, set[int]] = defaultdict(set)  # listing -> stores that printed it
    for store_id, listing_id, printed_at, retired_at in tags:
        shelf[(store_id, listing_id)].append((printed_at, retired_at))
        printed_in[listing_id].add(store_id)
    # Day by day rows of the stores that can be a pair or left out of a control group (the
    # stores that printed these listings); the control stores' units are the chain's less
    # theirs, so a chain of 200 stores reads a few stores' rows, not 200.
    lo, hi = min(p[3] for p in pairs) - span, max(p[3] for p in pairs) + span
    units = _units(sorted({store_id for listing_id in listing_ids
                           for store_id in printed_in[listing_id]}), listing_ids, lo, hi)
    feed_start = _first_sales_days(list(zones))
    today = {store_id: now.astimezone(zone).date() for store_id, zone in zones.items()}
    # Before the earliest store's today every store counts a day (from its feed's first
    # day, before which it has no rows); the day or so up to the latest store's today is
    # counted store by store.
    all_count_before = min(today.values())
    chain = _chain_units(retailer.id, listing_ids, lo,
                         min(hi, all_count_before - timedelta(days=1)))
    edge: dict[int, list] = defaultdict(list)  # listing -> [(store, {day: units})]
    for (store_id, listing_id), days in _units(list(zones), listing_ids,
                                               max(lo, all_count_before), hi).items():
        edge[listing_id].append((store_id, days))
    names = {listing_id: (sku, name) for listing_id, sku, name in db.session.execute(
        select(Listing.id, Listing.sku, Product.name)
        .join(Product, Product.id == Listing.product_id).where(Listing.id.in_(listing_ids)))}

    def counted_days(store_id: int, begin: date, end: date) -> int:
        start = feed_start.get(store_id)
        if start is None:
            return 0
        begin, end = max(begin, start), min(end, today[store_id] - timedelta(days=1))
        return max(0, (end - begin).days + 1)

    def control_of(store_id: int, listing_id: int, begin: date, end: date,
                   before_first: date) -> tuple[_Span, int]:
        """Units and counted days from begin to end at the stores without a tag of the
        listing on a shelf from before_first to end (and not store_id); how many."""
        out = {store_id} | {other for other in printed_in[listing_id] if other != store_id
                            and _tagged_during(shelf[(other, listing_id)], zones[other],
                                               before_first, end)}
        control = _Span()
        day = begin
        while day <= end:
            if day < all_count_before:
                control.units += chain.get((listing_id, day), 0) - sum(
                    units.get((other, listing_id), {}).get(day, 0) for other in out)
            else:
                control.units += sum(days.get(day, 0) for other, days in edge[listing_id]
                                     if other not in out and day < today[other])
            day += timedelta(days=1)
        control.days = sum(counted_days(other, begin, end) for other in zones
                           if other not in out)
        return control, len(zones) - len(out)

    def measure(store_id: int, listing_id: int, begin: date, end: date) -> _Span:
        result = _Span()
        start = feed_start.get(store_id)
        days = units.get((store_id, listing_id), {})
        day = begin
        while day <= end:
            if start is not None and start <= day < today[store_id]:
                result.days += 1
                result.units += days.get(day, 0)
            day += timedelta(days=1)
        return result

    rows = []
    for store_id, listing_id, printed_at, day in sorted(
            pairs, key=lambda p: (codes[p[0]], names[p[1]][1], p[1])):
        before_first, after_last = day - span, day + span - timedelta(days=1)
        before = measure(store_id, listing_id, before_first, day - timedelta(days=1))
        after = measure(store_id, listing_id, day, after_last)
        control, control_stores = control_of(store_id, listing_id, day, after_last,
                                             before_first)
        sku, product = names[listing_id]
        rows.append(_row(codes[store_id], listing_id, sku, product, printed_at, day, weeks,
                         before, after, control, control_stores))
    return rows


def _tagged_during(tags, zone: ZoneInfo, first: date, last: date) -> bool:
    """Whether one of these (printed_at, retired_at) tags was on a shelf some day
    first..last."""
    for printed_at, retired_at in tags:
        if printed_at.astimezone(zone).date() <= last and (
                retired_at is None or retired_at.astimezone(zone).date() >= first):
            return True
    return False


def _row(store: str, listing_id: int, sku: str, product: str, printed_at: datetime, day: date,
         weeks: int, before: _Span, after: _Span, control: _Span, control_stores: int) -> dict:
    span = timedelta(days=7 * weeks)
    before_rate, after_rate = _per_day(before.units, before.days), _per_day(after.units,
                                                                           after.days)
    control_rate = _per_day(control.units, control.days)
    reason = None
    if before.days < MIN_DAYS:
        reason = (f"only {before.days} day(s) of sales before the tag was printed "
                  f"(at least {MIN_DAYS} needed)")
    elif after.days < MIN_DAYS:
        reason = (f"only {after.days} day(s) of sales since the tag was printed "
                  f"(at least {MIN_DAYS} needed)")
    elif before.units <= 0:
        reason = "no units sold in the weeks before the tag was printed"
    return {
        "store": store, "listing_id": listing_id, "sku": sku, "product": product,
        "first_printed_at": printed_at.astimezone(UTC).isoformat(),
        "first_printed_day": day.isoformat(), "weeks": weeks,
        "before": before.as_dict(day - span, day - timedelta(days=1)),
        "after": after.as_dict(day, day + span - timedelta(days=1)),
        "control": {"stores": control_stores, "days": control.days, "units": control.units,
                    "units_per_day": control_rate},
        "lift_vs_before": _lift(after_rate, before_rate),
        "lift_vs_control": _lift(after_rate, control_rate),
        "enough_data": reason is None, "reason": reason,
    }


def sharing_retailers(vendor_id: int) -> list[Retailer]:
    """The retailers carrying the vendor's products that share their sales with vendors."""
    return list(db.session.scalars(
        select(Retailer).where(Retailer.share_sales_with_vendors.is_(True), Retailer.id.in_(
            select(Listing.retailer_id).join(Product, Product.id == Listing.product_id)
            .where(Product.vendor_id == vendor_id))).order_by(Retailer.name)))


def vendor_lift_rows(vendor_id: int, first: date, last: date, weeks: int) -> list[dict]:
    """Lift of the vendor's products per sharing retailer: each listing's stores pooled
    (units and counted days summed over them), so no store's own figures show."""
    rows = []
    for retailer in sharing_retailers(vendor_id):
        stores = list(db.session.scalars(select(Store).where(Store.retailer_id == retailer.id)))
        pooled: dict[int, dict] = {}
        for row in lift_rows(retailer, stores, first, last, weeks, vendor_id=vendor_id):
            cell = pooled.setdefault(row["listing_id"], {
                "retailer": retailer.name, "sku": row["sku"], "product": row["product"],
                "weeks": weeks, "stores": 0, "before": _Span(), "after": _Span(),
                "control": _Span()})
            cell["stores"] += 1
            for part in ("before", "after", "control"):
                cell[part].days += row[part]["days"]
                cell[part].units += row[part]["units"]
        for cell in pooled.values():
            before, after, control = cell.pop("before"), cell.pop("after"), cell.pop("control")
            rates = [_per_day(span.units, span.days) for span in (before, after, control)]
            enough = (before.days >= MIN_DAYS and after.days >= MIN_DAYS and before.units > 0)
            rows.append({**cell, **{f"{name}_{key}": value for name, span, rate in
                                    zip(("before", "after", "control"),
                                        (before, after, control), rates, strict=True)
                                    for key, value in (("days", span.days),
                                                       ("units", span.units),
                                                       ("units_per_day", rate))},
                         "lift_vs_before": _lift(rates[1], rates[0]),
                         "lift_vs_control": _lift(rates[1], rates[2]),
                         "enough_data": enough,
                         "reason": None if enough else "too few days or no units before"})
    return rows


def units_by_day(store_ids: list[int], listing_ids: list[int], first: date, last: date
                 ) -> dict:
    """{(store_id, listing_id): {local day: units}} from the sales feed's daily rollup."""
    return _units(store_ids, listing_ids, first, last) if store_ids and listing_ids else {}


def stores_with_sales(store_ids: list[int], first: date, last: date) -> set[int]:
    """The stores whose sales feed has any line from first to last (local days)."""
    rollup = SalesDayRollup.__table__.c
    return set(db.session.scalars(
        select(rollup.store_id).where(rollup.store_id.in_(store_ids), rollup.day >= first,
                                      rollup.day <= last).distinct())) if store_ids else set()
