"""A chain's sales: sales_chain_rollups always equals the sum of its stores' rows, a report on
every store reads it, and the lift report (which takes the control stores' units as the
chain's less the stores left out) gives what counting every store day by day gives, across
time zones, feeds that start late, a today that differs by zone and stores left out of the
control group."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from qrshop.analytics import sales_report
from qrshop.analytics.models import SalesChainRollup, SalesDayRollup
from qrshop.extensions import db
from qrshop.tags.services import create_tag
from tests.api.engage import token_for
from tests.factories import make_retailer, make_store, make_tag, make_vendor

START = date(2026, 9, 20)  # the sales run from here to NOW's days
NOW = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)  # 01:30 in New York, 22:30 the 9th in LA


def _chain(client):
    """Four stores in three zones, three listings; lines from the API at random."""
    retailer = make_retailer("chainco")
    vendor = make_vendor("chainvendor")
    stores = [make_store(retailer, "NYC01"), make_store(retailer, "BOS01"),
              make_store(retailer, "CHI01", timezone="America/Chicago"),
              make_store(retailer, "LAX01", timezone="America/Los_Angeles"),
              make_store(retailer, "SEA01", timezone="America/Los_Angeles")]  # no sales
    tags = [make_tag(retailer, stores[0], vendor, name=f"Item {n}") for n in range(3)]
    listings = [tag.listing for tag in tags]
    # First prints: item 0 at NYC01 on 20 Oct and at LAX01 on 25 Oct (so LAX01 is left out
    # of NYC01's control group); item 1 at NYC01 on 28 Oct and at CHI01 long before,
    # retired in September (CHI01 stays in the control group); item 2 is never printed.
    tags[0].printed_at = datetime(2026, 10, 20, 15, tzinfo=UTC)
    lax = create_tag(listings[0], stores[3], "Front")
    lax.printed_at = datetime(2026, 10, 25, 18, tzinfo=UTC)
    tags[1].printed_at = datetime(2026, 10, 28, 14, tzinfo=UTC)
    chi = create_tag(listings[1], stores[2], "Back")
    chi.printed_at, chi.retired_at = (datetime(2026, 8, 1, tzinfo=UTC),
                                      datetime(2026, 9, 10, tzinfo=UTC))
    db.session.commit()
    merch = token_for("merchandiser", retailer_slug="chainco")
    rng = random.Random(5)
    lines = []
    for n in range(900):
        store = rng.choice(stores[:4])
        first = START + timedelta(days=10 if store.code == "BOS01" else 0)  # a late feed
        moment = datetime.combine(first, datetime.min.time(), UTC) + timedelta(
            seconds=rng.randrange(int((NOW - datetime.combine(first, datetime.min.time(),
                                                              UTC)).total_seconds())))
        quantity = -1 if n % 17 == 0 else rng.choice((1, 1, 2, 3))
        lines.append({"store": store.code, "sku": rng.choice(listings).sku,
                      "sold_at": moment.isoformat(), "quantity": quantity,
                      "amount_cents": quantity * 1500, "currency": "USD",
                      "line_id": f"L{n}"})
    body = client.post("/api/v1/sales", json={"items": lines}, headers=merch).get_json()
    assert body["failed"] == 0, body
    return retailer, stores, listings


def _reference(retailer, stores, first, last, weeks, now):
    """Lift counted store by store and day by day (the report's first implementation)."""
    zones = {store.id: ZoneInfo(store.timezone) for store in stores}
    rows = db.session.execute(select(SalesDayRollup.store_id, SalesDayRollup.listing_id,
                                     SalesDayRollup.day, SalesDayRollup.units)).all()
    units: dict = defaultdict(dict)
    feed: dict[int, date] = {}
    for store_id, listing_id, day, count in rows:
        units[(store_id, listing_id)][day] = count
        feed[store_id] = min(day, feed.get(store_id, day))
    today = {store_id: now.astimezone(zone).date() for store_id, zone in zones.items()}
    shelf = defaultdict(list)
    from qrshop.tags.models import Tag
    for tag in db.session.scalars(select(Tag).where(Tag.printed_at.is_not(None))):
        shelf[(tag.store_id, tag.listing_id)].append((tag.printed_at, tag.retired_at))

    def measure(store_id, listing_id, begin, end):
        days = total = 0
        day = begin
        while day <= end:
            if store_id in feed and feed[store_id] <= day < today[store_id]:
                days += 1
                total += units[(store_id, listing_id)].get(day, 0)
            day += timedelta(days=1)
        return days, total

    found = {}
    span = timedelta(days=7 * weeks)
    for (store_id, listing_id), printed in shelf.items():
        d0 = min(at for at, _ in printed).astimezone(zones[store_id]).date()
        if not first <= d0 <= last:
            continue
        after_last = d0 + span - timedelta(days=1)
        control_days = control_units = control_stores = 0
        for other in zones:
            if other == store_id or sales_report._tagged_during(
                    shelf.get((other, listing_id), ()), zones[other], d0 - span, after_last):
                continue
            days, total = measure(other, listing_id, d0, after_last)
            control_stores += 1
            control_days += days
            control_units += total
        found[(store_id, listing_id)] = (
            measure(store_id, listing_id, d0 - span, d0 - timedelta(days=1)),
            measure(store_id, listing_id, d0, after_last),
            (control_stores, control_days, control_units))
    return found


def test_the_chain_rollup_is_the_sum_of_its_stores(client, app):
    retailer, stores, listings = _chain(client)
    chain = {(day, listing_id): (units, amount, lines) for day, listing_id, units, amount, lines
             in db.session.execute(select(
                 SalesChainRollup.day, SalesChainRollup.listing_id, SalesChainRollup.units,
                 SalesChainRollup.amount_cents, SalesChainRollup.lines))}
    summed = {(day, listing_id): tuple(map(int, values)) for day, listing_id, *values
              in db.session.execute(select(
                  SalesDayRollup.day, SalesDayRollup.listing_id, func.sum(SalesDayRollup.units),
                  func.sum(SalesDayRollup.amount_cents), func.sum(SalesDayRollup.lines))
                  .group_by(SalesDayRollup.day, SalesDayRollup.listing_id))}
    assert chain == summed and len(chain) > 100
    # Every store: the chain's rows; some stores: theirs. Both agree with the store rows.
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    whole = sales_report.sales_totals(stores, first, last)
    parts = [sales_report.sales_totals([store], first, last) for store in stores]
    for listing in listings:
        assert whole[listing.id] == tuple(
            sum(part.get(listing.id, (0, 0))[n] for part in parts) for n in (0, 1))


def test_lift_equals_counting_every_store_day_by_day(client, app):
    retailer, stores, listings = _chain(client)
    for weeks, first, last in ((1, date(2026, 10, 1), date(2026, 10, 31)),
                               (2, date(2026, 10, 15), date(2026, 11, 9)),
                               (4, date(2026, 10, 1), date(2026, 11, 30))):
        rows = sales_report.lift_rows(retailer, stores, first, last, weeks, now=NOW)
        expected = _reference(retailer, stores, first, last, weeks, NOW)
        codes = {store.code: store.id for store in stores}
        got = {(codes[row["store"]], row["listing_id"]): (
            (row["before"]["days"], row["before"]["units"]),
            (row["after"]["days"], row["after"]["units"]),
            (row["control"]["stores"], row["control"]["days"], row["control"]["units"]))
            for row in rows}
        assert got == expected and len(got) >= 2, (weeks, got, expected)
    # NYC01's item 0: LAX01 printed it during the weeks, so three stores are the control.
    row = next(row for row in sales_report.lift_rows(
        retailer, stores, date(2026, 10, 1), date(2026, 10, 31), 2, now=NOW)
        if row["store"] == "NYC01" and row["listing_id"] == listings[0].id)
    assert row["control"]["stores"] == 3
