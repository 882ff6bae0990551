"""The webhooks blueprint: the same pages for a retailer's console and a vendor's portal."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from qrshop.webhooks import views_console  # noqa: E402, F401
