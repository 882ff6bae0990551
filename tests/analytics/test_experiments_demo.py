"""`qrshop demo` seeds one finished experiment with readable results, once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from qrshop.analytics.experiment_models import Experiment
from qrshop.demo_history import EXPERIMENT_NAME
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.factories import login


def test_demo_seeds_one_finished_experiment_once(app, runner, client):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    experiment = db.session.scalar(select(Experiment))
    assert experiment.name == EXPERIMENT_NAME
    marked = dict(db.session.execute(
        select(Scan.experiment_variant_id, func.count()).where(
            Scan.experiment_variant_id.is_not(None)).group_by(Scan.experiment_variant_id)).all())
    assert set(marked) == {variant.id for variant in experiment.variants}
    assert all(count > 20 for count in marked.values())
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0  # idempotent
    assert db.session.scalar(select(func.count()).select_from(Experiment)) == 1
    password = json.loads((Path(app.instance_path) / "demo-logins.json").read_text())
    login(client, "merchandiser@demo.qrshop.test", password["merchandiser@demo.qrshop.test"])
    page = client.get(f"/console/experiments/{experiment.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="finished"' in html and "two-proportion z-test" in html
