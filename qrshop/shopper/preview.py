"""The landing page with a given revision live, offers and all, recording nothing.

content's previews (vendor portal, console review) show it; content asks for it through
the hook in qrshop.content.preview, filled at app start, so content never imports shopper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from qrshop.shopper import landing_parts
from qrshop.shopper.actions import shown_logo
from qrshop.shopper.services import LandingPage
from qrshop.shopper.views import render_landing

if TYPE_CHECKING:  # type hints only
    from qrshop.catalog.models import Listing


def landing_page_for_preview(listing: Listing, revision, *,
                             template: Optional[str] = None) -> LandingPage:
    """The page a listing would show with a given revision live (for vendor/retailer preview).

    The store shown is the retailer's first; nothing is recorded.
    """
    retailer, product = listing.retailer, listing.product
    store = retailer.stores[0] if retailer.stores else None
    logo = shown_logo(retailer.logo)
    return LandingPage(
        tag_id=0, code="PREVIEW", placement="", is_retired=False,
        store_id=store.id if store else 0, store_code=store.code if store else "",
        store_name=store.name if store else "", listing_id=listing.id,
        price_cents=listing.price_cents, currency=listing.currency, product_name=product.name,
        brand=product.brand, gtin=product.gtin, vendor_name=product.vendor.name,
        retailer_id=retailer.id, retailer_slug=retailer.slug, retailer_name=retailer.name,
        primary_colour=retailer.primary_colour, accent_colour=retailer.accent_colour,
        font=retailer.font, footer_text=retailer.footer_text,
        logo_sha256=logo.sha256 if logo else None, logo_extension=logo.extension if logo else None,
        logo_width=logo.width if logo else None, logo_height=logo.height if logo else None,
        listing_template=template or listing.template,
        default_template=retailer.default_template,
        live_revision_id=revision.id if revision else None,
        content_json=revision.slots_json() if revision else None,
        sku=listing.sku, vendor_id=product.vendor_id,
        default_language=retailer.default_language,
    )


def preview_html(listing, revision, template: str | None) -> str:
    page = landing_page_for_preview(listing, revision, template=template)
    return render_landing(page, landing_parts.part("engagement")(page, None),
                          recommendations=tuple(landing_parts.part("recommendations")(
                              listing.id, page.store_id)))
