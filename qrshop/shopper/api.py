"""/api/v1/scans: the scan log of a retailer, for its BI tools (merchandiser token).

Counted and bot scans alike, each flagged; the shopper appears only as a pseudonym per
retailer (security.shopper_pseudonym), and no IP address or user agent is ever stored, so
none can be given. Orphan scans (codes matching no tag) belong to no retailer and are left
out: they are the dashboard's "unknown codes" figure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop.accounts import queries as accounts
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.fields import UtcDateTime, iso_utc
from qrshop.api.paging import CursorQuery, page_model
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.catalog import queries as catalog
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.security import shopper_pseudonym
from qrshop.shopper.models import Scan
from qrshop.tags import queries as tags


class ScanOut(BaseModel):
    """One scan of one of the retailer's tags."""

    model_config = ConfigDict(title="ScanEvent")

    id: int
    code: Optional[str] = Field(description="The tag's code.")
    sku: Optional[str] = Field(description="The listing the tag pointed at then.")
    store: Optional[str] = Field(description="Store code.")
    scanned_at: datetime = Field(description="ISO 8601, UTC.")
    is_bot: bool = Field(description="A crawler, link preview, HEAD or prefetch: not counted.")
    is_repeat: bool = Field(description="Same shopper and tag within 30 minutes (counted).")
    device: Optional[Literal["phone", "tablet", "desktop"]] = Field(
        description="From the user agent at scan time; null for scans before it was kept.")
    shopper: Optional[str] = Field(description="The shopper's pseudonym at this retailer "
                                   "(stable, not reversible); null for bots and unknown.")


class ScansQuery(CursorQuery):
    """Filters of the scan log; the cursor is a scan id."""

    cursor: Optional[str] = Field(None, max_length=19, pattern=r"^[0-9]+$",
                                  description="next_cursor of the previous page.")
    store: Optional[str] = Field(None, max_length=16, description="Store code.")
    since: Optional[UtcDateTime] = Field(None, description="Scans at or after this instant "
                                         "(ISO 8601 with offset).")


ScanPage = page_model(ScanOut, "ScanEventPage")
MAX_SCAN_ID = 2**63 - 1  # scan ids are 64-bit (the paging helper's are 32-bit)


@bp.get("/scans")
@api_roles_required(Role.MERCHANDISER, scope="scans:read")
@operation(summary="List scan events", tags=("scans",), query=ScansQuery,
           responses={200: (ScanPage, "A page of scans, oldest first.")})
def list_scans(query: ScansQuery):
    """A page of the retailer's scans in id order, counted and bot ones, flagged."""
    retailer_id = g.api_user.retailer_id
    stores = {store.id: store.code for store in accounts.stores_of_retailer(retailer_id)}
    codes, facts = tags.tag_codes(), catalog.listing_facts()
    statement = (
        select(Scan.id, Scan.scanned_at, Scan.is_bot, Scan.is_repeat, Scan.device,
               Scan.shopper_id, Scan.store_id, codes.c.code, facts.c.sku)
        .outerjoin(codes, codes.c.tag_id == Scan.tag_id)
        .outerjoin(facts, facts.c.listing_id == Scan.listing_id)
        .where(Scan.retailer_id == retailer_id)
    )
    if query.store is not None:
        store = accounts.store_of_retailer(retailer_id, query.store)
        if store is None:
            raise InvalidInput(f"store: you have no store {query.store!r}.",
                               code="unknown_store")
        statement = statement.where(Scan.store_id == store.id)
    if query.since is not None:
        statement = statement.where(Scan.scanned_at >= query.since)

    def scan_json(row) -> dict:
        return {
            "id": row.id, "code": row.code, "sku": row.sku, "store": stores.get(row.store_id),
            "scanned_at": iso_utc(row.scanned_at), "is_bot": row.is_bot,
            "is_repeat": row.is_repeat, "device": row.device,
            "shopper": shopper_pseudonym(retailer_id, row.shopper_id)
            if row.shopper_id and not row.is_bot else None,
        }

    after = int(query.cursor) if query.cursor else 0
    if after > MAX_SCAN_ID:
        raise InvalidInput("cursor: not one this API gave out; start without one.")
    rows = list(db.session.execute(statement.where(Scan.id > after).order_by(Scan.id)
                                   .limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return jsonify(items=[scan_json(row) for row in rows],
                   next_cursor=str(rows[-1].id) if more and rows else None)
