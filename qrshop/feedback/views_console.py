"""Shoppers' feedback in the merchandiser's console."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.models import Role
from qrshop.feedback import services
from qrshop.feedback.views import bp


@bp.get("/console/feedback")
@roles_required(Role.MERCHANDISER)
def feedback_report():
    """Shoppers' feedback per listing."""
    return render_template("console/feedback.html",
                           rows=services.feedback_by_listing(current_user.retailer_id))
