"""Sending an email from any feature, and checking an address.

The outbox belongs to alerts, which sits above the features that email (accounts'
invitations, the wish list's magic link); they queue through `send_email`, which the app
factory (qrshop.create_app) points at alerts' outbox at start, so none of them imports alerts.
"""

from __future__ import annotations

from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email

from qrshop.errors import InvalidInput
from qrshop.i18n import N_

_queue: dict[str, Callable[..., object]] = {}


def provide(queue_message: Callable[..., object]) -> None:
    """Called once at app start: queue_message(channel=, recipient=, subject=, body=,
    capped=)."""
    _queue["email"] = queue_message


def send_email(recipient: str, subject: str, body: str, *, capped: bool = True) -> None:
    """Queue an email for delivery (`qrshop worker` or `qrshop outbox send` sends it).

    capped (the default): the email counts toward the recipient's cap of messages anyone can
    trigger (a few a day per address, see docs/security.md), and over the cap an InvalidInput
    with status 429 is raised and nothing is queued. Pass capped=False only for email that
    nobody can trigger for an address of their choosing (staff invitations and resets, which
    accounts limits itself).
    """
    _queue["email"](channel="email", recipient=recipient, subject=subject, body=body,
                    capped=capped)


def normalise_email(raw: str) -> str:
    """A syntactically valid email address, normalised; InvalidInput saying what is wrong."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(N_("That email address does not work: %(reason)s"),
                           values={"reason": str(error)},
                           code="invalid_email") from None
