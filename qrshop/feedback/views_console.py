"""Shoppers' feedback in the merchandiser's console."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.feedback import services
from qrshop.feedback.views import bp
from qrshop.pagination import page_number, search_text


@bp.get("/console/feedback")
@roles_required(Role.MERCHANDISER)
def feedback_report():
    """Shoppers' feedback per listing, 50 a page (?page=, ?q= name or SKU)."""
    page = services.feedback_by_listing(current_user.retailer_id,
                                        page=page_number(request.args.get("page")),
                                        query=search_text(request.args.get("q")))
    return render_template("console/feedback.html", page=page, rows=page.rows)
