"""/api/v1/content/revisions writes: a vendor's PIM creates, updates and submits draft
revisions, one at a time or up to 100 at once, on the studio's rules (services.create_draft,
update_draft, submit_revision: the same slot normalisation, rich-text sanitizing, template and
alt-text checks)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.catalog.services import normalise_gtin
from qrshop.content import services
from qrshop.content.api import RevisionOut, _own_revision, revision_json
from qrshop.content.models import ContentRevision, RevisionStatus
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.i18n import DEFAULT_LOCALE
from qrshop.web import allow_json_bytes

MAX_DESCRIPTION = 20_000
MediaId = Annotated[int, Field(ge=1, le=2**31 - 1)]
SpecRow = Annotated[list[Annotated[str, Field(max_length=200)]],
                    Field(min_length=2, max_length=2, description="[name, value]")]


class SlotsIn(BaseModel):
    """A revision's slots as the studio stores them; images and documents by media id (from
    POST /api/v1/media). Empty or absent slots are left out of the revision."""

    model_config = ConfigDict(title="ContentSlotsIn", extra="forbid")

    title: str = Field("", max_length=120)
    tagline: str = Field("", max_length=200)
    # Its 20,000-character limit is checked by _raw, not the schema: a fuzzer's longer text
    # would meet the 64 KB body limit (413) before the view.
    description: str = Field("", description=(
        "HTML, sanitized as the studio's editor: paragraphs, bold, italic, lists, h3/h4, "
        "quotes and links are kept, anything else removed. At most 20,000 characters."))
    highlights: list[Annotated[str, Field(max_length=160)]] = Field(
        [], max_length=services.MAX_HIGHLIGHTS)
    spec_table: list[SpecRow] = Field([], max_length=services.MAX_SPEC_ROWS, description=(
        "Rows of [name, value]; both required."))
    hero_image: Optional[MediaId] = Field(None, description="An image of your library.")
    gallery: list[MediaId] = Field([], max_length=services.MAX_GALLERY)
    video_url: str = Field("", max_length=500, description="A YouTube or Vimeo link.")
    video_media: Optional[MediaId] = Field(None, description="A video of your library (when "
                                                             "no video_url).")
    documents: list[MediaId] = Field([], max_length=services.MAX_DOCUMENTS,
                                     description="PDFs of your library.")


class RevisionCreate(BaseModel):
    """A new draft revision of one of your products."""

    model_config = ConfigDict(title="ContentRevisionCreate", extra="forbid")

    gtin: str = Field(min_length=1, max_length=20, description="The product's GTIN.")
    locale: Literal["en", "es", "fr"] = Field(DEFAULT_LOCALE, description=(
        "The shoppers' language it is written in."))
    slots: SlotsIn


class RevisionPut(BaseModel):
    """A draft's new slots (replacing all of them)."""

    model_config = ConfigDict(title="ContentRevisionPut", extra="forbid")

    slots: SlotsIn


# A PIM feed of 100 drafts with long descriptions: up to 4 MB (other writes: 64 KB).
BULK_JSON_BYTES = 4 * 1024 * 1024
allow_json_bytes("/api/v1/content/revisions:bulk", BULK_JSON_BYTES)

TOO_LARGE = (ErrorBody, "too_large: the JSON body is over 64 KB.")
NOT_FOUND = (ErrorBody, "not_found: none of your products has this GTIN / revision id.")
SLOT_ERRORS = "invalid_input: a slot (a media id not in your library, a spec row, a link)."


def _raw(slots: SlotsIn) -> dict[str, Any]:
    """The slot values as services.normalise_slots reads them."""
    if len(slots.description) > MAX_DESCRIPTION:
        raise InvalidInput(f"slots.description: at most {MAX_DESCRIPTION:,} characters.")
    return slots.model_dump()


def _own_product(gtin: str):
    try:
        gtin14 = normalise_gtin(gtin)
    except InvalidInput as error:
        raise InvalidInput(f"gtin: {error.message}") from None
    product = catalog.product_by_gtin(gtin14)
    if product is None or product.vendor_id != g.api_user.vendor_id:
        raise InvalidInput("No such product.", code="not_found", status_code=404)
    return product


def _newest_draft(product_id: int, locale: str) -> Optional[ContentRevision]:
    return db.session.scalar(
        select(ContentRevision).where(ContentRevision.product_id == product_id,
                                      ContentRevision.locale == locale,
                                      ContentRevision.status == RevisionStatus.DRAFT.value)
        .order_by(ContentRevision.number.desc()).limit(1))


@bp.post("/content/revisions")
@api_roles_required(Role.VENDOR, scope="content:write")
@operation(summary="Create a draft revision of one of your products", tags=("content",),
           body=RevisionCreate,
           responses={201: (RevisionOut, "The draft."), 404: NOT_FOUND, 413: TOO_LARGE,
                      422: (ErrorBody, SLOT_ERRORS)})
def create_revision(body: RevisionCreate):
    """A new draft, as the studio's "new revision" makes it."""
    product = _own_product(body.gtin)
    revision = services.create_draft(product, g.api_user, _raw(body.slots), body.locale)
    return jsonify(revision_json(revision)), 201


@bp.put("/content/revisions/<int:revision_id>")
@api_roles_required(Role.VENDOR, scope="content:write")
@operation(summary="Replace a draft revision's slots", tags=("content",), body=RevisionPut,
           responses={200: (RevisionOut, "The updated draft."), 404: NOT_FOUND,
                      409: (ErrorBody, "immutable: the revision was submitted."),
                      413: TOO_LARGE, 422: (ErrorBody, SLOT_ERRORS)})
def put_revision(revision_id: int, body: RevisionPut):
    """Change a draft, as the studio's editor saves it."""
    revision = _own_revision(revision_id)
    services.update_draft(revision, g.api_user, _raw(body.slots))
    return jsonify(revision_json(revision))


@bp.post("/content/revisions/<int:revision_id>/submit")
@api_roles_required(Role.VENDOR, scope="content:write")
@operation(summary="Submit a draft revision to the retailers carrying the product",
           tags=("content",),
           responses={200: (RevisionOut, "Submitted: pending at each carrying retailer."),
                      404: NOT_FOUND,
                      409: (ErrorBody, "immutable: already submitted; no_retailer: no "
                                       "retailer carries the product."),
                      422: (ErrorBody, "missing_slot: a slot a retailer's template requires; "
                                       "missing_alt_text: images (named) without alt text.")})
def submit_revision(revision_id: int):
    """Submit, as the studio's submit button does (frozen from then on)."""
    revision = _own_revision(revision_id)
    services.submit_revision(revision, g.api_user)
    return jsonify(revision_json(revision))


def _put_draft(item: RevisionCreate) -> tuple[int, dict]:
    product = _own_product(item.gtin)
    draft = _newest_draft(product.id, item.locale)
    if draft is None:
        return 201, revision_json(services.create_draft(product, g.api_user, _raw(item.slots),
                                                        item.locale))
    services.update_draft(draft, g.api_user, _raw(item.slots))
    return 200, revision_json(draft)


@bp.post("/content/revisions:bulk")
@api_roles_required(Role.VENDOR, scope="content:write")
@operation(summary="Create or update the drafts of up to 100 of your products",
           tags=("content",), body=bulk_body(RevisionCreate, "ContentRevisionBulk"),
           responses={200: (BulkResult, "One result per item: 201 a new draft, 200 the "
                                        "product's newest draft in that locale updated, or the "
                                        "refusal: 404 not_found, 422 invalid_input."),
                      413: (ErrorBody, "too_large: the JSON body is over 4 MB.")})
def bulk_revisions(body):
    """Each item on its own (a PIM feed); a refused one stores nothing."""
    return run_bulk(body.items, RevisionCreate, _put_draft)
