"""The landing page with a given revision live, offers and all, recording nothing.

content's previews (vendor portal, console review) show it; content asks for it through
the hook in qrshop.content.preview, filled at app start, so content never imports shopper.
"""

from __future__ import annotations

from qrshop.shopper import landing_parts
from qrshop.shopper.services import landing_page_for_preview
from qrshop.shopper.views import render_landing


def preview_html(listing, revision, template: str | None) -> str:
    page = landing_page_for_preview(listing, revision, template=template)
    return render_landing(page, landing_parts.part("engagement")(page, None),
                          recommendations=tuple(landing_parts.part("recommendations")(
                              listing.id, page.store_id)))
