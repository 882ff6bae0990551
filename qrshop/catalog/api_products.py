"""/api/v1/products: a vendor's systems create, read and rename the vendor's products; a
merchandiser reads the products of the vendors linked to its retailer. The rules are the
vendor portal's (catalog.services)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Optional

from flask import abort, g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from qrshop.accounts import services as accounts_services
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.catalog import queries, services, variants
from qrshop.catalog.api import bp
from qrshop.catalog.models import Product
from qrshop.errors import InvalidInput

GTIN_TEXT = "GTIN-8/12/13/14 with its check digit (stored and answered as GTIN-14)."
VARIANT_OF_TEXT = ("The GTIN of the product this one is a variant of (a size or colour of it): "
                   "one of yours, or this product's own GTIN for the group's first product. "
                   "Answered as the group's key (a GTIN-14). Left out: unchanged.")


class VariantIn(BaseModel):
    """Optional variant fields of a product."""

    variant_of: Optional[str] = Field(None, max_length=20, description=VARIANT_OF_TEXT)
    size: Optional[str] = Field(None, max_length=40, description="The variant's size, e.g. M.")
    colour: Optional[str] = Field(None, max_length=40,
                                  description="The variant's colour, e.g. Navy.")


class ProductCreate(VariantIn):
    """A product of the vendor: its GTIN, name and brand."""

    model_config = ConfigDict(title="ProductCreate", extra="forbid")

    gtin: str = Field(max_length=20, description=GTIN_TEXT)
    name: str = Field(max_length=200, description="Product name.")
    brand: Optional[str] = Field(None, max_length=120,
                                 description="Brand; the vendor's name when left out.")


class ProductPut(VariantIn):
    """A product's name and brand (its GTIN identifies it and never changes)."""

    model_config = ConfigDict(title="ProductPut", extra="forbid")

    name: str = Field(max_length=200, description="Product name.")
    brand: Optional[str] = Field(None, max_length=120,
                                 description="Brand; the vendor's name when left out.")


class ProductOut(BaseModel):
    """A vendor's product."""

    model_config = ConfigDict(title="Product")

    gtin: str = Field(description="GTIN-14.")
    name: str
    brand: str
    vendor: str = Field(description="The vendor's slug.")
    variant_of: Optional[str] = Field(None, description="The variant group's key (a GTIN-14), "
                                      "shared by the product's sizes and colours; null if none.")
    size: Optional[str] = None
    colour: Optional[str] = None
    created_at: datetime
    updated_at: datetime


ProductPage = page_model(ProductOut, "ProductPage")


class ProductsQuery(CursorQuery):
    """Filters of the product list."""

    vendor: Optional[str] = Field(None, max_length=64, description="Merchandiser: only this "
                                  "linked vendor's products (its slug).")


NOT_FOUND = (ErrorBody, "not_found: none of your products has this GTIN.")
WRITE_ERRORS = ("invalid_input (a GTIN's check digit, a name missing or too long), "
                "unknown_variant_of (422: variant_of names none of your products), or "
                "conflict (409: another vendor has this GTIN).")


def _variant(body: VariantIn, gtin: str) -> variants.VariantFields:
    """The body's variant fields, checked against the vendor's products (before any write)."""
    fields = variants.VariantFields(body.variant_of, body.size, body.colour)
    if not fields.given:
        return fields
    vendor_id = g.api_user.vendor_id

    def own(found_gtin: str):
        product = variants.product_by_gtin(found_gtin)
        return product if product is not None and product.vendor_id == vendor_id else None
    return variants.checked(fields, services.normalise_gtin(gtin), find=own, whose="of yours")


def product_json(product: Product) -> dict:
    """The API shape of a product."""
    return {"gtin": product.gtin, "name": product.name, "brand": product.brand,
            "vendor": product.vendor.slug, **variants.variant_json(product),
            "created_at": product.created_at.isoformat(),
            "updated_at": product.updated_at.isoformat()}


def _readable():
    """The products the token's user may read (a select)."""
    user = g.api_user
    if user.role == Role.VENDOR:
        return queries.readable_products(vendor_id=user.vendor_id)
    return queries.readable_products(retailer_id=user.retailer_id)


def _product(gtin: str) -> Product:
    """The product with this GTIN the token's user may read, else 404 (another vendor's,
    or for a merchandiser an unlinked vendor's, answers as a missing one)."""
    try:
        gtin14 = services.normalise_gtin(gtin)
    except InvalidInput:
        gtin14 = None
    product = queries.product_by_gtin(gtin14) if gtin14 else None
    user = g.api_user
    if product is not None:
        readable = (product.vendor_id == user.vendor_id if user.role == Role.VENDOR
                    else accounts_services.vendor_supplies(user.retailer_id, product.vendor_id))
        product = product if readable else None
    if product is None:
        abort(404, description=f"None of your products has GTIN {gtin[:20]!r}.")
    return product


@bp.get("/products")
@api_roles_required(Role.VENDOR, Role.MERCHANDISER, scope="products:read")
@operation(summary="List products", tags=("products",), query=ProductsQuery,
           responses={200: (ProductPage, "A page of products, oldest first: a vendor's own, "
                                         "or those of the vendors linked to a retailer."),
                      422: (ErrorBody, "invalid_input, or ?vendor= is not a vendor linked "
                                       "to your retailer (or not yours).")})
def list_products(query: ProductsQuery):
    """A page of the products the token may read."""
    statement = _readable()
    if query.vendor:
        vendor = None
        with contextlib.suppress(InvalidInput):  # an unknown slug reads as an unlinked one
            vendor = accounts_services.vendor_by_slug(query.vendor)
        user = g.api_user
        allowed = vendor is not None and (
            vendor.id == user.vendor_id if user.role == Role.VENDOR
            else accounts_services.vendor_supplies(user.retailer_id, vendor.id))
        if not allowed:
            raise InvalidInput(f"vendor: no vendor {query.vendor!r} whose products you read.")
        statement = statement.where(Product.vendor_id == vendor.id)
    return jsonify(cursor_page(statement, Product.id, query, product_json))


@bp.get("/products/<gtin>")
@api_roles_required(Role.VENDOR, Role.MERCHANDISER, scope="products:read")
@operation(summary="Get a product by GTIN", tags=("products",),
           responses={200: (ProductOut, "The product."), 404: NOT_FOUND})
def get_product(gtin: str):
    """One product the token may read, by any form of its GTIN."""
    return jsonify(product_json(_product(gtin)))


@bp.post("/products")
@api_roles_required(Role.VENDOR, scope="products:write")
@operation(summary="Add a product to the vendor's catalogue", tags=("products",),
           body=ProductCreate,
           responses={201: (ProductOut, "Created."),
                      409: (ErrorBody, "conflict: a product with this GTIN exists."),
                      422: (ErrorBody, "invalid_input: the GTIN's check digit, the name.")})
def create_product(body: ProductCreate):
    """Create a product of the token's vendor (the vendor portal's rules)."""
    variant = _variant(body, body.gtin)
    product = services.create_product(g.api_user.vendor, gtin=body.gtin, name=body.name,
                                      brand=body.brand or "")
    variants.apply(product, variant)
    return jsonify(product_json(product)), 201


@bp.put("/products/<gtin>")
@api_roles_required(Role.VENDOR, scope="products:write")
@operation(summary="Rename one of the vendor's products or change its brand",
           tags=("products",), body=ProductPut,
           responses={200: (ProductOut, "Updated."), 404: NOT_FOUND,
                      422: (ErrorBody, "invalid_input: the name.")})
def put_product(gtin: str, body: ProductPut):
    """Change the name and brand of one of the token's vendor's products."""
    product = _product(gtin)
    variant = _variant(body, product.gtin)
    services.update_product(product, name=body.name, brand=body.brand or "")
    variants.apply(product, variant)
    return jsonify(product_json(product))


def _put(item: ProductCreate) -> tuple[int, dict]:
    variant = _variant(item, item.gtin)
    product, created = services.put_product(g.api_user.vendor, gtin=item.gtin,
                                            name=item.name, brand=item.brand or "")
    variants.apply(product, variant)
    return (201 if created else 200), product_json(product)


@bp.post("/products:bulk")
@api_roles_required(Role.VENDOR, scope="products:write")
@operation(summary="Create or update up to 100 of the vendor's products", tags=("products",),
           body=bulk_body(ProductCreate, "ProductBulk"),
           responses={200: (BulkResult, "One result per item: 201 created, 200 updated (the "
                                        "vendor's own GTIN), or the refusal: "
                                        + WRITE_ERRORS)})
def bulk_products(body):
    """Create or update each product on its own (a PIM feed); a refused one stores nothing."""
    return run_bulk(body.items, ProductCreate, _put)
