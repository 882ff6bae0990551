"""A revision exactly as one retailer's shoppers would see it (vendor and console previews)."""

from __future__ import annotations

from flask import abort, request

from qrshop.catalog import queries as catalog
from qrshop.content.models import ContentRevision
from qrshop.offers.landing import landing_engagement
from qrshop.recommend.services import complete_the_look
from qrshop.shopper.services import landing_page_for_preview
from qrshop.shopper.views import render_landing


def render_preview(revision: ContentRevision, retailer_id: int):
    """Render the landing page with this revision live, offers and all, recording nothing."""
    listing = catalog.listing_for_product(retailer_id, revision.product_id)
    if listing is None:
        abort(404, description="That retailer does not carry this product.")
    template = request.args.get("template") or None
    if template is not None and template not in listing.retailer.enabled_templates:
        abort(404, description="That template is not enabled for this retailer.")
    page = landing_page_for_preview(listing, revision, template=template)
    response = render_landing(page, landing_engagement(page, None),
                              recommendations=tuple(complete_the_look(listing.id, page.store_id)))
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
