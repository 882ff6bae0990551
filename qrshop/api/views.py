"""/api/v1: bearer-token JSON API. Feature modules add their resources to this blueprint."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.models import Role

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@api_roles_required(*Role)
def me():
    """Who this token acts as: role and party."""
    user = g.api_user
    return jsonify(
        email=user.email,
        role=user.role,
        retailer=user.retailer.slug if user.retailer else None,
        store=user.store.code if user.store else None,
        vendor=user.vendor.slug if user.vendor else None,
    )
