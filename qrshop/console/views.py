"""The retailer console's home and the vendor portal's home (each counts several features'
rows, so they live above the features)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics.charts import bar_chart
from qrshop.catalog import queries as catalog
from qrshop.console.checklist import first_run_checklist
from qrshop.console.overview import overview
from qrshop.db import utcnow
from qrshop.tags import queries as tags

bp = Blueprint("console", __name__)


@bp.get("/console")
@roles_required(Role.MERCHANDISER, Role.ASSOCIATE)
def home():
    """The retailer console: the first-run checklist (merchandisers, until every step is
    done), the overview (today's scans, this week against last, top items, alerts), then
    the stores this user works with and their active tags."""
    if current_user.role == Role.ASSOCIATE:
        store = accounts.store(current_user.store_id) if current_user.store_id else None
        own = [store] if store and store.retailer_id == current_user.retailer_id else []
    else:
        own = accounts.stores_of_retailer(current_user.retailer_id)
    counts = tags.active_tag_counts([store.id for store in own])
    rows = [(store, counts.get(store.id, 0)) for store in own]
    merchandiser = current_user.role == Role.MERCHANDISER
    checklist = first_run_checklist(current_user.retailer) if merchandiser else []
    summary = overview(current_user.retailer, own, utcnow(), merchandiser=merchandiser)
    return render_template("console/home.html", stores=rows, checklist=checklist,
                           checklist_done=sum(step.done for step in checklist),
                           overview=summary, bar_chart=bar_chart)


@bp.get("/vendor")
@roles_required(Role.VENDOR)
def vendor_home():
    """The vendor portal: this vendor's products and who carries them."""
    products = catalog.vendor_products(current_user.vendor_id)
    carried = catalog.listing_counts_of_vendor(current_user.vendor_id)
    return render_template("vendor/home.html", products=products, carried=carried)


# The theme page adds its route to bp (imported last: it imports bp from here).
from qrshop.console import views_theme  # noqa: E402,F401
