"""The running experiments as the scan path needs them: ONE query, run at most once per
LANDING_DATA_MAX_AGE_SECONDS per process (shopper.experiment_path.ScanExperiments keeps it).

A read model (docs/architecture.md): it reads each variant's revision slots and offer beside
the experiment, so refreshing every running experiment stays one round trip on the scan
handler's own connection (the fast path has no Flask session).
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from sqlalchemy import Text, and_, bindparam, case, cast, or_, select

from qrshop.analytics.experiment_models import Experiment, ExperimentVariant
from qrshop.content.models import ContentRevision
from qrshop.db import DriverConnection, DriverStatement, UTCDateTime
from qrshop.offers.landing import OfferTeaser
from qrshop.offers.models import Offer
from qrshop.shopper.experiment_path import ExperimentPlan, VariantPlan


def _plans_statement() -> DriverStatement:
    """Built once: every variant of every experiment running at :now."""
    experiments, variants = Experiment.__table__, ExperimentVariant.__table__
    revisions, offers = ContentRevision.__table__, Offer.__table__
    now = bindparam("now", type_=UTCDateTime())
    end = case((and_(experiments.c.ended_at.is_not(None),
                     experiments.c.ended_at < experiments.c.ends_at), experiments.c.ended_at),
               else_=experiments.c.ends_at)
    claimable = and_(offers.c.starts_at <= now, offers.c.ends_at > now,
                     or_(offers.c.total_limit.is_(None),
                         offers.c.claimed_count < offers.c.total_limit))
    return DriverStatement(
        select(experiments.c.id, experiments.c.listing_id, experiments.c.starts_at,
               experiments.c.ends_at, experiments.c.ended_at, variants.c.id,
               variants.c.weight, variants.c.template, variants.c.revision_id,
               cast(revisions.c.slots, Text), offers.c.id, offers.c.title,
               offers.c.per_shopper_limit, offers.c.store_id, case((claimable, 1), else_=0))
        .join(variants, variants.c.experiment_id == experiments.c.id)
        .outerjoin(revisions, revisions.c.id == variants.c.revision_id)
        .outerjoin(offers, offers.c.id == variants.c.offer_id)
        .where(experiments.c.starts_at <= now, end > now)
        .order_by(experiments.c.id, variants.c.position))


_PLANS = _plans_statement()


def running_plans(driver: DriverConnection, now: datetime) -> list[ExperimentPlan]:
    """Every experiment running at `now`, with what each variant changes."""
    plans = []
    for _, rows in groupby(_PLANS.all(driver, {"now": now}), key=lambda row: row[0]):
        rows = list(rows)
        experiment_id, listing_id, starts_at, ends_at, ended_at = rows[0][:5]
        if ended_at is not None and ended_at < ends_at:
            ends_at = ended_at
        variants = tuple(
            VariantPlan(id=variant_id, template=template, revision_id=revision_id,
                        content_json=slots,
                        offer=(OfferTeaser(offer_id, title, per_shopper)
                               if offer_id is not None else None),
                        offer_store_id=store_id, offer_claimable=bool(claimable))
            for (*_, variant_id, _weight, template, revision_id, slots, offer_id, title,
                 per_shopper, store_id, claimable) in rows)
        plans.append(ExperimentPlan(experiment_id, listing_id, starts_at, ends_at,
                                    tuple(row[6] for row in rows), variants))
    return plans
