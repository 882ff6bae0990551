"""/api/v1/experiments: a retailer's systems list, read (with results per variant), start
and end experiments (merchandiser token; the console's rules, in analytics.experiments)."""

from __future__ import annotations

from typing import Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import select

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import experiments
from qrshop.analytics.experiment_models import Experiment
from qrshop.analytics.experiment_report import experiment_results, results_dict
from qrshop.api.fields import UtcDateTime
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput


class VariantIn(BaseModel):
    """One variant: the listing as it is (kind current), another template, another approved
    revision or another offer; and its share of shoppers in percent."""

    model_config = ConfigDict(extra="forbid", title="ExperimentVariantIn")

    weight: StrictInt = Field(ge=1, le=99, description="Percent of shoppers; the variants' "
                                                       "weights add up to 100.")
    kind: Literal["current", "template", "revision", "offer"] = "current"
    template: Optional[str] = Field(None, max_length=32, description="For kind template.")
    revision_id: Optional[StrictInt] = Field(None, ge=1, description="For kind revision: "
                                             "a revision of the product you approved.")
    offer_id: Optional[StrictInt] = Field(None, ge=1, description="For kind offer: one of "
                                          "your offers for this item or every item.")
    label: str = Field("", max_length=60, description="Optional name of the variant.")


class ExperimentCreate(BaseModel):
    """A new experiment on one listing."""

    model_config = ConfigDict(extra="forbid", title="ExperimentCreate")

    sku: str = Field(min_length=1, max_length=64, description="The listing's SKU.")
    name: str = Field(min_length=1, max_length=120)
    starts_at: Optional[UtcDateTime] = Field(None, description="ISO 8601 with offset; "
                                                               "absent: now.")
    ends_at: UtcDateTime = Field(description="ISO 8601 with offset; after starts_at.")
    variants: list[VariantIn] = Field(min_length=2, max_length=3, description="A, B (and C).")


class ExperimentOut(BaseModel):
    """An experiment with its results per variant (docs/experiments.md)."""

    model_config = ConfigDict(title="Experiment", extra="allow")

    id: int
    name: str
    sku: str
    status: Literal["scheduled", "running", "finished"]
    starts_at: str
    ends_at: str
    ended_at: Optional[str]
    method: str = Field(description="The significance test used.")
    units_sold: int
    variants: list[dict]


class ExperimentsQuery(CursorQuery):
    """Filters of the experiment list."""

    sku: Optional[str] = Field(None, max_length=64, description="One listing's experiments.")


ExperimentPage = page_model(ExperimentOut, "ExperimentPage")


def _json(experiment: Experiment) -> dict:
    return results_dict(experiment_results(experiment, utcnow()))


def _listing_id(sku: str) -> int:
    listing = catalog.listing_by_sku_any_case(g.api_user.retailer_id, sku)
    if listing is None:
        raise InvalidInput(f"sku: no item has the SKU {sku!r}.", code="unknown_sku")
    return listing.id


@bp.get("/experiments")
@api_roles_required(Role.MERCHANDISER, scope="experiments:read")
@operation(summary="List the retailer's experiments with their results", tags=("analytics",),
           query=ExperimentsQuery,
           responses={200: (ExperimentPage, "A page of experiments, oldest first.")})
def list_experiments(query: ExperimentsQuery):
    """A page of the token's retailer's experiments, each with its results."""
    statement = select(Experiment).where(Experiment.retailer_id == g.api_user.retailer_id)
    if query.sku is not None:
        statement = statement.where(Experiment.listing_id == _listing_id(query.sku))
    return jsonify(cursor_page(statement, Experiment.id, query, _json))


@bp.get("/experiments/<int:experiment_id>")
@api_roles_required(Role.MERCHANDISER, scope="experiments:read")
@operation(summary="Get an experiment and its results per variant", tags=("analytics",),
           responses={200: (ExperimentOut, "The experiment."),
                      404: (ErrorBody, "not_found: no experiment of yours has this id.")})
def get_experiment(experiment_id: int):
    """One experiment of the token's retailer, with scans, saves, claims, redemptions and
    the significance test per variant."""
    return jsonify(_json(experiments.owned_experiment(experiment_id, g.api_user.retailer_id)))


@bp.post("/experiments")
@api_roles_required(Role.MERCHANDISER, scope="experiments:write")
@operation(summary="Start an experiment on a listing", tags=("analytics",),
           body=ExperimentCreate,
           responses={201: (ExperimentOut, "Created (running, or scheduled)."),
                      409: (ErrorBody, "experiment_overlaps: the listing has an experiment "
                                       "then."),
                      422: (ErrorBody, "invalid_input (the message says what to fix) or "
                                       "unknown_sku.")})
def create_experiment(body: ExperimentCreate):
    """Start (or schedule) an experiment; the same checks as the console's form."""
    now = utcnow()
    experiment = experiments.create_experiment(
        g.api_user.retailer, g.api_user, _listing_id(body.sku), name=body.name,
        starts_at=body.starts_at or now, ends_at=body.ends_at, now=now,
        variants=[experiments.VariantSpec(**variant.model_dump()) for variant in body.variants])
    return jsonify(_json(experiment)), 201


@bp.post("/experiments/<int:experiment_id>/end")
@api_roles_required(Role.MERCHANDISER, scope="experiments:write")
@operation(summary="End an experiment now", tags=("analytics",),
           responses={200: (ExperimentOut, "Ended; its results stay readable."),
                      404: (ErrorBody, "not_found."),
                      409: (ErrorBody, "already_finished.")})
def end_experiment(experiment_id: int):
    """End a running (or scheduled) experiment now: every shopper sees the listing as it is
    again within a second."""
    experiment = experiments.owned_experiment(experiment_id, g.api_user.retailer_id)
    return jsonify(_json(experiments.end_experiment(experiment, utcnow())))
