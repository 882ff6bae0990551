"""/api/v1/stores: merchandisers and associates read their retailer's stores; the platform
admin reads every retailer's and creates and edits them, with the admin pages' rules
(accounts.services).

Stores belong to accounts, but the resource lives here: accounts is the bottom layer that
api itself imports (api_roles_required), so an accounts/api.py would make an import cycle.
Store codes repeat across retailers, so the admin names the retailer: `?retailer=SLUG`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask import abort, g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from qrshop.accounts import queries, services
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.paging import CursorQuery, fetched_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp
from qrshop.errors import InvalidInput

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import Retailer, Store

READERS = (Role.ADMIN, Role.MERCHANDISER, Role.ASSOCIATE)
RETAILER_TEXT = ("The retailer's slug: required of an admin (store codes repeat across "
                 "retailers); others may leave it out (theirs).")


class StoreCreate(BaseModel):
    """A new store of a retailer (the admin page's store form)."""

    model_config = ConfigDict(title="StoreCreate", extra="forbid")

    retailer: str = Field(max_length=64, description="The retailer's slug.")
    code: str = Field(max_length=16, description="2-16 letters or digits, e.g. ATL01 "
                      "(upper-cased); unique within the retailer.")
    name: str = Field(max_length=120)
    address: str = Field("", max_length=500)
    timezone: str = Field(max_length=64, description="IANA time zone, e.g. America/New_York.")
    latitude: Optional[float] = Field(None, ge=-90, le=90, description="WGS 84 degrees, "
                                      "with longitude: for \"nearest stores that have it\".")
    longitude: Optional[float] = Field(None, ge=-180, le=180, description="WGS 84 degrees.")


class StorePatch(BaseModel):
    """The fields of a store to change; those left out (or null) stay as they are."""

    model_config = ConfigDict(title="StorePatch", extra="forbid")

    code: Optional[str] = Field(None, max_length=16)
    name: Optional[str] = Field(None, max_length=120)
    address: Optional[str] = Field(None, max_length=500)
    timezone: Optional[str] = Field(None, max_length=64)
    latitude: Optional[float] = Field(None, ge=-90, le=90, description="WGS 84 degrees, "
                                      "with longitude: for \"nearest stores that have it\".")
    longitude: Optional[float] = Field(None, ge=-180, le=180, description="WGS 84 degrees.")


class StoreOut(BaseModel):
    """One physical store of a retailer."""

    model_config = ConfigDict(title="Store")

    code: str
    retailer: str = Field(description="The retailer's slug.")
    name: str
    address: str
    timezone: str
    latitude: Optional[float] = Field(None, description="null when not given.")
    longitude: Optional[float] = None
    created_at: datetime
    updated_at: datetime


StorePage = page_model(StoreOut, "StorePage")


class StoresQuery(CursorQuery):
    """Filters of the store list."""

    retailer: Optional[str] = Field(None, max_length=64,
                                    description="Admin: only this retailer's stores.")


class StoreQuery(BaseModel):
    """Which retailer's store a code names."""

    model_config = ConfigDict(extra="forbid")

    retailer: Optional[str] = Field(None, max_length=64, description=RETAILER_TEXT)


NOT_FOUND = (ErrorBody, "not_found: no store with this code (at this retailer).")


def store_json(store: Store) -> dict:
    """The API shape of a store."""
    return {"code": store.code, "retailer": store.retailer.slug, "name": store.name,
            "address": store.address, "timezone": store.timezone,
            "latitude": store.latitude, "longitude": store.longitude,
            "created_at": store.created_at.isoformat(),
            "updated_at": store.updated_at.isoformat()}


def _visible_retailer(slug: Optional[str]) -> Optional[Retailer]:
    """The retailer a slug names if the token's user may see it; None for an admin's
    "every retailer"; a staff user's own retailer when no slug is given."""
    user = g.api_user
    if user.role != Role.ADMIN:
        return user.retailer if slug in (None, user.retailer.slug) else None
    return queries.retailer_by_slug(slug) if slug else None


def _store(code: str, retailer_slug: Optional[str]) -> Store:
    """The store a path's code and ?retailer= name, if the token's user may see it, else 404
    (another retailer's store answers as a missing one)."""
    if g.api_user.role == Role.ADMIN and not retailer_slug:
        raise InvalidInput("retailer: give ?retailer=SLUG; store codes repeat across "
                           "retailers.")
    retailer = _visible_retailer(retailer_slug)
    known = retailer is not None and len(code) <= 16 and code.isprintable()
    store = queries.store_of_retailer(retailer.id, code) if known else None
    if store is None:
        abort(404, description=f"No store {code[:16]!r} at this retailer.")
    return store


@bp.get("/stores")
@api_roles_required(*READERS, scope="stores:read")
@operation(summary="List stores", tags=("stores",), query=StoresQuery,
           responses={200: (StorePage, "A page of stores, oldest first: the token's "
                                       "retailer's, or (admin) every retailer's."),
                      422: (ErrorBody, "invalid_input, or ?retailer= names no retailer "
                                       "you may see.")})
def list_stores(query: StoresQuery):
    """A page of the stores the token may read."""
    retailer = _visible_retailer(query.retailer)
    if retailer is None and (query.retailer or g.api_user.role != Role.ADMIN):
        raise InvalidInput(f"retailer: no retailer {query.retailer!r} whose stores you read.")
    retailer_id = retailer.id if retailer is not None else None
    return jsonify(fetched_page(
        lambda after, limit: queries.stores_after(retailer_id, after, limit),
        query, store_json))


@bp.get("/stores/<code>")
@api_roles_required(*READERS, scope="stores:read")
@operation(summary="Get a store by code", tags=("stores",), query=StoreQuery,
           responses={200: (StoreOut, "The store."), 404: NOT_FOUND,
                      422: (ErrorBody, "invalid_input: an admin's call without ?retailer=.")})
def get_store(code: str, query: StoreQuery):
    """One store the token may read."""
    return jsonify(store_json(_store(code, query.retailer)))


def _create(item: StoreCreate) -> tuple[int, dict]:
    retailer = queries.retailer_by_slug(item.retailer)
    if retailer is None:
        raise InvalidInput(f"retailer: no retailer with slug {item.retailer!r}.")
    store = services.create_store(retailer, item.code, item.name, address=item.address,
                                  timezone=item.timezone,
                                  location=(item.latitude, item.longitude))
    return 201, store_json(store)


WRITE_ERRORS = ("invalid_input (a code's shape, a name missing, an unknown time zone or "
                "retailer), or conflict (409: the retailer has a store with this code).")


@bp.post("/stores")
@api_roles_required(Role.ADMIN, scope="stores:write")
@operation(summary="Create a store of a retailer", tags=("stores",), body=StoreCreate,
           responses={201: (StoreOut, "Created."),
                      409: (ErrorBody, "conflict: the retailer has a store with this code."),
                      422: (ErrorBody, WRITE_ERRORS)})
def create_store(body: StoreCreate):
    """Create a store (the admin page's rules)."""
    status, data = _create(body)
    return jsonify(data), status


@bp.patch("/stores/<code>")
@api_roles_required(Role.ADMIN, scope="stores:write")
@operation(summary="Change a store's code, name, address, time zone or location",
           tags=("stores",),
           body=StorePatch, query=StoreQuery,
           responses={200: (StoreOut, "Updated."), 404: NOT_FOUND,
                      409: (ErrorBody, "conflict: the retailer has a store with the new "
                                       "code."),
                      422: (ErrorBody, WRITE_ERRORS + " Or no ?retailer=.")})
def update_store(code: str, body: StorePatch, query: StoreQuery):
    """Edit a store; all or nothing."""
    store = _store(code, query.retailer)
    given = body.latitude is not None or body.longitude is not None
    services.update_store(store, code=body.code, name=body.name, address=body.address,
                          timezone=body.timezone,
                          location=(body.latitude, body.longitude) if given else None)
    return jsonify(store_json(store))


@bp.post("/stores:bulk")
@api_roles_required(Role.ADMIN, scope="stores:write")
@operation(summary="Create up to 100 stores, each answered on its own", tags=("stores",),
           body=bulk_body(StoreCreate, "StoreBulk"),
           responses={200: (BulkResult, "One result per item: 201 with the store, or the "
                                        "refusal: " + WRITE_ERRORS)})
def create_stores(body):
    """Create each store of the request on its own; a refused one stores nothing."""
    return run_bulk(body.items, StoreCreate, _create)
