"""/api/v1/wishlist-adds: items shoppers saved to their wish lists from the retailer's tags
(merchandiser token); the shopper only as a pseudonym per retailer, never an email."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import UtcDateTime, iso_utc
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.security import shopper_pseudonym
from qrshop.wishlist.models import WishlistItem


class WishlistAddOut(BaseModel):
    """A listing a shopper saved (one per shopper and listing; saving again keeps it)."""

    model_config = ConfigDict(title="WishlistAdd")

    id: int
    sku: str
    store: Optional[str] = Field(description="Store code of the tag it was saved from.")
    added_at: datetime = Field(description="First saved, ISO 8601 UTC.")
    removed_at: Optional[datetime] = Field(description="When the shopper removed it; null "
                                           "while it is on the list.")
    shopper: str = Field(description="The shopper's pseudonym at this retailer (as in "
                         "/api/v1/scans).")


class WishlistAddsQuery(CursorQuery):
    """Filters of the wish-list adds."""

    store: Optional[str] = Field(None, max_length=16, description="Store code.")
    since: Optional[UtcDateTime] = Field(None, description="Added at or after this instant.")


WishlistAddPage = page_model(WishlistAddOut, "WishlistAddPage")


@bp.get("/wishlist-adds")
@api_roles_required(Role.MERCHANDISER, scope="wishlist:read")
@operation(summary="List wish-list adds", tags=("wishlist",), query=WishlistAddsQuery,
           responses={200: (WishlistAddPage, "A page of adds, oldest first.")})
def list_wishlist_adds(query: WishlistAddsQuery):
    """A page of the wish-list adds of the retailer's listings, in id order."""
    retailer_id = g.api_user.retailer_id
    stores = {store.id: store.code for store in accounts.stores_of_retailer(retailer_id)}
    facts = catalog.listing_facts()
    statement = (
        select(WishlistItem.id, WishlistItem.store_id, WishlistItem.created_at,
               WishlistItem.removed_at, WishlistItem.shopper_id, facts.c.sku)
        .join(facts, facts.c.listing_id == WishlistItem.listing_id)
        .where(facts.c.retailer_id == retailer_id,
               WishlistItem.suggested_by.is_(None))  # the shoppers' own saves only
    )
    if query.store is not None:
        store = accounts.store_of_retailer(retailer_id, query.store)
        if store is None:
            raise InvalidInput(f"store: you have no store {query.store!r}.",
                               code="unknown_store")
        statement = statement.where(WishlistItem.store_id == store.id)
    if query.since is not None:
        statement = statement.where(WishlistItem.created_at >= query.since)

    def add_json(row) -> dict:
        return {"id": row.id, "sku": row.sku, "store": stores.get(row.store_id),
                "added_at": iso_utc(row.created_at), "removed_at": iso_utc(row.removed_at),
                "shopper": shopper_pseudonym(retailer_id, row.shopper_id)}

    return jsonify(cursor_page(statement, WishlistItem.id, query, add_json, scalars=False))
