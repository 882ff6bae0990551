"""/api/v1/listings: a retailer's systems list, read and put listings (merchandiser token)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import Blueprint, abort, g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.spec import ErrorBody, operation
from qrshop.catalog import listings, queries
from qrshop.catalog.listings import MAX_PRICE_CENTS
from qrshop.catalog.models import Listing
from qrshop.errors import InvalidInput

bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1")

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class StockIn(BaseModel):
    """A listing's stock and place in one store."""

    model_config = ConfigDict(title="ListingStockIn", extra="forbid")

    store: str = Field(max_length=16, description="A store code of yours (any case).")
    in_stock: Optional[StrictInt] = Field(None, ge=0, le=listings.MAX_STOCK,
                                          description="How many the store has; null: unknown.")
    location: str = Field("", max_length=120, description="Where it is in the store, e.g. "
                          "Aisle 4 endcap.")


class ListingPut(BaseModel):
    """The listing of a SKU: the product by GTIN, and its price."""

    model_config = ConfigDict(title="ListingPut", extra="forbid")

    gtin: str = Field(max_length=20, description="GTIN-8/12/13/14 with its check digit; "
                      "a linked vendor's product, or (with name and brand) your own product.")
    price_cents: StrictInt = Field(ge=0, le=MAX_PRICE_CENTS,
                                   description="Price in minor units (4999 is 49.99).")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code, e.g. USD.")
    name: Optional[str] = Field(None, max_length=200, description="Product name, required "
                                "when no vendor on qrshop supplies the GTIN.")
    brand: Optional[str] = Field(None, max_length=120, description="Brand, required when no "
                                 "vendor on qrshop supplies the GTIN.")
    stock: Optional[list[StockIn]] = Field(None, max_length=500, description="Stock per store "
                                           "(the stores named are set; others stay as they "
                                           "are). Shown on the landing page within a second.")


class ListingBulkItem(ListingPut):
    """One listing of a bulk write: the PUT body and its SKU."""

    model_config = ConfigDict(title="ListingBulkItem", extra="forbid")

    sku: str = Field(max_length=64, description="The retailer's SKU: 1-64 letters, digits, "
                     "'.', '-' or '_'.")


class StockOut(BaseModel):
    """A listing's stock and place in one store."""

    model_config = ConfigDict(title="ListingStock")

    store: str
    in_stock: Optional[int]
    location: str
    updated_at: datetime


class ListingOut(BaseModel):
    """A product the retailer carries, under its SKU and price."""

    model_config = ConfigDict(title="Listing")

    id: int
    sku: str
    gtin: str
    name: str
    brand: str
    price_cents: int
    currency: str
    status: str = Field(description="active or discontinued (its tags are retired).")
    retailer_owned: bool = Field(description="A product no vendor on qrshop supplies.")
    stock: list[StockOut]
    updated_at: datetime


class ListingPage(BaseModel):
    """One page of listings, by id; pass next_cursor as ?cursor= for the next."""

    model_config = ConfigDict(title="ListingPage")

    items: list[ListingOut]
    next_cursor: Optional[str]


class ListingsQuery(BaseModel):
    """Cursor pagination of listings."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=100, description="Listings per page (at most 100).")
    cursor: Optional[str] = Field(None, max_length=12, pattern=r"^[0-9]+$",
                                  description="next_cursor of the previous page.")


PUT_ERRORS = ("invalid_input, unknown_store (a stock row's store code) or vendor_not_linked "
              "(the GTIN's vendor is not linked to your retailer).")


def listing_json(listing: Listing) -> dict:
    """The API shape of a listing."""
    return {
        "id": listing.id, "sku": listing.sku, "gtin": listing.product.gtin,
        "name": listing.product.name, "brand": listing.product.brand,
        "price_cents": listing.price_cents, "currency": listing.currency,
        "status": listing.status,
        "retailer_owned": listings.house_owner(listing.product.vendor_id) is not None,
        "stock": [{"store": row.store.code, "in_stock": row.in_stock, "location": row.location,
                   "updated_at": row.updated_at.isoformat()} for row in queries.stock_of(listing)],
        "updated_at": listing.updated_at.isoformat(),
    }


@bp.get("/listings")
@api_roles_required(Role.MERCHANDISER, scope="listings:read")
@operation(summary="List the retailer's listings", tags=("listings",), query=ListingsQuery,
           responses={200: (ListingPage, "A page of listings, oldest first.")})
def list_listings(query: ListingsQuery):
    """A page of the token's retailer's listings."""
    after = int(query.cursor) if query.cursor else 0
    if after > MAX_ID:
        raise InvalidInput("That cursor is not one this API gave out; start without one.")
    rows = queries.listing_page(g.api_user.retailer_id, after, query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return jsonify(items=[listing_json(row) for row in rows],
                   next_cursor=str(rows[-1].id) if more else None)


@bp.get("/listings/<sku>")
@api_roles_required(Role.MERCHANDISER, scope="listings:read")
@operation(summary="Get the listing of a SKU", tags=("listings",),
           responses={200: (ListingOut, "The listing."),
                      404: (ErrorBody, "not_found: no listing has this SKU.")})
def get_listing(sku: str):
    """One listing of the token's retailer by SKU."""
    valid = listings.SKU_PATTERN.fullmatch(sku) is not None
    listing = queries.listing_by_sku(g.api_user.retailer_id, sku) if valid else None
    if listing is None:
        abort(404, description=f"No listing with SKU {sku!r}.")
    return jsonify(listing_json(listing))


@bp.put("/listings/<sku>")
@api_roles_required(Role.MERCHANDISER, scope="listings:write")
@operation(summary="Carry a product under a SKU, or update that SKU's price",
           tags=("listings",), body=ListingPut,
           responses={200: (ListingOut, "Updated (a discontinued SKU is carried again)."),
                      201: (ListingOut, "Created."),
                      409: (ErrorBody, "conflict: the SKU carries another GTIN, or the GTIN "
                                       "is listed under another SKU."),
                      422: (ErrorBody, PUT_ERRORS)})
def put_listing(sku: str, body: ListingPut):
    """Create or update the listing of a SKU; the same rules as the console and CSV import."""
    status, data = _put(sku, body)
    return jsonify(data), status


def _put(sku: str, body: ListingPut) -> tuple[int, dict]:
    retailer = g.api_user.retailer
    stores = [(listings.store_by_code(retailer.id, row.store), row) for row in body.stock or []]
    if len({store.id for store, _ in stores}) != len(stores):
        raise InvalidInput("stock: name each store once.")
    listing, created = listings.put_listing(
        retailer, sku=sku, gtin=body.gtin, price_cents=body.price_cents,
        currency=body.currency, name=body.name or "", brand=body.brand or "")
    for store, row in stores:
        listings.set_stock(listing, store, in_stock=row.in_stock, location=row.location)
    return (201 if created else 200), listing_json(listing)


@bp.post("/listings:bulk")
@api_roles_required(Role.MERCHANDISER, scope="listings:write")
@operation(summary="Carry or update up to 100 SKUs, each answered on its own",
           tags=("listings",), body=bulk_body(ListingBulkItem, "ListingBulk"),
           responses={200: (BulkResult, "One result per item, as PUT /api/v1/listings/{sku} "
                                        "would answer it: 201 created, 200 updated, 409 "
                                        "conflict, 422 " + PUT_ERRORS)})
def bulk_listings(body):
    """PUT each listing of the request on its own; a refused one stores nothing."""
    return run_bulk(body.items, ListingBulkItem, lambda item: _put(item.sku, item))


# The products resource registers its routes on this blueprint.
from qrshop.catalog import api_products  # noqa: E402, F401
