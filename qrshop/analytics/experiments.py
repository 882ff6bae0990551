"""Experiments' rules: starting one on a listing (checked variants, split and times),
ending it early, finding a retailer's (docs/experiments.md). Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select

from qrshop.analytics.experiment_models import Experiment, ExperimentVariant
from qrshop.catalog import queries as catalog_queries
from qrshop.content import queries as content_queries
from qrshop.content.templates import TEMPLATES
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.offers import queries as offer_queries
from qrshop.web import owned_or_404

MAX_DAYS = 180
KINDS = ("current", "template", "revision", "offer")


@dataclass(frozen=True)
class VariantSpec:
    """A variant as a merchandiser asks for it: what it changes and its share (percent)."""

    weight: int
    kind: str = "current"  # current, template, revision or offer
    template: Optional[str] = None
    revision_id: Optional[int] = None
    offer_id: Optional[int] = None
    label: str = ""


def owned_experiment(experiment_id: Optional[int], retailer_id: int) -> Experiment:
    """The retailer's experiment with this id, else 404 (another retailer's too)."""
    return owned_or_404(Experiment, experiment_id, "No such experiment.",
                        retailer_id=retailer_id)


def experiments_of(retailer_id: int, listing_id: Optional[int] = None) -> list[Experiment]:
    """The retailer's experiments (one listing's if given), newest first."""
    query = select(Experiment).where(Experiment.retailer_id == retailer_id)
    if listing_id is not None:
        query = query.where(Experiment.listing_id == listing_id)
    return list(db.session.scalars(query.order_by(Experiment.starts_at.desc(),
                                                  Experiment.id.desc())))


def _overlapping(listing_id: int, starts_at: datetime, ends_at: datetime
                 ) -> Optional[Experiment]:
    """An experiment of the listing whose time overlaps [starts_at, ends_at), if any."""
    for other in experiments_of_listing(listing_id):
        if other.starts_at < ends_at and starts_at < other.effective_end:
            return other
    return None


def experiments_of_listing(listing_id: int) -> list[Experiment]:
    """Every experiment of a listing."""
    return list(db.session.scalars(select(Experiment).where(
        Experiment.listing_id == listing_id)))


def _checked_variant(spec: VariantSpec, number: int, retailer, listing, starts_at: datetime
                     ) -> VariantSpec:
    """The variant with only what its kind uses, or InvalidInput saying what to fix."""
    letter = "ABC"[number]
    if spec.kind not in KINDS:
        raise InvalidInput(f"Variant {letter}: the kind must be one of {', '.join(KINDS)}.")
    if not 1 <= spec.weight <= 99:
        raise InvalidInput(f"Variant {letter}: its share must be a whole percent from 1 to "
                           f"99.")
    label = (spec.label or "").strip()[:60]
    if spec.kind == "template":
        if spec.template not in TEMPLATES:
            raise InvalidInput(f"Variant {letter}: choose a template ({', '.join(TEMPLATES)}).")
        if spec.template not in retailer.enabled_templates:
            raise InvalidInput(f"Variant {letter}: the template {spec.template!r} is not "
                               f"enabled for your shops; enable it on the templates page.")
        return VariantSpec(spec.weight, "template", template=spec.template,
                           label=label or f"Template: {TEMPLATES[spec.template].label}")
    if spec.kind == "revision":
        approved = {revision.id: revision for revision in
                    content_queries.approved_revisions(listing.product_id, retailer.id)}
        if spec.revision_id not in approved:
            raise InvalidInput(f"Variant {letter}: choose a content revision of this product "
                               f"that you approved.")
        return VariantSpec(spec.weight, "revision", revision_id=spec.revision_id,
                           label=label or f"Revision {approved[spec.revision_id].number}")
    if spec.kind == "offer":
        offers = {offer.id: offer for offer in
                  offer_queries.listing_offers(retailer.id, listing.id, starts_at)}
        if spec.offer_id not in offers:
            raise InvalidInput(f"Variant {letter}: choose one of your offers for this item "
                               f"(or every item) that runs after the experiment starts.")
        return VariantSpec(spec.weight, "offer", offer_id=spec.offer_id,
                           label=label or f"Offer: {offers[spec.offer_id].title}"[:60])
    return VariantSpec(spec.weight, "current", label=label or "As it is now")


def create_experiment(retailer, user, listing_id: Optional[int], *, name: str,
                      starts_at: datetime, ends_at: datetime, variants: list[VariantSpec],
                      now: datetime) -> Experiment:
    """Start (or schedule) an experiment on one of the retailer's listings; InvalidInput
    (422, 409 for an overlapping experiment) names what to fix."""
    listing = catalog_queries.owned_listing(listing_id, retailer.id, "No such listing.")
    catalog_queries.lock_listing(listing.id)  # one experiment at a time, even racing
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give the experiment a name of 1 to 120 characters.")
    if starts_at < now - timedelta(minutes=5):
        raise InvalidInput("The start cannot be in the past; leave it out to start now.")
    if ends_at <= starts_at:
        raise InvalidInput("The end must be after the start.")
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"An experiment runs at most {MAX_DAYS} days.")
    if not 2 <= len(variants) <= 3:
        raise InvalidInput("An experiment has two or three variants.")
    checked = [_checked_variant(spec, number, retailer, listing, starts_at)
               for number, spec in enumerate(variants)]
    total = sum(spec.weight for spec in checked)
    if total != 100:
        raise InvalidInput(f"The variants' shares must add up to 100 (they add up to "
                           f"{total}), e.g. 50/50 or 34/33/33.")
    changes = [(spec.template, spec.revision_id, spec.offer_id) for spec in checked]
    if len(set(changes)) != len(changes):
        raise InvalidInput("Two variants show the same thing; make each one different.")
    other = _overlapping(listing.id, starts_at, ends_at)
    if other is not None:
        raise InvalidInput(
            f"This listing already has an experiment from {other.starts_at:%Y-%m-%d %H:%M} "
            f"to {other.effective_end:%Y-%m-%d %H:%M} UTC (\u201c{other.name}\u201d); one "
            f"experiment runs on a listing at a time: end it first or pick other dates.",
            code="experiment_overlaps", status_code=409)
    experiment = Experiment(retailer_id=retailer.id, listing_id=listing.id, name=name,
                            starts_at=starts_at, ends_at=ends_at,
                            created_by_id=user.id if user else None)
    experiment.variants = [
        ExperimentVariant(position=number, label=spec.label, weight=spec.weight,
                          template=spec.template, revision_id=spec.revision_id,
                          offer_id=spec.offer_id)
        for number, spec in enumerate(checked)]
    db.session.add(experiment)
    db.session.flush()
    return experiment


def end_experiment(experiment: Experiment, now: datetime) -> Experiment:
    """End it now (a scheduled one ends before it starts); 409 if it has finished."""
    if experiment.status(now) == "finished":
        raise InvalidInput("This experiment has already finished.", code="already_finished",
                           status_code=409)
    experiment.ended_at = now  # a scheduled one is never shown
    db.session.flush()
    return experiment
