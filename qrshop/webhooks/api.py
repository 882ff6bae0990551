"""/api/v1/webhooks: a merchandiser's (retailer's) or a vendor's webhooks and delivery logs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from flask import Blueprint, g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.paging import CursorQuery, cursor_page, page_model
from qrshop.api.spec import ErrorBody, operation
from qrshop.webhooks import services
from qrshop.webhooks.addresses import MAX_URL_LENGTH
from qrshop.webhooks.events import EVENTS
from qrshop.webhooks.models import Webhook, WebhookDelivery

bp = Blueprint("webhooks_api", __name__, url_prefix="/api/v1")

PARTIES = (Role.MERCHANDISER, Role.VENDOR)
_EVENT_LIST = ", ".join(EVENTS)
NOT_FOUND = (ErrorBody, "not_found: no such webhook (or delivery) of yours.")


class WebhookRequest(BaseModel):
    """A new webhook: where to send, and which events."""

    model_config = ConfigDict(title="WebhookRequest", extra="forbid")

    url: str = Field(max_length=MAX_URL_LENGTH, description="https URL of a public host.")
    events: list[str] = Field(min_length=1, max_length=len(EVENTS),
                              description=f"Event names: {_EVENT_LIST}.")


class WebhookChange(BaseModel):
    """Fields to change (any of them); enabled: true resets the failure count."""

    model_config = ConfigDict(title="WebhookChange", extra="forbid")

    url: Optional[str] = Field(None, max_length=MAX_URL_LENGTH)
    events: Optional[list[str]] = Field(None, min_length=1, max_length=len(EVENTS))
    enabled: Optional[StrictBool] = None


class WebhookOut(BaseModel):
    """A webhook (its secret is only in the answer that created it)."""

    model_config = ConfigDict(title="Webhook")

    id: int
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: Optional[str]
    consecutive_failures: int
    created_at: datetime


class WebhookCreated(WebhookOut):
    """The new webhook with its signing secret, shown this once."""

    model_config = ConfigDict(title="WebhookCreated")

    secret: str = Field(description="whsec_...: verify signatures with it; keep it secret.")


class DeliveryOut(BaseModel):
    """One event sent (or to be sent) to a webhook, with its last attempt."""

    model_config = ConfigDict(title="WebhookDelivery")

    id: int
    webhook_id: int
    event_type: str
    msg_id: str
    status: str = Field(description="queued, delivered or failed.")
    attempts: int
    next_attempt_at: Optional[datetime]
    last_attempt_at: Optional[datetime]
    last_status_code: Optional[int]
    last_duration_ms: Optional[int]
    last_error: Optional[str]
    created_at: datetime
    delivered_at: Optional[datetime]
    payload: dict[str, Any]


WebhookPage = page_model(WebhookOut, "WebhookPage")
DeliveryPage = page_model(DeliveryOut, "WebhookDeliveryPage")


def _iso(at: Optional[datetime]) -> Optional[str]:
    return at.isoformat() if at is not None else None


def webhook_json(webhook: Webhook) -> dict:
    """A webhook as the API shows it."""
    return {"id": webhook.id, "url": webhook.url, "events": list(webhook.events),
            "enabled": webhook.is_enabled, "disabled_reason": webhook.disabled_reason,
            "consecutive_failures": webhook.consecutive_failures,
            "created_at": _iso(webhook.created_at)}


def delivery_json(delivery: WebhookDelivery) -> dict:
    """A delivery as the API shows it."""
    queued = delivery.status == "queued"
    return {"id": delivery.id, "webhook_id": delivery.webhook_id,
            "event_type": delivery.event_type, "msg_id": delivery.msg_id,
            "status": delivery.status, "attempts": delivery.attempts,
            "next_attempt_at": _iso(delivery.next_attempt_at) if queued else None,
            "last_attempt_at": _iso(delivery.last_attempt_at),
            "last_status_code": delivery.last_status_code,
            "last_duration_ms": delivery.last_duration_ms, "last_error": delivery.last_error,
            "created_at": _iso(delivery.created_at), "delivered_at": _iso(delivery.delivered_at),
            "payload": json.loads(delivery.payload)}


def _owner() -> services.Owner:
    return services.Owner.of(g.api_user)


@bp.post("/webhooks")
@api_roles_required(*PARTIES, scope="webhooks:write")
@operation(summary="Create a webhook", tags=("webhooks",), body=WebhookRequest, responses={
    201: (WebhookCreated, "Created; the secret is shown only here."),
    422: (ErrorBody, "unknown_event (the message lists the valid events), unsafe_url (not "
                     "https, or a private, loopback or link-local host), too_many_webhooks."),
})
def create(body: WebhookRequest):
    """Create a webhook; answer its secret, which is never shown again."""
    webhook, secret = services.create_webhook(_owner(), url=body.url, events=body.events,
                                              created_by_id=g.api_user.id)
    return jsonify({**webhook_json(webhook), "secret": secret}), 201


@bp.get("/webhooks")
@api_roles_required(*PARTIES, scope="webhooks:read")
@operation(summary="List webhooks", tags=("webhooks",), query=CursorQuery,
           responses={200: (WebhookPage, "One page of your webhooks, oldest first.")})
def list_webhooks(query: CursorQuery):
    """Your webhooks, a page at a time."""
    return jsonify(cursor_page(services.webhooks_of(_owner()), Webhook.id, query,
                               webhook_json))


@bp.get("/webhooks/<int:webhook_id>")
@api_roles_required(*PARTIES, scope="webhooks:read")
@operation(summary="Get a webhook", tags=("webhooks",),
           responses={200: (WebhookOut, "The webhook."), 404: NOT_FOUND})
def get_webhook(webhook_id: int):
    """One of your webhooks."""
    return jsonify(webhook_json(services.webhook_of(_owner(), webhook_id)))


@bp.patch("/webhooks/<int:webhook_id>")
@api_roles_required(*PARTIES, scope="webhooks:write")
@operation(summary="Change a webhook", tags=("webhooks",), body=WebhookChange, responses={
    200: (WebhookOut, "Changed."), 404: NOT_FOUND,
    422: (ErrorBody, "unknown_event or unsafe_url."),
})
def change(webhook_id: int, body: WebhookChange):
    """Change a webhook's URL, events, or enable/disable it."""
    owner = _owner()
    webhook = services.update_webhook(owner, services.webhook_of(owner, webhook_id),
                                      url=body.url, events=body.events, enabled=body.enabled)
    return jsonify(webhook_json(webhook))


@bp.delete("/webhooks/<int:webhook_id>")
@api_roles_required(*PARTIES, scope="webhooks:write")
@operation(summary="Delete a webhook", tags=("webhooks",),
           responses={204: (None, "Deleted."), 404: NOT_FOUND})
def delete(webhook_id: int):
    """Delete a webhook; its queued deliveries are dropped."""
    services.delete_webhook(services.webhook_of(_owner(), webhook_id))
    return "", 204


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@api_roles_required(*PARTIES, scope="webhooks:read")
@operation(summary="A webhook's delivery log", tags=("webhooks",), query=CursorQuery,
           responses={200: (DeliveryPage, "One page of deliveries, oldest first."),
                      404: NOT_FOUND})
def deliveries(webhook_id: int, query: CursorQuery):
    """Every delivery of a webhook: status, answer code, duration, attempts."""
    webhook = services.webhook_of(_owner(), webhook_id)
    return jsonify(cursor_page(services.deliveries_of(webhook), WebhookDelivery.id, query,
                               delivery_json))


@bp.post("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend")
@api_roles_required(*PARTIES, scope="webhooks:write")
@operation(summary="Resend a delivery", tags=("webhooks",), responses={
    202: (DeliveryOut, "Queued again; the worker sends it within seconds."),
    404: NOT_FOUND, 409: (ErrorBody, "webhook_disabled: enable the webhook first."),
})
def resend(webhook_id: int, delivery_id: int):
    """Queue a delivery again (same webhook-id), for example after fixing the receiver."""
    webhook = services.webhook_of(_owner(), webhook_id)
    delivery = services.resend(webhook, services.delivery_of(webhook, delivery_id))
    return jsonify(delivery_json(delivery)), 202
