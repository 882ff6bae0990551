"""The demo's POS sales history: 90 days of till lines, so the lift report and the
dashboard's units sold and scan-to-sale columns show something on first run.

Every demo listing sells at both stores (Charlotte is the smaller one), cheaper items more
often, with the week's rhythm (busy weekends) and the day's (busy afternoons), a few returns
(negative quantities) and the redeemed demo coupons as sales of their own. A few Atlanta
items only got their tag in the middle of the history (NEW_TAGS): from the day it was
printed they sell better, while the same item in Charlotte, untagged, does not; the last of
them was printed days ago, so the report flags it as too little data to tell.

Lines go through the sales feed's own record_lines (bulk INSERT ... ON CONFLICT DO NOTHING
on the retailer's line_id, and the daily rollup in the same statements): a second run stores
nothing twice.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from qrshop.accounts.models import Retailer, Store
from qrshop.analytics.models import SalesLine
from qrshop.analytics.sales import SaleRow, record_lines
from qrshop.catalog.models import Listing
from qrshop.extensions import db
from qrshop.tags.models import Tag

SALES_DAYS = 90
# Atlanta items tagged mid-history: SKU -> (days ago the tag was printed, sales multiplier).
NEW_TAGS = {"FT-TF-1002": (45, 1.9), "FT-LU-2003": (45, 1.5), "FT-TF-1007": (38, 1.3),
            "FT-LU-2007": (4, 1.4)}
NEW_TAGS_STORE = "ATL01"
# Units a day of a 50.00 item at each store, before rhythm (cheaper items sell more).
STORE_UNITS = {"ATL01": 1.6, "CLT01": 1.2}
# Monday .. Sunday, and local hours 9:00-21:59 weighted towards the afternoon.
WEEKDAY = (0.8, 0.75, 0.85, 0.95, 1.2, 1.7, 1.4)
HOURS = {9: 2, 10: 4, 11: 6, 12: 8, 13: 9, 14: 11, 15: 12, 16: 12, 17: 10, 18: 8, 19: 6,
         20: 4, 21: 2}
RETURN_RATE, TWO_UNITS_RATE = 0.03, 0.1


def new_tag_prints(tags, stores: list[Store], now: datetime) -> dict[int, datetime]:
    """{tag id: when it was printed} of the demo's mid-history tags (NEW_TAGS at ATL01):
    8:00 local time on their day. The history records no scan of them before."""
    store = next((store for store in stores if store.code == NEW_TAGS_STORE), None)
    if store is None:
        return {}
    zone = ZoneInfo(store.timezone)
    today = now.astimezone(zone).date()
    return {tag.id: datetime.combine(today - timedelta(days=NEW_TAGS[tag.sku][0]), time(8),
                                     zone).astimezone(UTC)
            for tag in tags if tag.store_id == store.id and tag.sku in NEW_TAGS}


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the demo's means are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def seed_sales(retailer: Retailer, stores: list[Store], prints: dict[int, datetime],
               claims: list[dict], now: datetime, *, seed: int = 1717) -> int:
    """Seed SALES_DAYS days of POS lines ending now (and a line per redeemed coupon); mark
    the mid-history tags printed. Return the lines stored (0 when the retailer already has
    sales lines: nothing is written)."""
    if db.session.scalar(select(SalesLine.id).where(SalesLine.retailer_id == retailer.id)
                         .limit(1)):
        return 0
    for tag_id, printed_at in prints.items():
        db.session.execute(update(Tag).where(Tag.id == tag_id)
                           .values(printed_at=printed_at, created_at=printed_at))
    rng = random.Random(seed)
    listings = db.session.execute(
        select(Listing.id, Listing.sku, Listing.price_cents, Listing.currency)
        .where(Listing.retailer_id == retailer.id).order_by(Listing.sku)).all()
    lifted = {db.session.scalar(select(Tag.listing_id).where(Tag.id == tag_id)): printed_at
              for tag_id, printed_at in prints.items()}
    rows: list[SaleRow] = []
    for store in stores:
        zone = ZoneInfo(store.timezone)
        local_today = now.astimezone(zone).date()
        for listing in listings:
            for offset in range(SALES_DAYS - 1, -1, -1):
                day = local_today - timedelta(days=offset)
                rows.extend(_day_lines(rng, store, zone, listing, day, now,
                                       lifted.get(listing.id) if store.code == NEW_TAGS_STORE
                                       else None))
    rows.extend(_coupon_lines(claims, stores, {row.id: row for row in listings}))
    stored, _known = record_lines(retailer, rows)
    return stored


def _day_lines(rng: random.Random, store: Store, zone: ZoneInfo, listing, day: date,
               now: datetime, printed_at: datetime | None) -> list[SaleRow]:
    """One listing's till lines at one store on one local day (and returns of some)."""
    trend = 0.9 + 0.2 * (day - (now.date() - timedelta(days=SALES_DAYS))).days / SALES_DAYS
    mean = (STORE_UNITS.get(store.code, 0.8) * (5000 / listing.price_cents) ** 0.6
            * WEEKDAY[day.weekday()] * trend)
    lift = NEW_TAGS.get(listing.sku, (0, 1.0))[1]
    if printed_at is not None and day >= printed_at.astimezone(zone).date():
        mean *= lift
    rows = []
    for number in range(_poisson(rng, mean)):
        hour = rng.choices(list(HOURS), weights=list(HOURS.values()))[0]
        sold_at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)),
                                   zone).astimezone(UTC)
        if sold_at > now:
            continue
        quantity = 2 if rng.random() < TWO_UNITS_RATE else 1
        line_id = f"DEMO-{store.code}-{day:%Y%m%d}-{listing.sku}-{number}"
        rows.append(_line(line_id, store.id, listing, sold_at, day, quantity))
        returned_at = sold_at + timedelta(days=rng.randrange(1, 15), hours=rng.randrange(4))
        if rng.random() < RETURN_RATE and returned_at <= now:
            rows.append(_line(f"{line_id}-R", store.id, listing, returned_at,
                              returned_at.astimezone(zone).date(), -quantity))
    return rows


def _line(line_id: str, store_id: int, listing, sold_at: datetime, day: date,
          quantity: int, amount_cents: int | None = None) -> SaleRow:
    """A checked sales line (the demo's own data needs no checking)."""
    return SaleRow(0, line_id=line_id, store_id=store_id, listing_id=listing.id,
                   sold_at=sold_at, day=day, quantity=quantity,
                   amount_cents=(listing.price_cents * quantity if amount_cents is None
                                 else amount_cents), currency=listing.currency)


def _coupon_lines(claims: list[dict], stores: list[Store], listings: dict) -> list[SaleRow]:
    """A till line for every redeemed demo coupon: the claimed item, at its discount."""
    zones = {store.id: ZoneInfo(store.timezone) for store in stores}
    rows = []
    for claim in claims:
        if claim["redeemed_at"] is None or claim["listing_id"] not in listings:
            continue
        listing, store_id = listings[claim["listing_id"]], claim["redeemed_store_id"]
        sold_at = claim["redeemed_at"]
        rows.append(_line(f"DEMO-COUPON-{claim['code']}", store_id, listing, sold_at,
                          sold_at.astimezone(zones[store_id]).date(), 1,
                          listing.price_cents - listing.price_cents * 15 // 100))
    return rows
