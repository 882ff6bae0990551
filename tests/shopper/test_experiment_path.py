"""Experiments on the scan path: the running experiments are read once per max age, not per
scan; a listing without one costs a dict lookup; the fast path serves a variant's page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qrshop.analytics.experiments import VariantSpec
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.shopper.experiment_path import ExperimentPlan, ScanExperiments, VariantPlan
from qrshop.shopper.models import Scan
from tests.analytics.experiment_helpers import approved_revision, started_experiment
from tests.factories import make_shop
from tests.helpers import new_phone


def test_running_experiments_are_read_once_per_max_age_not_per_scan():
    now = utcnow()
    plan = ExperimentPlan(7, listing_id=3, starts_at=now - timedelta(hours=1),
                          ends_at=now + timedelta(hours=1), weights=(50, 50),
                          variants=(VariantPlan(70), VariantPlan(71, template="story")))
    reads, clock = [], [100.0]

    def loader(driver, at):
        reads.append(at)
        return [plan]

    kept = ScanExperiments(loader, max_age=1.0, clock=lambda: clock[0])
    for _ in range(50):
        assert kept.plan(3, driver=None) is plan
        assert kept.plan(4, driver=None) is None  # no experiment: a dict lookup
    assert len(reads) == 1
    clock[0] += 1.0
    kept.plan(4, driver=None)
    assert len(reads) == 2
    # The same shopper always gets the same variant; the variant's page is built once.
    assert {plan.variant_for("shopper-1").id for _ in range(20)} == {
        plan.variant_for("shopper-1").id}


def test_an_ended_plan_is_not_shown_even_while_kept():
    now = utcnow()
    plan = ExperimentPlan(7, 3, now - timedelta(hours=2), now - timedelta(seconds=1), (50, 50),
                          (VariantPlan(70), VariantPlan(71)))
    kept = ScanExperiments(lambda driver, at: [plan], max_age=60.0)
    assert kept.plan(3, driver=None) is None


def test_the_fast_path_serves_and_records_a_variant(app):
    shop = make_shop()
    revision = approved_revision(shop, "Bold new look")
    experiment = started_experiment(shop, [VariantSpec(1), VariantSpec(
        99, "revision", revision_id=revision.id)])
    fast = app.extensions["qrshop.scan_fast_path"]
    url = f"/t/{shop.tag.code}"
    cookie = app.extensions["qrshop.shopper_cookie"]
    pages = []
    for _ in range(4):  # phones, most of them in B (99%)
        phone = new_phone(app)
        phone.get(url)  # renders the variant's page in this process if need be
        served = fast.served
        pages.append(phone.get(url).get_data(as_text=True))
        assert fast.served == served + 1
        shopper_id = cookie.loads(phone.get_cookie(f"qs{shop.retailer.id}").value)
        variants = set(db.session.scalars(select(Scan.experiment_variant_id).where(
            Scan.shopper_id == shopper_id)))
        assert len(variants) == 1
        shows_b = "Bold new look" in pages[-1]
        assert variants == {experiment.variants[1 if shows_b else 0].id}
    assert any("Bold new look" in page for page in pages)


def test_a_template_variant_renders_for_its_shoppers(app):
    shop = make_shop()
    approved_revision(shop, "Live title")
    experiment = started_experiment(shop, [VariantSpec(50), VariantSpec(50, "template",
                                                                       template="specs")])
    for _ in range(6):
        phone = new_phone(app)
        assert phone.get(f"/t/{shop.tag.code}").status_code == 200
    counted = db.session.scalars(select(Scan.experiment_variant_id)).all()
    assert len(counted) == 6
    assert set(counted) <= {variant.id for variant in experiment.variants}
