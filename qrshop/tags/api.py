"""/api/v1/tags: a retailer's systems create, list, read, retire and reactivate tags
(merchandiser token), with the same rules as the console's tag pages. The QR images and
print jobs are in tags/api_files.py."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, Optional

from flask import Blueprint, current_app, g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.tags.models import Tag
from qrshop.tags.queries import owned_tags, tags_statement
from qrshop.tags.services import (
    create_tag,
    reactivate_tag,
    retire_tags,
    store_by_code,
    tag_print_url,
)

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Store

bp = Blueprint("tags_api", __name__, url_prefix="/api/v1")

NOT_FOUND = (ErrorBody, "not_found: no tag with this code at your stores.")


class TagCreate(BaseModel):
    """A new tag: the listing (by SKU) it points at, the store it hangs in, where."""

    model_config = ConfigDict(title="TagCreate", extra="forbid")

    sku: str = Field(min_length=1, max_length=64, description="The listing's SKU.")
    store: str = Field(min_length=1, max_length=16, description="Store code, e.g. ATL01.")
    placement: str = Field("", max_length=120,
                           description='Where the tag hangs, e.g. "Aisle 4 endcap".')


class TagOut(BaseModel):
    """A QR tag in a store, pointing at one listing."""

    model_config = ConfigDict(title="Tag")

    code: str = Field(description="The tag's code (8 characters, upper case).")
    url: str = Field(description="The URL printed in the tag's QR code.")
    sku: str
    gtin: str
    product: str = Field(description="The product's name.")
    store: str = Field(description="Store code.")
    placement: str
    status: Literal["active", "retired"]
    created_at: datetime
    printed_at: Optional[datetime]
    retired_at: Optional[datetime]


TagPage = page_model(TagOut, "TagPage")


class TagsQuery(CursorQuery):
    """Filters of the tag list."""

    store: Optional[str] = Field(None, max_length=16, description="Only this store's tags.")
    status: Optional[Literal["active", "retired"]] = Field(None, description="Only active "
                                                           "or only retired tags.")


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment is not None else None


def tag_json(tag: Tag) -> dict:
    """The API shape of a tag."""
    return {
        "code": tag.code, "url": tag_print_url(tag, current_app.config["BASE_URL"]),
        "sku": tag.listing.sku, "gtin": tag.listing.product.gtin,
        "product": tag.listing.product.name, "store": tag.store.code,
        "placement": tag.placement, "status": tag.status,
        "created_at": tag.created_at.isoformat(), "printed_at": _iso(tag.printed_at),
        "retired_at": _iso(tag.retired_at),
    }


def my_store(code: str, field: str = "store") -> Store:
    """The token's retailer's store with this code; 422 naming the field otherwise (another
    retailer's store reads as an unknown one)."""
    try:
        return store_by_code(code, g.api_user.retailer_id)
    except InvalidInput:
        raise InvalidInput(f"{field}: no store {code!r} at your retailer.",
                           code="unknown_store") from None


def my_tag(code: str) -> Tag:
    """The token's retailer's tag with this code, else 404 (another retailer's too)."""
    return owned_tags(g.api_user.retailer_id, [code])[0]


def _create(item: TagCreate) -> tuple[int, dict]:
    store = my_store(item.store)
    listing = catalog.listing_by_sku(g.api_user.retailer_id, item.sku.strip())
    if listing is None:
        raise InvalidInput(f"sku: no listing with SKU {item.sku!r} at your retailer.",
                           code="unknown_sku")
    return 201, tag_json(create_tag(listing, store, item.placement))


CREATE_ERRORS = ("invalid_input (a discontinued listing, a placement too long), "
                 "unknown_sku or unknown_store.")


@bp.post("/tags")
@api_roles_required(Role.MERCHANDISER, scope="tags:write")
@operation(summary="Create a tag for a listing in a store", tags=("tags",), body=TagCreate,
           responses={201: (TagOut, "Created; print it with POST /api/v1/print-jobs."),
                      422: (ErrorBody, CREATE_ERRORS)})
def create(body: TagCreate):
    """Create a tag: the same rules as the console's print page."""
    status, data = _create(body)
    return jsonify(data), status


@bp.post("/tags:bulk")
@api_roles_required(Role.MERCHANDISER, scope="tags:write")
@operation(summary="Create up to 100 tags, each answered on its own", tags=("tags",),
           body=bulk_body(TagCreate, "TagBulk"),
           responses={200: (BulkResult, "One result per item: 201 with the tag, or the "
                                        "refusal (" + CREATE_ERRORS + ")")})
def create_bulk(body):
    """Create each tag of the request on its own; a refused one stores nothing."""
    return run_bulk(body.items, TagCreate, _create)


@bp.get("/tags")
@api_roles_required(Role.MERCHANDISER, scope="tags:read")
@operation(summary="List the retailer's tags", tags=("tags",), query=TagsQuery,
           responses={200: (TagPage, "A page of tags, oldest first."),
                      422: (ErrorBody, "invalid_input, or unknown_store (?store= is not "
                                       "one of your stores).")})
def list_tags(query: TagsQuery):
    """A page of the token's retailer's tags, by store and status."""
    store = my_store(query.store) if query.store else None
    statement = tags_statement(g.api_user.retailer_id, store_id=store.id if store else None,
                               status=query.status or "")
    return jsonify(cursor_page(statement, Tag.id, query, tag_json))


@bp.get("/tags/<code>")
@api_roles_required(Role.MERCHANDISER, scope="tags:read")
@operation(summary="Get a tag", tags=("tags",),
           responses={200: (TagOut, "The tag."), 404: NOT_FOUND})
def get(code: str):
    """One tag of the token's retailer."""
    return jsonify(tag_json(my_tag(code)))


@bp.post("/tags/<code>/retire")
@api_roles_required(Role.MERCHANDISER, scope="tags:write")
@operation(summary="Retire a tag", tags=("tags",),
           responses={200: (TagOut, 'Retired (or already was): scans show the "no longer '
                                    'here" page, answered 410.'), 404: NOT_FOUND})
def retire(code: str):
    """Retire a tag; its code keeps resolving to the "no longer here" page."""
    tag = my_tag(code)
    retire_tags([tag])
    return jsonify(tag_json(tag))


@bp.post("/tags/<code>/reactivate")
@api_roles_required(Role.MERCHANDISER, scope="tags:write")
@operation(summary="Put a retired tag back in service", tags=("tags",),
           responses={200: (TagOut, "Active (or already was): scans show the item again."),
                      404: NOT_FOUND,
                      422: (ErrorBody, "invalid_input: the listing is discontinued.")})
def reactivate(code: str):
    """Reactivate a retired tag (refused while its listing is discontinued)."""
    tag = my_tag(code)
    reactivate_tag(tag)
    return jsonify(tag_json(tag))


# The QR images and print jobs register their routes on this blueprint.
from qrshop.tags import api_files  # noqa: E402, F401
