"""The alerts blueprint. Its routes live in one module per surface, imported below."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("alerts", __name__)

# Each surface module adds its routes to bp when imported.
from qrshop.alerts import views_console, views_shopper  # noqa: E402, F401
