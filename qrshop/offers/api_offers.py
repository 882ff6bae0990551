"""/api/v1/offers: a retailer's systems list, read, create, change and end offers
(merchandiser token; the same rules as the console's offer form, in services)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.bulk import BulkResult, bulk_body, run_bulk
from qrshop.api.fields import UtcDateTime, iso_utc
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.catalog import queries as catalog
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.offers import services
from qrshop.offers.api import bp
from qrshop.offers.models import Offer
from qrshop.web import owned_or_404

OfferKindName = Literal["percent", "amount", "perk"]
OfferStatus = Literal["scheduled", "active", "ended"]


class OfferFields(BaseModel):
    """What an offer gives, where and when (the console's offer form)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, description="The title shoppers see.")
    kind: OfferKindName = Field(description="percent, amount or perk.")
    percent_off: Optional[StrictInt] = Field(None, ge=1, le=100,
                                             description="For kind percent: 1 to 100.")
    amount_off_cents: Optional[StrictInt] = Field(None, ge=1, le=100_000_000,
                                                  description="For kind amount, in cents.")
    perk_text: Optional[str] = Field(None, max_length=200,
                                     description="For kind perk, e.g. Free gift wrap.")
    currency: str = Field("USD", min_length=3, max_length=3,
                          description="ISO 4217 (an item's offer takes the item's currency).")
    sku: Optional[str] = Field(None, max_length=64, description="The item's SKU; absent or "
                               "null: every item of the retailer.")
    store: Optional[str] = Field(None, max_length=16, description="Store code; absent or "
                                 "null: every store.")
    starts_at: UtcDateTime = Field(description="ISO 8601 with offset.")
    ends_at: UtcDateTime = Field(description="ISO 8601 with offset; after starts_at.")
    total_limit: Optional[StrictInt] = Field(None, ge=1, le=10_000_000,
                                             description="Coupons in all; null: no limit.")
    per_shopper_limit: StrictInt = Field(1, ge=1, le=100)
    coupon_valid_days: StrictInt = Field(7, ge=1, le=365)
    terms: str = Field("", max_length=2000)


class OfferCreate(OfferFields):
    """A new offer."""

    model_config = ConfigDict(title="OfferCreate", extra="forbid")

    @model_validator(mode="after")
    def _value_of_its_kind(self):
        needed = {"percent": "percent_off", "amount": "amount_off_cents", "perk": "perk_text"}
        name = needed[self.kind]
        if getattr(self, name) in (None, ""):
            raise ValueError(f"{name} is required for kind {self.kind}")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class OfferPatch(BaseModel):
    """Some of an offer's fields; the rest keep their values. Once coupons were issued only
    title, terms, ends_at, total_limit, per_shopper_limit and coupon_valid_days may change."""

    model_config = ConfigDict(title="OfferPatch", extra="forbid")

    title: Optional[str] = Field(None, min_length=1, max_length=120)
    kind: Optional[OfferKindName] = None
    percent_off: Optional[StrictInt] = Field(None, ge=1, le=100)
    amount_off_cents: Optional[StrictInt] = Field(None, ge=1, le=100_000_000)
    perk_text: Optional[str] = Field(None, max_length=200)
    currency: Optional[str] = Field(None, min_length=3, max_length=3)
    sku: Optional[str] = Field(None, max_length=64, description="null: every item.")
    store: Optional[str] = Field(None, max_length=16, description="null: every store.")
    starts_at: Optional[UtcDateTime] = None
    ends_at: Optional[UtcDateTime] = None
    total_limit: Optional[StrictInt] = Field(None, ge=1, le=10_000_000,
                                             description="null: no limit.")
    per_shopper_limit: Optional[StrictInt] = Field(None, ge=1, le=100)
    coupon_valid_days: Optional[StrictInt] = Field(None, ge=1, le=365)
    terms: Optional[str] = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _no_null_for_required(self):
        for name in ("title", "kind", "currency", "starts_at", "ends_at",
                     "per_shopper_limit", "coupon_valid_days", "terms"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class OfferOut(BaseModel):
    """An offer and how far its coupons went."""

    model_config = ConfigDict(title="Offer")

    id: int
    title: str
    kind: str
    value: str = Field(description="What a coupon gives, as shoppers read it.")
    percent_off: Optional[int]
    amount_off_cents: Optional[int]
    perk_text: Optional[str]
    currency: str
    sku: Optional[str]
    store: Optional[str]
    starts_at: datetime
    ends_at: datetime
    status: OfferStatus
    total_limit: Optional[int]
    claimed_count: int
    per_shopper_limit: int
    coupon_valid_days: int
    terms: str
    created_at: datetime


class OffersQuery(CursorQuery):
    """Filters of the offer list."""

    store: Optional[str] = Field(None, max_length=16, description="Offers valid at this "
                                 "store: its own and those of every store.")
    status: Optional[OfferStatus] = Field(None, description="scheduled, active or ended.")
    sku: Optional[str] = Field(None, max_length=64, description="Offers of this item.")


OfferPage = page_model(OfferOut, "OfferPage")


def offer_status(offer: Offer, now: datetime) -> str:
    """scheduled (not started), active or ended."""
    if offer.ends_at <= now:
        return "ended"
    return "scheduled" if offer.starts_at > now else "active"


def offer_json(offer: Offer) -> dict:
    """The API shape of an offer."""
    return {
        "id": offer.id, "title": offer.title, "kind": offer.kind,
        "value": services.describe_offer(offer), "percent_off": offer.percent_off,
        "amount_off_cents": offer.amount_off_cents, "perk_text": offer.perk_text,
        "currency": offer.currency, "sku": offer.listing.sku if offer.listing else None,
        "store": offer.store.code if offer.store else None,
        "starts_at": iso_utc(offer.starts_at), "ends_at": iso_utc(offer.ends_at),
        "status": offer_status(offer, utcnow()), "total_limit": offer.total_limit,
        "claimed_count": offer.claimed_count, "per_shopper_limit": offer.per_shopper_limit,
        "coupon_valid_days": offer.coupon_valid_days, "terms": offer.terms,
        "created_at": iso_utc(offer.created_at),
    }


def _listing(sku: Optional[str]):
    if sku is None:
        return None
    listing = catalog.listing_by_sku_any_case(g.api_user.retailer_id, sku)
    if listing is None:
        raise InvalidInput(f"sku: no item has the SKU {sku!r}.")
    return listing


def _store(code: Optional[str]):
    if code is None:
        return None
    store = accounts.store_of_retailer(g.api_user.retailer_id, code)
    if store is None:
        raise InvalidInput(f"store: you have no store {code!r}.", code="unknown_store")
    return store


def _values(fields: BaseModel, names: set[str]) -> dict:
    """The service's keyword values of these fields (sku and store looked up)."""
    values = {name: getattr(fields, name) for name in names - {"sku", "store"}}
    if "sku" in names:
        values["listing"] = _listing(fields.sku)
    if "store" in names:
        values["store"] = _store(fields.store)
    return values


def create_offer_json(body: OfferCreate) -> dict:
    """Create the offer a body describes; its JSON."""
    values = _values(body, set(OfferCreate.model_fields))
    return offer_json(services.create_offer(g.api_user.retailer, created_by=g.api_user,
                                            **values))


@bp.get("/offers")
@api_roles_required(Role.MERCHANDISER, scope="offers:read")
@operation(summary="List the retailer's offers", tags=("offers",), query=OffersQuery,
           responses={200: (OfferPage, "A page of offers, oldest first.")})
def list_offers(query: OffersQuery):
    """A page of the token's retailer's offers, filtered by store, status or item."""
    retailer_id, now = g.api_user.retailer_id, utcnow()
    statement = (select(Offer).where(Offer.retailer_id == retailer_id)
                 .options(selectinload(Offer.listing), selectinload(Offer.store)))
    if query.store is not None:
        store = _store(query.store)
        statement = statement.where(or_(Offer.store_id.is_(None), Offer.store_id == store.id))
    if query.sku is not None:
        statement = statement.where(Offer.listing_id == _listing(query.sku).id)
    if query.status == "ended":
        statement = statement.where(Offer.ends_at <= now)
    elif query.status == "scheduled":
        statement = statement.where(Offer.starts_at > now, Offer.ends_at > now)
    elif query.status == "active":
        statement = statement.where(Offer.starts_at <= now, Offer.ends_at > now)
    return jsonify(cursor_page(statement, Offer.id, query, offer_json))


@bp.get("/offers/<int:offer_id>")
@api_roles_required(Role.MERCHANDISER, scope="offers:read")
@operation(summary="Get an offer", tags=("offers",),
           responses={200: (OfferOut, "The offer."),
                      404: (ErrorBody, "not_found: no offer of yours has this id.")})
def get_offer(offer_id: int):
    """One offer of the token's retailer."""
    return jsonify(offer_json(owned_or_404(Offer, offer_id, "No such offer.",
                                           retailer_id=g.api_user.retailer_id)))


@bp.post("/offers")
@api_roles_required(Role.MERCHANDISER, scope="offers:write")
@operation(summary="Create an offer", tags=("offers",), body=OfferCreate,
           responses={201: (OfferOut, "Created."),
                      422: (ErrorBody, "invalid_input (the message names the field) or "
                                       "unknown_store.")})
def create_offer(body: OfferCreate):
    """Create an offer; the same checks as the console's form."""
    return jsonify(create_offer_json(body)), 201


@bp.post("/offers:bulk")
@api_roles_required(Role.MERCHANDISER, scope="offers:write")
@operation(summary="Create up to 100 offers", tags=("offers",),
           body=bulk_body(OfferCreate, "OfferBulk"),
           responses={200: (BulkResult, "One result per item (201 with the offer, or the "
                                        "refusal); a refused item stores nothing."),
                      413: (ErrorBody, "too_large: the body is over 64 KB.")})
def bulk_create_offers(body):
    """Create each offer on its own; answer per item."""
    return run_bulk(body.items, OfferCreate, lambda item: (201, create_offer_json(item)))


@bp.patch("/offers/<int:offer_id>")
@api_roles_required(Role.MERCHANDISER, scope="offers:write")
@operation(summary="Change an offer", tags=("offers",), body=OfferPatch,
           responses={200: (OfferOut, "Changed."),
                      404: (ErrorBody, "not_found: no offer of yours has this id."),
                      409: (ErrorBody, "offer_ended (an ended offer is final) or offer_claimed "
                                       "(coupons were issued: what they give and where stay)."),
                      422: (ErrorBody, "invalid_input (the message names the field).")})
def patch_offer(offer_id: int, body: OfferPatch):
    """Change the fields given; the others keep their values."""
    offer = services.change_offer(g.api_user.retailer, offer_id,
                                  _values(body, body.model_fields_set))
    return jsonify(offer_json(offer))


@bp.post("/offers/<int:offer_id>/end")
@api_roles_required(Role.MERCHANDISER, scope="offers:write")
@operation(summary="End an offer now", tags=("offers",),
           responses={200: (OfferOut, "Ended: no more claims; issued coupons stay valid "
                                      "until they expire."),
                      404: (ErrorBody, "not_found: no offer of yours has this id.")})
def end_offer(offer_id: int):
    """End an offer now (ending an ended offer changes nothing)."""
    return jsonify(offer_json(services.end_offer(g.api_user.retailer_id, offer_id)))
