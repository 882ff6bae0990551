"""QR images of tags, for printing and for the console."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from qrshop.errors import InvalidInput
from qrshop.parsing import whole_number
from qrshop.tags import qr
from qrshop.tags.codes import normalise_code, tag_url
from qrshop.tags.services import find_tag

bp = Blueprint("tags", __name__)

# A tag's code never changes, so its image can be cached for a year. The URL it encodes
# follows its retailer's tag URL style; pages ask for ?style=<style> so that a change of
# style is a new image URL (an image without ?style= shows the style of its first fetch).
IMMUTABLE = "public, max-age=31536000, immutable"


def _tag_or_404(code: str):
    canonical = normalise_code(code)
    tag = find_tag(canonical) if canonical else None
    if tag is None:
        abort(404, description="No tag has this code.")
    return tag


def _encoded_url(tag) -> str:
    """The URL the tag's QR encodes: in ?style= (short or gs1) if given, else its retailer's."""
    style = request.args.get("style") or tag.store.retailer.tag_url_style
    if style not in ("short", "gs1"):
        raise InvalidInput("style must be short or gs1.", status_code=400, code="bad_style")
    return tag_url(current_app.config["BASE_URL"], tag.code, style, tag.listing.product.gtin)


@bp.get("/tags/<code>.svg")
def tag_svg(code: str):
    """The tag's QR as SVG, with a 4-module quiet zone."""
    tag = _tag_or_404(code)
    body = qr.render_svg(_encoded_url(tag))
    return Response(body, mimetype="image/svg+xml", headers={"Cache-Control": IMMUTABLE})


@bp.get("/tags/<code>.png")
def tag_png(code: str):
    """The tag's QR as PNG; ?size=N asks for about N pixels wide (64 to 2048)."""
    low, high = qr.PNG_SIZE_RANGE
    try:
        size = whole_number(request.args.get("size", str(qr.PNG_SIZE_DEFAULT)),
                            minimum=low, maximum=high)
    except InvalidInput:
        size = None  # the message below names the unit
    if size is None:
        raise InvalidInput(
            f"size must be a whole number of pixels from {low} to {high}.", status_code=400,
            code="bad_size",
        )
    tag = _tag_or_404(code)
    body = qr.render_png(_encoded_url(tag), size)
    return Response(body, mimetype="image/png", headers={"Cache-Control": IMMUTABLE})


# The console's tag pages register their routes on this blueprint (one module per surface).
from qrshop.tags import views_console, views_print  # noqa: E402, F401
