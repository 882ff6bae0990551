"""Shoppers' feedback on a vendor's products, in the vendor portal."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.feedback import services
from qrshop.feedback.views import bp


@bp.get("/vendor/feedback")
@roles_required(Role.VENDOR)
def vendor_feedback():
    """Shoppers' feedback on this vendor's products, per product and retailer (no shoppers)."""
    return render_template("vendor/feedback.html",
                           rows=services.feedback_for_vendor(current_user.vendor_id))
