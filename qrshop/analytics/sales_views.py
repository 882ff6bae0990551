"""Console pages of the sales feed: /console/sales (CSV upload, sharing with vendors) and
/console/analytics/lift (the lift report); /vendor/analytics/lift for vendors."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import sales_report, services
from qrshop.analytics.sales_imports import SHOWN_ERRORS, import_sales_rows
from qrshop.analytics.views import local_today
from qrshop.catalog.imports import RowErrors, read_csv
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.parsing import whole_number
from qrshop.web import refused

bp = Blueprint("sales", __name__)


class SalesUploadForm(FlaskForm):
    """A sales CSV to import, all or nothing."""

    file = FileField("CSV file (columns store,sku,sold_at,quantity,amount_cents,currency,"
                     "line_id)")


class SharingForm(FlaskForm):
    """Whether vendors see units and lift of their products."""

    share_sales_with_vendors = BooleanField("Share units sold and lift of their products with "
                                            "vendors (counts per retailer only)")


def _page(form: SalesUploadForm, bad=None, status: int = 200):
    sharing = SharingForm(formdata=None, data={
        "share_sales_with_vendors": current_user.retailer.share_sales_with_vendors})
    return render_template("analytics/sales.html", form=form, sharing=sharing,
                           bad=(bad or [])[:SHOWN_ERRORS], bad_total=len(bad or [])), status


@bp.route("/console/sales", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def upload():
    """Upload POS sales lines as CSV: every line checked, then all stored or none."""
    form = SalesUploadForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return _page(form, status=400)
    try:
        upload_file = form.file.data
        if upload_file is None or not upload_file.filename:
            raise InvalidInput("Choose a CSV file.", status_code=400)
        stored, known = import_sales_rows(current_user.retailer, read_csv(
            upload_file.read(), max_bytes=5 * 1024 * 1024))
    except RowErrors as errors:
        return _page(form, errors.bad, refused(errors))
    except InvalidInput as error:
        return _page(form, status=refused(error))
    flash(f"Imported {stored} sales lines ({known} already known).", "info")
    return redirect(url_for("sales.upload"))


@bp.post("/console/sales/sharing")
@roles_required(Role.MERCHANDISER)
def sharing():
    """Turn sharing of sales figures with vendors on or off."""
    form = SharingForm()
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return _page(SalesUploadForm(), status=400)
    current_user.retailer.share_sales_with_vendors = bool(form.share_sales_with_vendors.data)
    flash("Vendors now see units sold and lift of their products."
          if current_user.retailer.share_sales_with_vendors
          else "Vendors no longer see your sales figures.", "info")
    return redirect(url_for("sales.upload"))


def _weeks() -> int:
    weeks = whole_number(request.args.get("weeks"), minimum=1,
                         maximum=sales_report.MAX_WEEKS, what="weeks")
    return 4 if weeks is None else weeks


def _lift_window(today):
    """The lift report's from/to: by default the 365 days to today."""
    end = services.parse_window(None, request.args.get("to"), today).end
    return services.parse_window(request.args.get("from") or end - timedelta(days=364),
                                 request.args.get("to"), today)


@bp.get("/console/analytics/lift")
@roles_required(Role.MERCHANDISER)
def lift():
    """The lift report: did tagged listings sell more?"""
    weeks = _weeks()
    stores = services.stores_for(current_user.retailer, request.args.get("store"))
    window = _lift_window(local_today(stores))
    rows = sales_report.lift_rows(current_user.retailer, stores, window.start, window.end,
                                  weeks)
    return render_template("analytics/lift.html", rows=rows, window=window, weeks=weeks,
                           store_code=(request.args.get("store") or "").upper(),
                           all_stores=services.stores_for(current_user.retailer, None))


@bp.get("/vendor/analytics/lift")
@roles_required(Role.VENDOR)
def vendor_lift():
    """Units and lift of the vendor's products at retailers sharing their sales."""
    weeks = _weeks()
    window = _lift_window(utcnow().date())
    rows = sales_report.vendor_lift_rows(current_user.vendor_id, window.start, window.end,
                                         weeks)
    return render_template("analytics/vendor_lift.html", rows=rows, window=window,
                           weeks=weeks)
