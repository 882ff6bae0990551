"""The wish list blueprint. Its routes live in one module per surface, imported below."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wishlist", __name__)

# Each surface module adds its routes to bp when imported; api adds the /api/v1 ones.
from qrshop.wishlist import api, views_shopper, views_till  # noqa: E402, F401
