"""Ask an associate and holds, the merchandiser's figures: /console/assist/analytics."""

from __future__ import annotations

from flask import make_response, render_template
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.assist.views import bp


@bp.get("/console/assist/analytics")
@roles_required(Role.MERCHANDISER)
def console_assist_analytics():
    """Requests and holds per store for a date range."""
    return make_response(render_template("console/assist_analytics.html", rows=[],
                                         retailer_id=current_user.retailer_id))
