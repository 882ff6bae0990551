"""/api/v1: bearer-token JSON API. Feature modules add their resources to this blueprint."""

from __future__ import annotations

from typing import Optional

from flask import Blueprint, current_app, g, jsonify
from pydantic import BaseModel

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.spec import build_openapi, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class Me(BaseModel):
    """The user an API token acts as."""

    email: str
    role: str
    retailer: Optional[str]
    store: Optional[str]
    vendor: Optional[str]


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, generated from the schemas that validate it."""
    return jsonify(build_openapi(current_app, current_app.config["BASE_URL"]))


@bp.get("/me")
@api_roles_required(*Role)
@operation(summary="Who this token acts as", tags=("accounts",),
           responses={200: (Me, "The token's user and party.")})
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


# Resources whose feature sits below api in the layers (accounts) register here.
from qrshop.api import stores  # noqa: E402, F401
