"""/api/v1 files of tags: a tag's QR as SVG or PNG, and print jobs answered with the PDF
(synchronous: at most MAX_PRINT_TAGS tags render in about a second). Same rules and
rendering as the console's print page."""

from __future__ import annotations

from typing import Annotated, Optional

from flask import Response, current_app
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.spec import ErrorBody, operation
from qrshop.errors import InvalidInput
from qrshop.tags import qr
from qrshop.tags.api import NOT_FOUND, bp, my_store, my_tag
from qrshop.tags.codes import normalise_code
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.queries import BULK_MAX, store_tags
from qrshop.tags.services import print_tags, tag_print_url, tags_for_print

# The most tags one print job renders: the console's largest selection.
MAX_PRINT_TAGS = BULK_MAX


class QRQuery(BaseModel):
    """The PNG's size."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(qr.PNG_SIZE_DEFAULT, ge=qr.PNG_SIZE_RANGE[0], le=qr.PNG_SIZE_RANGE[1],
                      description="About this many pixels wide (whole modules).")


@bp.get("/tags/<code>/qr.svg")
@api_roles_required(Role.MERCHANDISER, scope="tags:read")
@operation(summary="The tag's QR code as SVG", tags=("tags",),
           responses={200: ("image/svg+xml", "The QR of the tag's url, 4-module quiet "
                                             "zone."), 404: NOT_FOUND})
def qr_svg(code: str):
    """The tag's QR as SVG (the image /tags/<code>.svg serves)."""
    tag = my_tag(code)
    return Response(qr.render_svg(tag_print_url(tag, current_app.config["BASE_URL"])),
                    mimetype="image/svg+xml")


@bp.get("/tags/<code>/qr.png")
@api_roles_required(Role.MERCHANDISER, scope="tags:read")
@operation(summary="The tag's QR code as PNG", tags=("tags",), query=QRQuery,
           responses={200: ("image/png", "The QR of the tag's url, 4-module quiet zone."),
                      404: NOT_FOUND})
def qr_png(code: str, query: QRQuery):
    """The tag's QR as PNG, about ?size= pixels wide."""
    tag = my_tag(code)
    return Response(qr.render_png(tag_print_url(tag, current_app.config["BASE_URL"]),
                                  query.size), mimetype="image/png")


class PrintJob(BaseModel):
    """Tags of one store to print on label stock: by their codes, or by SKUs."""

    model_config = ConfigDict(title="PrintJob", extra="forbid")

    store: str = Field(min_length=1, max_length=16, description="Store code, e.g. ATL01.")
    layout: str = Field(max_length=32, description="Label stock.",
                        json_schema_extra={"enum": list(LAYOUTS)})
    codes: Optional[list[Annotated[str, Field(max_length=32)]]] = Field(
        None, min_length=1, max_length=MAX_PRINT_TAGS,
        description=f"Codes of the store's active tags (at most {MAX_PRINT_TAGS}).")
    skus: Optional[list[Annotated[str, Field(max_length=64)]]] = Field(
        None, min_length=1, max_length=MAX_PRINT_TAGS,
        description=f"SKUs (at most {MAX_PRINT_TAGS}): each prints the store's active tag "
                    "of the listing (with this placement, when given), created if missing.")
    placement: Optional[str] = Field(None, max_length=120,
                                     description="With skus: the tags' placement note.")
    offset_x_mm: float = Field(0.0, ge=-10, le=10, allow_inf_nan=False,
                                description="Printer calibration, mm.")
    offset_y_mm: float = Field(0.0, ge=-10, le=10, allow_inf_nan=False,
                                description="Printer calibration, mm.")
    preview: bool = Field(False, description="true: do not mark the tags printed.")
    title: Optional[str] = Field(None, min_length=1, max_length=60,
                                 description="Posters: the headline (default 'Shop the shelf' "
                                             "or 'Shop the look').")

    @model_validator(mode="after")
    def _codes_or_skus(self):
        if (self.codes is None) == (self.skus is None):
            raise ValueError("give either codes or skus")
        if self.codes is not None and self.placement is not None:
            raise ValueError("placement goes with skus, not codes")
        return self


def _tags_by_code(store, codes: list[str]) -> list:
    """The store's active tags with these codes, in order; 422 naming the others."""
    wanted = list(dict.fromkeys(normalise_code(code.strip()) or code for code in codes))
    found = store_tags(store.id, wanted)
    missing = [code for code in wanted if code not in found]
    if missing:
        raise InvalidInput(f"codes: no tag {', '.join(missing[:10])} at store {store.code}; "
                           "nothing was printed.", code="unknown_code")
    retired = [code for code in wanted if found[code].retired_at is not None]
    if retired:
        raise InvalidInput(f"codes: retired tags do not print: {', '.join(retired[:10])}; "
                           "reactivate them first.", code="retired_tag")
    return [found[code] for code in wanted]


@bp.post("/print-jobs")
@api_roles_required(Role.MERCHANDISER, scope="tags:write")
@operation(summary="Print tags of a store as a PDF of labels", tags=("tags",), body=PrintJob,
           responses={200: ("application/pdf", f"The labels (at most {MAX_PRINT_TAGS} tags "
                                               "a job); the tags are marked printed."),
                      422: (ErrorBody, "invalid_input (codes and skus both or neither, more "
                                       f"than {MAX_PRINT_TAGS}), unknown_layout, "
                                       "unknown_store, unknown_code (not a tag of this "
                                       "store), retired_tag, unknown_sku, discontinued.")})
def print_job(body: PrintJob):
    """Render the tags as a PDF in one of the layouts (the console's print page's rules)."""
    if body.layout not in LAYOUTS:
        raise InvalidInput(f"layout: unknown layout {body.layout!r}; choose one of "
                           f"{', '.join(LAYOUTS)}.", code="unknown_layout")
    if LAYOUTS[body.layout].style == "counter-card":
        raise InvalidInput("layout: the counter card carries no tags; print it from the "
                           "console or with qrshop tags print --layout counter-card.",
                           code="unknown_layout")
    store = my_store(body.store)
    if body.codes is not None:
        tags = _tags_by_code(store, body.codes)
    else:
        tags = tags_for_print(store, body.skus, body.placement)
    pdf = print_tags(store, tags, body.layout, current_app.config["BASE_URL"],
                     heading=body.title, offset_mm=(body.offset_x_mm, body.offset_y_mm),
                     mark_printed=not body.preview)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{store.code}-{body.layout}-tags.pdf"',
        "X-Tag-Codes": ",".join(tag.code for tag in tags), "Cache-Control": "no-store"})
