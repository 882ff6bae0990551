"""Landing pages: what a shopper sees after scanning a tag (the Flask adapter of scan.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_wtf.csrf import generate_csrf

from qrshop.extensions import db, limiter, session_driver
from qrshop.i18n import request_locale
from qrshop.shopper import landing_parts
from qrshop.shopper.scan import PageRenderer, ScanRequest, landing_html

bp = Blueprint("shopper", __name__)


def _recommendations(listing_id: int, store_id: int) -> list:
    """recommend's "Complete the look", computed (shopper.landing_parts)."""
    return landing_parts.part("recommendations")(listing_id, store_id)


# What the scan handler can do only inside a Flask request.
FLASK_RENDERER = PageRenderer(template=render_template, recommendations=_recommendations,
                              session_csrf_token=generate_csrf)


def render_landing(page, engage, **context) -> str:
    """A landing page in its listing's template, showing the live (approved) content."""
    return landing_html(render_template, page, engage, request_locale(), **context)


@bp.get("/t/<code>")
@bp.get("/T/<code>")
@limiter.exempt
def landing(code: str):
    """Render a tag's branded landing page and record the scan (shopper.scan.Scanner).

    A person's plain GET of a live tag is usually answered by the same Scanner in the WSGI
    fast path in front of Flask (fastpath.py); this view answers every other case.
    """
    return scan_response(code)


def scan_response(code: str):
    """The scan of a tag by its code, as the Flask view answers it (shopper.scan.Scanner):
    also the answer to a scan of a tag's GS1 Digital Link (views_resolver.py)."""
    answer = current_app.extensions["qrshop.scanner"].answer(
        ScanRequest(code=code, method=request.method, user_agent=request.user_agent.string,
                    environ=request.environ, cookies=request.cookies,
                    secure=request.is_secure, counted="via" not in request.args,
                    locale=request_locale()),
        session_driver(), commit=db.session.commit, renderer=FLASK_RENDERER)
    response = make_response(answer.body, answer.status)
    response.headers.extend(answer.headers)
    return response


# The scan log's API (/api/v1/scans) adds its route to the API blueprint when imported.
from qrshop.shopper import api  # noqa: E402, F401

# The GS1 Digital Link resolver (tags' gs1-style URLs, /01/<GTIN>, /.well-known/gs1resolver)
# is a blueprint of its own (its CORS headers apply to its routes only), nested in this one.
from qrshop.shopper.views_resolver import bp as resolver_bp  # noqa: E402

bp.register_blueprint(resolver_bp)

# The link-preview card and the theme helpers of the shopper pages, and the language
# switch (GET /lang/<locale>), add themselves to bp.
from qrshop.shopper import views_language, views_share  # noqa: E402, F401
