"""Queueing deliveries: one INSERT ... SELECT per audience, in the event's own transaction.

The statement copies one row per matching webhook (its owner, enabled, not deleted,
subscribed to the event) into webhook_deliveries, so a webhook deleted or disabled a moment
ago is simply not matched, and nothing is sent from the request: delivery.send_due sends.
The same statements serve the ORM (emit.py) and the scan path's driver connection (scans.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    exists,
    insert,
    literal,
    null,
    select,
    true,
)

from qrshop.db import UTCDateTime
from qrshop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

OWNERS = ("retailer_id", "vendor_id")


def subscribed_condition(event_pattern):
    """SQL: a live webhook subscribed to the event whose LIKE pattern is given."""
    hooks = Webhook.__table__
    return (hooks.c.is_enabled == true()) & hooks.c.deleted_at.is_(None) \
        & cast(hooks.c.events, Text).like(event_pattern)


def event_pattern(event_type: str) -> str:
    """The LIKE pattern that finds an event name in a webhook's JSON list of events."""
    return f'%"{event_type}"%'


def queue_statement(owner: str, *, keyed: bool = False, returning: bool = False):
    """INSERT ... SELECT of one delivery per live subscribed webhook of one owner.

    Parameters: p_owner, p_event_pattern, p_event_type, p_payload, p_msg_prefix (the
    webhook id is appended to make each msg_id), p_now, and p_event_key when keyed (then a
    webhook that already has a delivery with that key gets none). returning: the statement
    returns the new rows' ids (a driver's row count of INSERT ... SELECT is not reliable).
    """
    if owner not in OWNERS:
        raise ValueError(f"unknown owner column {owner!r}")
    hooks, deliveries = Webhook.__table__, WebhookDelivery.__table__
    condition = (hooks.c[owner] == bindparam("p_owner")) \
        & subscribed_condition(bindparam("p_event_pattern", type_=String()))
    key = null()
    if keyed:
        key = bindparam("p_event_key", type_=String())
        condition = condition & ~exists().where(
            deliveries.c.webhook_id == hooks.c.id,
            deliveries.c.event_key == bindparam("p_event_key", type_=String()))
    now = bindparam("p_now", type_=UTCDateTime())
    source = select(
        hooks.c.id,
        bindparam("p_event_type", type_=String()),
        bindparam("p_payload", type_=Text()),
        bindparam("p_msg_prefix", type_=String()) + cast(hooks.c.id, String()),
        key,
        literal(DeliveryStatus.QUEUED.value),
        literal(0),
        now,
        now,
    ).where(condition)
    statement = insert(deliveries).from_select(
        ["webhook_id", "event_type", "payload", "msg_id", "event_key", "status", "attempts",
         "next_attempt_at", "created_at"], source)
    return statement.returning(deliveries.c.id) if returning else statement


def queue_params(owner_id: int, event_type: str, payload: str, now: datetime,
                 event_key: Optional[str] = None) -> dict:
    """The parameters of queue_statement for one event to one owner's webhooks."""
    params = {"p_owner": owner_id, "p_event_pattern": event_pattern(event_type),
              "p_event_type": event_type, "p_payload": payload, "p_now": now,
              "p_msg_prefix": f"msg_{secrets.token_urlsafe(15)}_"}
    if event_key is not None:
        params["p_event_key"] = event_key[:200]
    return params
