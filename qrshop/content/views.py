"""Content pages, one module per surface: media files and the vendor's library
(views_media), the vendor's revisions (views_vendor), the console's reviews, templates and
retailer-owned content (views_console). All routes are on one blueprint, `content`; the
API's (api) are on /api/v1."""

from qrshop.content import (  # noqa: F401  (routes)
    api,
    api_revisions,
    views_console,
    views_library,
    views_media,
    views_range,
    views_studio,
    views_vendor,
)
from qrshop.content.blueprint import bp

__all__ = ["bp"]
