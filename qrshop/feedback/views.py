"""The feedback blueprint. Its routes live in one module per surface, imported below."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)

# Each surface module adds its routes to bp when imported; api adds the /api/v1 ones.
from qrshop.feedback import (  # noqa: E402, F401
    api,
    views_console,
    views_moderation,
    views_shopper,
    views_vendor,
)
