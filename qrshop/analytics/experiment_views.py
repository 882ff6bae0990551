"""Console pages of experiments: a listing's experiments and the form that starts one
(/console/listings/<id>/experiments), every experiment (/console/experiments), one
experiment's results (/console/experiments/<id>) and ending it early."""

from __future__ import annotations

from datetime import UTC
from typing import Optional
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional as Blank

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import experiments
from qrshop.analytics.experiment_report import experiment_results
from qrshop.catalog import queries as catalog
from qrshop.content import queries as content_queries
from qrshop.content.templates import TEMPLATES
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.offers import queries as offer_queries
from qrshop.parsing import LocalMinuteField, WholeNumberField, row_id
from qrshop.web import refused

bp = Blueprint("experiments", __name__)
LETTERS = "ABC"


class ExperimentForm(FlaskForm):
    """Name, times, and what each of two or three variants shows to what share."""

    name = StringField("Name", validators=[Blank()])
    starts_at = LocalMinuteField("Starts (empty: now)", validators=[Blank()])
    ends_at = LocalMinuteField("Ends", validators=[Blank()])
    show_a = SelectField("Variant A shows", validate_choice=False)
    weight_a = WholeNumberField("Share of shoppers (%)", minimum=1, maximum=99, default=50,
                                validators=[Blank()])
    show_b = SelectField("Variant B shows", validate_choice=False)
    weight_b = WholeNumberField("Share of shoppers (%)", minimum=1, maximum=99, default=50,
                                validators=[Blank()])
    show_c = SelectField("Variant C shows", validate_choice=False)
    weight_c = WholeNumberField("Share of shoppers (%)", minimum=1, maximum=99,
                                validators=[Blank()])


def _zone() -> ZoneInfo:
    """Times are typed in the retailer's first store's time zone."""
    store = accounts.first_store(current_user.retailer_id)
    try:
        return ZoneInfo(store.timezone if store else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _choices(listing) -> list:
    """What a variant may show, grouped: the listing as is, templates, revisions, offers."""
    retailer = current_user.retailer
    groups = [("current", "The listing as it is now")]
    groups += [(f"template:{name}", f"Template: {TEMPLATES[name].label}")
               for name in TEMPLATES if name in retailer.enabled_templates]
    groups += [(f"revision:{revision.id}", f"Approved content revision {revision.number} "
                                           f"({revision.locale})")
               for revision in content_queries.approved_revisions(listing.product_id,
                                                                  retailer.id)]
    groups += [(f"offer:{offer.id}", f"Offer: {offer.title}")
               for offer in offer_queries.listing_offers(retailer.id, listing.id, utcnow())]
    return groups


def _spec(choice: Optional[str], weight: Optional[int], letter: str
          ) -> experiments.VariantSpec:
    """A variant from the form's choice ("template:story", "revision:12", "offer:5")."""
    kind, _, value = (choice or "current").partition(":")
    if weight is None:
        raise InvalidInput(f"Variant {letter}: give its share of shoppers in percent.")
    if kind == "template":
        return experiments.VariantSpec(weight, kind, template=value)
    if kind in ("revision", "offer"):
        number = row_id(value)
        if number is None:
            raise InvalidInput(f"Variant {letter}: choose what it shows from the list.")
        return experiments.VariantSpec(weight, kind, **{f"{kind}_id": number})
    return experiments.VariantSpec(weight, "current" if kind == "current" else kind)


def _listing_page(listing, form: ExperimentForm, status: int = 200):
    choices = _choices(listing)
    form.show_a.choices = form.show_b.choices = choices
    form.show_c.choices = [("", "No third variant")] + choices
    return render_template("analytics/experiments_listing.html", listing=listing, form=form,
                           experiments=experiments.experiments_of(current_user.retailer_id,
                                                                  listing.id),
                           now=utcnow(), timezone=_zone().key), status


@bp.route("/console/listings/<int:listing_id>/experiments", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def listing_experiments(listing_id: int):
    """A listing's experiments, and the form that starts one."""
    listing = catalog.owned_listing(listing_id, current_user.retailer_id, "No such listing.")
    form = ExperimentForm()
    if request.method == "GET":
        choices = _choices(listing)
        form.show_a.data = "current"
        form.show_b.data = choices[1][0] if len(choices) > 1 else "current"
        return _listing_page(listing, form)
    if not form.validate_on_submit():
        flash("Check the marked fields." if form.errors.keys() - {"csrf_token"}
              else "The form expired; reload the page and try again.", "error")
        return _listing_page(listing, form, 400 if "csrf_token" in form.errors else 422)
    zone, now = _zone(), utcnow()
    try:
        if form.ends_at.data is None:
            raise InvalidInput("Give the end date and time.")
        variants = [_spec(form.show_a.data, form.weight_a.data, "A"),
                    _spec(form.show_b.data, form.weight_b.data, "B")]
        if form.show_c.data:
            variants.append(_spec(form.show_c.data, form.weight_c.data, "C"))
        starts_at = (form.starts_at.data.replace(tzinfo=zone).astimezone(UTC)
                     if form.starts_at.data else now)
        experiment = experiments.create_experiment(
            current_user.retailer, current_user, listing.id, name=form.name.data or "",
            starts_at=starts_at, ends_at=form.ends_at.data.replace(tzinfo=zone).astimezone(UTC),
            variants=variants, now=now)
    except InvalidInput as error:
        flash(error.message, "error")
        return _listing_page(listing, form, refused(error))
    flash(f"Experiment \u201c{experiment.name}\u201d saved.", "info")
    return redirect(url_for("experiments.results", experiment_id=experiment.id))


@bp.get("/console/experiments")
@roles_required(Role.MERCHANDISER)
def index():
    """Every experiment of the retailer: running, scheduled and finished."""
    found = experiments.experiments_of(current_user.retailer_id)
    listings = {listing_id: catalog.listing(listing_id)
                for listing_id in {experiment.listing_id for experiment in found}}
    return render_template("analytics/experiments.html", experiments=found,
                           listings=listings, now=utcnow())


@bp.get("/console/experiments/<int:experiment_id>")
@roles_required(Role.MERCHANDISER)
def results(experiment_id: int):
    """One experiment's results per variant, with the significance test named."""
    experiment = experiments.owned_experiment(experiment_id, current_user.retailer_id)
    return render_template("analytics/experiment.html",
                           results=experiment_results(experiment, utcnow()),
                           end_form=FlaskForm(), zone=_zone())


@bp.post("/console/experiments/<int:experiment_id>/end")
@roles_required(Role.MERCHANDISER)
def end(experiment_id: int):
    """End an experiment now; its results stay readable."""
    experiment = experiments.owned_experiment(experiment_id, current_user.retailer_id)
    if not FlaskForm().validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return redirect(url_for("experiments.results", experiment_id=experiment.id)), 303
    try:
        experiments.end_experiment(experiment, utcnow())
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("experiments.results", experiment_id=experiment.id)), 303
    flash("Experiment ended: every shopper sees the listing as it is again.", "info")
    return redirect(url_for("experiments.results", experiment_id=experiment.id), 303)

