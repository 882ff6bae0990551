"""The content blueprint; its routes live in one module per surface (views_*.py)."""

from flask import Blueprint

bp = Blueprint("content", __name__)
