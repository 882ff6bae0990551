"""Experiments: the z-test on known numbers, stable and proportional assignment, the scan
showing (and recording) the assigned variant, the API's checks and the results per variant
on hand-made data."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from qrshop.analytics.experiments import VariantSpec
from qrshop.analytics.models import SalesLine
from qrshop.analytics.significance import two_proportion_z_test
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.experiment_path import assigned_position
from qrshop.shopper.models import Scan
from tests.analytics.experiment_helpers import (
    approved_revision,
    shoppers_of_variant,
    started_experiment,
)
from tests.api.engage import token_for
from tests.factories import make_shop
from tests.helpers import make_offer, new_phone


@pytest.fixture
def shop(app):
    """make_shop: Trail Widget tagged in NYC01 of retailer acme."""
    return make_shop()


def test_z_test_on_a_textbook_example():
    # 10% of 1,000 against 13% of 1,000: pooled 11.5%, SE 0.014267, z 2.1027, p 0.0355.
    result = two_proportion_z_test(100, 1000, 130, 1000)
    assert result.enough_data and result.significant
    assert result.z == pytest.approx(2.1027, abs=1e-4)
    assert result.p_value == pytest.approx(0.03549, abs=1e-5)
    # The same rates the other way round: the same p, z negated.
    assert two_proportion_z_test(130, 1000, 100, 1000).z == pytest.approx(-2.1027, abs=1e-4)
    # Equal rates: z 0, p 1.
    assert two_proportion_z_test(50, 500, 50, 500).p_value == pytest.approx(1.0)
    # 12% against 13%: not significant.
    assert not two_proportion_z_test(120, 1000, 130, 1000).significant


def test_z_test_says_not_enough_data_below_the_minimum_sample():
    result = two_proportion_z_test(5, 40, 15, 40)
    assert not result.enough_data and result.p_value is None
    assert result.reason.startswith("Not enough data yet")
    assert not two_proportion_z_test(0, 500, 3, 500).enough_data  # too few successes


@pytest.mark.parametrize("weights", [(50, 50), (34, 33, 33), (10, 90)])
def test_assignment_is_stable_and_split_as_asked_over_10000_shoppers(weights):
    shoppers = [secrets.token_urlsafe(16) for _ in range(10_000)]
    first = [assigned_position(42, shopper, weights) for shopper in shoppers]
    assert first == [assigned_position(42, shopper, weights) for shopper in shoppers]
    counts = Counter(first)
    for position, weight in enumerate(weights):
        assert abs(counts[position] / 10_000 - weight / 100) < 0.02, (position, counts)
    # Another experiment shuffles shoppers anew (not the same halves every time): two
    # independent draws differ for 1 - sum(w^2) of the shoppers.
    other = [assigned_position(43, shopper, weights) for shopper in shoppers]
    expected = 10_000 * (1 - sum((weight / 100) ** 2 for weight in weights))
    assert sum(a != b for a, b in zip(first, other, strict=True)) > 0.9 * expected


def _variant_on(html: str) -> str:
    if "Bold new look" in html:
        return "revision"
    if "Free gift wrap" in html:
        return "offer"
    return "current"


def test_each_shopper_sees_and_is_counted_under_one_variant(app, shop):
    offer = make_offer(shop.retailer, title="Free gift wrap", kind="perk",
                       perk_text="Free gift wrap")
    # This item's own offer: the page's best offer, which variant A keeps.
    make_offer(shop.retailer, title="15% off today", listing=shop.listing)
    revision = approved_revision(shop, "Bold new look")
    experiment = started_experiment(shop, [
        VariantSpec(34), VariantSpec(33, "revision", revision_id=revision.id),
        VariantSpec(33, "offer", offer_id=offer.id)])
    variant_ids = [variant.id for variant in experiment.variants]
    cookie = app.extensions["qrshop.shopper_cookie"]
    seen = Counter()
    for _ in range(12):
        phone = new_phone(app)
        pages = [phone.get(f"/t/{shop.tag.code}").get_data(as_text=True) for _ in range(3)]
        kinds = {_variant_on(html) for html in pages}
        assert len(kinds) == 1  # the same variant on every scan
        shopper_id = cookie.loads(phone.get_cookie(f"qs{shop.retailer.id}").value)
        position = assigned_position(experiment.id, shopper_id, (34, 33, 33))
        assert kinds == {("current", "revision", "offer")[position]}
        stored = db.session.scalars(select(Scan.experiment_variant_id).where(
            Scan.shopper_id == shopper_id)).all()
        assert stored == [variant_ids[position]] * 3
        seen[position] += 1
    assert len(seen) >= 2
    # A bot sees the listing as it is and is never assigned.
    bot = app.test_client()
    bot.environ_base["HTTP_USER_AGENT"] = "Googlebot/2.1 (+http://www.google.com/bot.html)"
    assert bot.get(f"/t/{shop.tag.code}").status_code == 200
    assert db.session.scalar(select(Scan.experiment_variant_id).where(
        Scan.is_bot.is_(True))) is None


def test_offer_variant_shows_its_offer_to_a_returning_shopper_who_can_claim_it(app, shop):
    offer = make_offer(shop.retailer, title="Free gift wrap", kind="perk",
                       perk_text="Free gift wrap")
    make_offer(shop.retailer, title="15% off today", listing=shop.listing)
    experiment = started_experiment(shop, [VariantSpec(1), VariantSpec(99, "offer",
                                                                      offer_id=offer.id)])
    cookie = app.extensions["qrshop.shopper_cookie"]
    for _ in range(20):  # find a shopper of B (99% of them)
        phone = new_phone(app)
        phone.get(f"/t/{shop.tag.code}")
        shopper_id = cookie.loads(phone.get_cookie(f"qs{shop.retailer.id}").value)
        if assigned_position(experiment.id, shopper_id, (1, 99)) == 1:
            break
    html = phone.get(f"/t/{shop.tag.code}").get_data(as_text=True)  # with the cookie now
    assert "Free gift wrap" in html and "15% off today" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    claim = phone.post(f"/t/{shop.tag.code}/coupon",
                       data={"csrf_token": token, "offer": str(offer.id)})
    assert claim.status_code == 303
    body = token_for("merchandiser", retailer_slug="acme")
    result = app.test_client().get(f"/api/v1/experiments/{experiment.id}",
                                   headers=body).get_json()
    b = result["variants"][1]
    assert (b["scans"], b["shoppers"], b["claims"]) == (2, 1, 1)


def test_results_per_variant_on_hand_made_data(app, shop, client):
    offer = make_offer(shop.retailer, title="Free gift wrap", kind="perk",
                       perk_text="Free gift wrap", listing=shop.listing)
    experiment = started_experiment(shop, [VariantSpec(50),
                                           VariantSpec(50, "offer", offer_id=offer.id)])
    a, b = (variant.id for variant in experiment.variants)
    # A: 200 shoppers, 20 claimed (10%); B: 200 shoppers, 40 claimed (20%), 8 redeemed.
    shoppers_of_variant(shop, a, 200, claimers=20, savers=10, offer=offer)
    shoppers_of_variant(shop, b, 200, claimers=40, savers=12, redeemers=8, offer=offer)
    now = utcnow()
    for line_id, quantity, at in (("S1", 3, now - timedelta(hours=2)),
                                  ("S2", -1, now - timedelta(hours=1)),  # a return
                                  ("S3", 5, now - timedelta(days=3))):  # before it started
        db.session.add(SalesLine(retailer_id=shop.retailer.id, line_id=line_id,
                                 store_id=shop.store.id, listing_id=shop.listing.id,
                                 sold_at=at, day=at.date(), quantity=quantity,
                                 amount_cents=quantity * 4999, currency="USD"))
    db.session.commit()
    headers = token_for("merchandiser", retailer_slug="acme")
    body = client.get(f"/api/v1/experiments/{experiment.id}", headers=headers).get_json()
    assert body["status"] == "running" and body["units_sold"] == 2
    assert body["method"].startswith("two-proportion z-test")
    va, vb = body["variants"]
    assert (va["scans"], va["shoppers"], va["saves"], va["claims"], va["redemptions"]) == (
        400, 200, 10, 20, 0)
    assert (vb["scans"], vb["shoppers"], vb["saves"], vb["claims"], vb["redemptions"]) == (
        400, 200, 12, 40, 8)
    assert va["claim_test"] is None
    # pooled 15%: z = 0.10 / sqrt(0.15 * 0.85 * 2/200) = 2.8006, p = 0.0051.
    assert vb["claim_test"]["z"] == pytest.approx(2.8006, abs=1e-4)
    assert vb["claim_test"]["p_value"] == pytest.approx(0.0051, abs=1e-4)
    assert vb["claim_test"]["significant"] is True
    assert vb["save_test"]["significant"] is False  # 5% against 6%
    # The console page names the method and shows the same figures.
    from tests.factories import login, make_user
    merch = make_user("merchandiser", retailer_slug="acme")
    login(client, merch.email)
    page = client.get(f"/console/experiments/{experiment.id}").get_data(as_text=True)
    assert "two-proportion z-test" in page
    assert 'data-significance="yes"' in page and "p = 0.0051" in page
    assert re.search(r"Units sold in your stores during the experiment.*<strong>2</strong>",
                     page)


def test_few_shoppers_show_not_enough_data_yet(shop, client):
    offer = make_offer(shop.retailer, title="Free gift wrap", kind="perk",
                       perk_text="Free gift wrap", listing=shop.listing)
    experiment = started_experiment(shop, [VariantSpec(50),
                                           VariantSpec(50, "offer", offer_id=offer.id)])
    shoppers_of_variant(shop, experiment.variants[1].id, 30, claimers=9, offer=offer)
    from tests.factories import login, make_user
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    page = client.get(f"/console/experiments/{experiment.id}").get_data(as_text=True)
    assert 'data-significance="not-enough"' in page and "Not enough data yet" in page
