"""Telling a webhook's owner that it was disabled, by email through the outbox."""

from __future__ import annotations

from flask import current_app

from qrshop import mail
from qrshop.accounts import queries as accounts
from qrshop.accounts.roles import Role
from qrshop.webhooks.models import Webhook


def owner_emails(webhook: Webhook) -> list[str]:
    """Who hears about a webhook: the retailer's merchandisers, or the vendor's users."""
    if webhook.retailer_id is not None:
        return accounts.staff_emails(retailer_id=webhook.retailer_id, role=Role.MERCHANDISER)
    return accounts.staff_emails(vendor_id=webhook.vendor_id, role=Role.VENDOR)


def tell_owner_disabled(webhook: Webhook) -> int:
    """Queue one email per owner person saying the webhook was disabled; return how many."""
    where = "/console/webhooks" if webhook.retailer_id is not None else "/vendor/webhooks"
    link = f"{current_app.config['BASE_URL']}{where}/{webhook.id}"
    body = (
        f"qrshop disabled your webhook to {webhook.url}: its last deliveries failed "
        f"{webhook.consecutive_failures} times in a row (no 2xx answer).\n\n"
        "No new events are queued for it until it is enabled again. Check that the "
        "endpoint is up and answers 2xx, then enable the webhook on its page (its delivery "
        f"log shows each attempt's answer and error):\n\n{link}\n"
    )
    recipients = owner_emails(webhook)
    for email in recipients:
        # Not capped: only the webhook's own failures trigger it, once per disabling.
        mail.send_email(email, "Your qrshop webhook was disabled", body, capped=False)
    return len(recipients)
