"""A revision exactly as one retailer's shoppers would see it (vendor and console previews).

The landing page belongs to shopper, which renders content; so content does not import it:
shopper's renderer (qrshop.shopper.preview.preview_html) fills `provide` at app start.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import abort, request

from qrshop.catalog import queries as catalog
from qrshop.content.models import ContentRevision

_PAGE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
# (listing, revision, template or None) -> the landing page's HTML
LandingPreview = Callable[..., str]
_renderer: dict[str, LandingPreview] = {}


def provide(render: LandingPreview) -> None:
    """Called once at app start by the feature that owns the landing page."""
    _renderer["landing"] = render


def render_preview(revision: ContentRevision, retailer_id: int):
    """Render the landing page with this revision live, offers and all, recording nothing."""
    listing = catalog.listing_for_product(retailer_id, revision.product_id)
    if listing is None:
        abort(404, description="That retailer does not carry this product.")
    template = request.args.get("template") or None
    if template is not None and template not in listing.retailer.enabled_templates:
        abort(404, description="That template is not enabled for this retailer.")
    response = _renderer["landing"](listing, revision, template)
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def render_unsaved(listing, product_id: int, slots: dict):
    """The landing page with slots not saved yet (the studio's live preview), recording
    nothing: the revision is built in memory and never added to the session."""
    revision = ContentRevision(product_id=product_id, number=0, slots=slots)
    # The studio shows it in a sandboxed iframe where no script may run: the page's own
    # (engage.js: save, share, claim) is left out rather than blocked there.
    body = _PAGE_SCRIPT.sub("", _renderer["landing"](listing, revision, None))
    return body, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
