"""90 days of plausible demo history, so every dashboard chart shows something on first run.

Scans follow a daily and weekly rhythm in each store's local time (busier afternoons and
weekends, a gentle upward trend), some shoppers save items or claim the demo coupon, and
about half the coupons are redeemed at a till. Everything is written with bulk INSERTs, once:
`seed_history` does nothing when the retailer already has scans (re-running `qrshop demo`
stays idempotent). The analytics rollup then runs, so rolled-up charts show the history.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from qrshop import demo_sales
from qrshop.accounts.models import Retailer, Store
from qrshop.analytics import rollup
from qrshop.analytics.experiment_models import Experiment, ExperimentVariant
from qrshop.catalog.models import Listing
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.coupons import new_coupon_code
from qrshop.offers.models import CouponClaim, Offer
from qrshop.shopper.experiment_path import assigned_position
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.models import Tag
from qrshop.wishlist.models import WishlistItem

HISTORY_DAYS = 90
# Counted scans on an average weekday at each store, before rhythm and trend.
DAILY_SCANS = {"ATL01": 42, "CLT01": 16}
# Monday .. Sunday: weekends are busiest.
WEEKDAY = (0.8, 0.75, 0.85, 0.95, 1.2, 1.7, 1.4)
# Local opening hours 9:00-21:59, busiest in the afternoon.
HOURS = {9: 2, 10: 4, 11: 6, 12: 8, 13: 9, 14: 11, 15: 12, 16: 12, 17: 10, 18: 8, 19: 6,
         20: 4, 21: 2}
SAVE_RATE, CLAIM_RATE, REDEEM_RATE = 0.08, 0.06, 0.5
# The demo's "fallen off the shelf" tag: no scans in the last SILENT_DAYS days.
SILENT_SKU, SILENT_DAYS = "FT-LU-2006", 20
SHOPPERS = 900


def _scan_times(rng: random.Random, store: Store, day: date, now: datetime, scale: float
                ) -> list[datetime]:
    """The UTC instants of one store's scans on one local day (none after now)."""
    zone = ZoneInfo(store.timezone)
    expected = DAILY_SCANS.get(store.code, 12) * WEEKDAY[day.weekday()] * scale
    count = max(0, round(rng.gauss(expected, expected ** 0.5)))
    hours = rng.choices(list(HOURS), weights=list(HOURS.values()), k=count)
    instants = [
        datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), zone
                         ).astimezone(UTC)
        for hour in hours
    ]
    return sorted(at for at in instants if at <= now)


def seed_history(retailer: Retailer, stores: list[Store], offer: Offer, staff_id: int,
                 now: datetime | None = None, *, seed: int = 17) -> int:
    """Seed HISTORY_DAYS days of scans, saves, claims and redemptions ending now; return the
    number of scans written (0 when the retailer already has scans: nothing is written)."""
    if db.session.scalar(select(Scan.id).where(Scan.retailer_id == retailer.id).limit(1)):
        return 0
    now = now or utcnow()
    rng = random.Random(seed)
    start = now - timedelta(days=HISTORY_DAYS)
    tags = db.session.execute(
        select(Tag.id, Tag.store_id, Tag.listing_id, Listing.sku, Listing.price_cents)
        .join(Listing, Listing.id == Tag.listing_id)
        .where(Tag.store_id.in_([store.id for store in stores]), Tag.retired_at.is_(None))
        .order_by(Tag.id)
    ).all()
    # The tags were printed before the history starts; the demo offer ran all along.
    db.session.execute(update(Tag).where(Tag.id.in_([t.id for t in tags]))
                       .values(created_at=start - timedelta(days=1)))
    prints = demo_sales.new_tag_prints(tags, stores, now)
    if offer.starts_at > start:
        offer.starts_at = start - timedelta(days=1)
    shoppers = [f"demo{rng.getrandbits(112):028x}" for _ in range(SHOPPERS)]
    db.session.execute(insert(Shopper), [
        {"id": shopper, "retailer_id": retailer.id, "created_at": start} for shopper in shoppers
    ])
    scans, saves, claims = [], [], []
    seen, saved, claimed = set(), set(), set()
    for store in stores:
        at_store = [t for t in tags if t.store_id == store.id]
        # Some items are far more popular than others.
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(at_store))]
        rng.shuffle(weights)
        local_today = now.astimezone(ZoneInfo(store.timezone)).date()
        for offset in range(HISTORY_DAYS - 1, -1, -1):  # 90 local days, today included
            day = local_today - timedelta(days=offset)
            trend = 0.8 + 0.4 * (HISTORY_DAYS - offset) / HISTORY_DAYS
            for at in _scan_times(rng, store, day, now, trend):
                tag = rng.choices(at_store, weights=weights)[0]
                if tag.sku == SILENT_SKU and at > now - timedelta(days=SILENT_DAYS):
                    continue
                if at < prints.get(tag.id, at):  # not on the shelf yet
                    continue
                shopper = rng.choice(shoppers)
                scans.append({"tag_id": tag.id, "listing_id": tag.listing_id,
                              "store_id": store.id, "retailer_id": retailer.id,
                              "shopper_id": shopper, "scanned_at": at, "is_bot": False,
                              "is_repeat": (shopper, tag.id) in seen, "device": "phone"})
                seen.add((shopper, tag.id))
                roll = rng.random()
                if roll < SAVE_RATE and (shopper, tag.listing_id) not in saved:
                    saved.add((shopper, tag.listing_id))
                    saves.append({"shopper_id": shopper, "listing_id": tag.listing_id,
                                  "store_id": store.id, "tag_id": tag.id,
                                  "created_at": at + timedelta(minutes=1)})
                elif roll < SAVE_RATE + CLAIM_RATE and shopper not in claimed:
                    claimed.add(shopper)
                    claims.append(_claim(rng, offer, shopper, tag, store, at, now, staff_id))
    for model, rows in ((Scan, scans), (WishlistItem, saves), (CouponClaim, claims)):
        for first in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[first:first + 5000])
    offer.claimed_count += len(claims)
    # POS sales history (issue 17's sales feed) is seeded here, after the scans it lifts.
    demo_sales.seed_sales(retailer, stores, prints, claims, now)
    db.session.flush()
    rollup.roll_up(stores, now, back_to=(now - timedelta(days=HISTORY_DAYS + 2)).date())
    return len(scans)


def _claim(rng: random.Random, offer: Offer, shopper: str, tag, store: Store, at: datetime,
           now: datetime, staff_id: int) -> dict:
    """A coupon claimed at a scan; redeemed at the same store within days for about half."""
    claimed_at = at + timedelta(minutes=2)
    row = {"code": new_coupon_code(), "offer_id": offer.id, "shopper_id": shopper,
           "claim_number": 1, "listing_id": tag.listing_id, "store_id": store.id,
           "claimed_at": claimed_at,
           "expires_at": claimed_at + timedelta(days=offer.coupon_valid_days),
           "redeemed_at": None, "redeemed_store_id": None, "redeemed_by_id": None,
           "sale_amount_cents": None, "discount_cents": None}
    redeemed_at = claimed_at + timedelta(minutes=rng.randrange(5, 60 * 24 * 5))
    if rng.random() < REDEEM_RATE and redeemed_at < min(now, row["expires_at"]):
        sale = tag.price_cents + rng.choice((0, 0, 2900, 4900, 8900))
        row.update(redeemed_at=redeemed_at, redeemed_store_id=store.id,
                   redeemed_by_id=staff_id, sale_amount_cents=sale,
                   discount_cents=sale * (offer.percent_off or 0) // 100)
    return row


EXPERIMENT_NAME = "Story page against Spotlight"
# The demo's finished experiment ran for four weeks, ending this many days ago.
EXPERIMENT_DAYS, EXPERIMENT_ENDED_DAYS_AGO = 28, 7


def seed_finished_experiment(retailer: Retailer, now: datetime | None = None) -> bool:
    """One finished experiment (issue 17) on the most scanned demo item: A its page as it
    is, B the Story template, 50/50; the history's scans of that item in those four weeks
    are marked with the variant their shopper's id assigns (as the scan path would have).
    Return False, writing nothing, when the retailer has an experiment already or no scans."""
    if db.session.scalar(select(Experiment.id).where(Experiment.retailer_id == retailer.id)
                         .limit(1)):
        return False
    now = now or utcnow()
    ends_at = now - timedelta(days=EXPERIMENT_ENDED_DAYS_AGO)
    starts_at = ends_at - timedelta(days=EXPERIMENT_DAYS)
    in_window = (Scan.retailer_id == retailer.id, Scan.scanned_at >= starts_at,
                 Scan.scanned_at < ends_at, Scan.is_bot.is_(False))
    listing_id = db.session.scalar(
        select(Scan.listing_id).where(*in_window).group_by(Scan.listing_id)
        .order_by(func.count().desc(), Scan.listing_id).limit(1))
    if listing_id is None:
        return False
    experiment = Experiment(retailer_id=retailer.id, listing_id=listing_id,
                            name=EXPERIMENT_NAME, starts_at=starts_at, ends_at=ends_at,
                            created_at=starts_at - timedelta(hours=1),
                            updated_at=starts_at - timedelta(hours=1))
    experiment.variants = [
        ExperimentVariant(position=0, label="As it is now", weight=50),
        ExperimentVariant(position=1, label="Template: Story", weight=50, template="story")]
    db.session.add(experiment)
    db.session.flush()
    scans = db.session.execute(select(Scan.id, Scan.shopper_id).where(
        *in_window, Scan.listing_id == listing_id, Scan.shopper_id.is_not(None))).all()
    by_variant: dict[int, list[int]] = {variant.id: [] for variant in experiment.variants}
    for scan_id, shopper_id in scans:
        variant = experiment.variants[assigned_position(experiment.id, shopper_id, (50, 50))]
        by_variant[variant.id].append(scan_id)
    for variant_id, scan_ids in by_variant.items():
        for first in range(0, len(scan_ids), 500):
            db.session.execute(update(Scan).where(Scan.id.in_(scan_ids[first:first + 500]))
                               .values(experiment_variant_id=variant_id))
    return True
