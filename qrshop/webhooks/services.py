"""Webhooks of a retailer or a vendor: create (the secret shown once), change, delete, read
their delivery log, resend a delivery. Services flush; the request commits."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

from flask import current_app
from sqlalchemy import Select, func, select, update

from qrshop.accounts.roles import Role
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.web import row_or_none
from qrshop.webhooks.addresses import check_url
from qrshop.webhooks.events import events_for
from qrshop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

MAX_WEBHOOKS = 20  # per retailer or vendor
SECRET_BYTES = 24


@dataclass(frozen=True)
class Owner:
    """The party a webhook belongs to: a retailer or a vendor."""

    retailer_id: Optional[int] = None
    vendor_id: Optional[int] = None

    @classmethod
    def of(cls, user) -> Owner:
        """A merchandiser's retailer or a vendor user's vendor; 403 for anyone else."""
        if user.role == Role.MERCHANDISER and user.retailer_id is not None:
            return cls(retailer_id=user.retailer_id)
        if user.role == Role.VENDOR and user.vendor_id is not None:
            return cls(vendor_id=user.vendor_id)
        raise InvalidInput("Only merchandisers and vendors have webhooks.", code="forbidden",
                           status_code=403)

    @property
    def is_vendor(self) -> bool:
        """Whether this is a vendor (its webhooks get product-level data only)."""
        return self.vendor_id is not None

    def owns(self, webhook: Webhook) -> bool:
        """Whether the webhook is this party's (and not deleted)."""
        return webhook.deleted_at is None and (webhook.retailer_id, webhook.vendor_id) == (
            self.retailer_id, self.vendor_id)


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def checked_events(events: Iterable[Any], *, vendor: bool) -> list[str]:
    """The subscribed events, sorted; 422 naming the valid ones for an unknown name or none.
    A family wildcard (`content.*`) stands for each of the party's events of that family."""
    events = list(events)
    valid = events_for(vendor=vendor)
    chosen, unknown = set(), [repr(event) for event in events if not isinstance(event, str)]
    for event in (event for event in events if isinstance(event, str)):
        family = [name for name in valid if event.endswith(".*")
                  and name.startswith(event[:-1])]
        if event in valid or family:
            chosen.update(family or [event])
        else:
            unknown.append(event)
    chosen = sorted(chosen)
    if unknown or not chosen:
        what = f"Unknown event {unknown[0]!r}" if unknown else "Choose at least one event"
        party = "a vendor's" if vendor else "a retailer's"
        raise InvalidInput(f"{what}; {party} webhooks can receive: {', '.join(valid)}.",
                           code="unknown_event")
    return chosen


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def _scan_subscribers_changed() -> None:
    """This process reads scan.created's subscribers again on its next scan."""
    scan_webhooks = current_app.extensions.get("qrshop.scan_webhooks")
    if scan_webhooks is not None:
        scan_webhooks.forget()


def webhooks_of(owner: Owner) -> Select:
    """The party's live webhooks (not ordered)."""
    return select(Webhook).where(Webhook.retailer_id == owner.retailer_id
                                 if owner.retailer_id is not None
                                 else Webhook.vendor_id == owner.vendor_id,
                                 Webhook.deleted_at.is_(None))


def webhook_list(owner: Owner) -> list[Webhook]:
    """The party's live webhooks, oldest first (the console's list)."""
    return list(db.session.scalars(webhooks_of(owner).order_by(Webhook.id)))


def webhook_of(owner: Owner, webhook_id: Any) -> Webhook:
    """The party's webhook with this id; 404 for another party's, a deleted or missing one."""
    webhook = row_or_none(Webhook, webhook_id)
    if webhook is None or not owner.owns(webhook):
        raise InvalidInput("No such webhook.", code="not_found", status_code=404)
    return webhook


def create_webhook(owner: Owner, *, url: str, events: Iterable[Any],
                   created_by_id: Optional[int]) -> tuple[Webhook, str]:
    """Create a webhook after checking its URL and events; return it and its secret (the
    only time the secret is given out)."""
    chosen = checked_events(events, vendor=owner.is_vendor)
    check_url(url, allow_private=_allow_private(), saving=True)
    count = db.session.scalar(select(func.count()).select_from(webhooks_of(owner).subquery()))
    if count >= MAX_WEBHOOKS:
        raise InvalidInput(f"You have {count} webhooks, the most one party may have; delete "
                           "one first.", code="too_many_webhooks")
    secret = new_secret()
    webhook = Webhook(retailer_id=owner.retailer_id, vendor_id=owner.vendor_id, url=url,
                      events=chosen, secret=secret, is_enabled=True, consecutive_failures=0,
                      created_by_id=created_by_id)
    db.session.add(webhook)
    db.session.flush()
    _scan_subscribers_changed()
    return webhook, secret


def update_webhook(owner: Owner, webhook: Webhook, *, url: Optional[str] = None,
                   events: Optional[Iterable[Any]] = None,
                   enabled: Optional[bool] = None) -> Webhook:
    """Change a webhook's URL, events or state; enabling it again resets its failures."""
    if events is not None:
        webhook.events = checked_events(events, vendor=owner.is_vendor)
    if url is not None:
        check_url(url, allow_private=_allow_private(), saving=True)
        webhook.url = url
    if enabled is True and not webhook.is_enabled:
        webhook.is_enabled, webhook.consecutive_failures = True, 0
        webhook.disabled_reason = webhook.disabled_at = None
    elif enabled is False and webhook.is_enabled:
        webhook.is_enabled, webhook.disabled_at = False, utcnow()
        webhook.disabled_reason = "Disabled by a person."
    db.session.flush()
    _scan_subscribers_changed()
    return webhook


def delete_webhook(webhook: Webhook) -> None:
    """Delete a webhook: it gets no more events, its secret is wiped, its queued
    deliveries fail."""
    now = utcnow()
    webhook.deleted_at, webhook.is_enabled, webhook.secret = now, False, ""
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id,
               WebhookDelivery.status == DeliveryStatus.QUEUED.value)
        .values(status=DeliveryStatus.FAILED.value, last_error="The webhook was deleted.")
        .execution_options(synchronize_session=False))
    db.session.flush()
    _scan_subscribers_changed()


def deliveries_of(webhook: Webhook) -> Select:
    """A webhook's delivery log (not ordered)."""
    return select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)


def delivery_of(webhook: Webhook, delivery_id: Any) -> WebhookDelivery:
    """One delivery of the webhook; 404 for any other."""
    delivery = row_or_none(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != webhook.id:
        raise InvalidInput("No such delivery.", code="not_found", status_code=404)
    return delivery


def resend(webhook: Webhook, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a delivery again for an attempt as soon as a sender runs, with a fresh round of
    retries; the same webhook-id, so a receiver that had it can drop it."""
    if not webhook.is_enabled:
        raise InvalidInput("This webhook is disabled; enable it first, then resend.",
                           code="webhook_disabled", status_code=409)
    delivery.status, delivery.attempts = DeliveryStatus.QUEUED.value, 0
    delivery.next_attempt_at, delivery.delivered_at = utcnow(), None
    db.session.flush()
    return delivery
