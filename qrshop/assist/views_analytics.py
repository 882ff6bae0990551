"""Ask an associate and holds, the merchandiser's figures: /console/assist/analytics."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.analytics import services as analytics
from qrshop.analytics.views import local_today
from qrshop.assist.analytics import store_figures
from qrshop.assist.views import bp
from qrshop.errors import InvalidInput


def minutes(seconds):
    """A median time as the table shows it: minutes with one decimal, or a dash."""
    return "—" if seconds is None else f"{seconds / 60:.1f}"


@bp.get("/console/assist/analytics")
@roles_required(Role.MERCHANDISER)
def console_assist_analytics():
    """Requests and holds per store for a range of local dates (default: the last 30)."""
    stores = analytics.stores_for(current_user.retailer, None)
    typed = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    status, error = 200, None
    try:
        window = analytics.parse_window(typed["from"] or None, typed["to"] or None,
                                        local_today(stores))
    except InvalidInput as refused:
        status, error = 400, refused.message
        window = analytics.parse_window(None, None, local_today(stores))
    rows = store_figures(stores, window.start, window.end)
    body = render_template("console/assist_analytics.html", rows=rows, window=window,
                           typed=typed, error=error, minutes=minutes)
    return make_response(body, status)
