"""What an API token may do: scopes, chosen when the token is made, within its user's role.

A token made without --scope holds every scope of its user's role (tokens made before scopes
existed keep working). A call outside the token's scopes answers 403 insufficient_scope; a
call outside the user's role answers 403 forbidden, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from qrshop.accounts.roles import Role
from qrshop.errors import InvalidInput

# Every scope, and what it lets a token do.
SCOPES: dict[str, str] = {
    "stores:read": "List and read stores.",
    "stores:write": "Create and change stores (admin).",
    "products:read": "Read vendors' products.",
    "products:write": "Create and change a vendor's products.",
    "listings:read": "List and read the retailer's listings.",
    "listings:write": "Create and change listings.",
    "tags:read": "List and read tags and their QR images.",
    "tags:write": "Create, retire and reactivate tags; print them.",
    "offers:read": "List and read offers.",
    "offers:write": "Create, change and end offers.",
    "coupons:read": "Look up a coupon by its code.",
    "redemptions:write": "Redeem coupons at the till.",
    "content:read": "Read content revisions and their status.",
    "content:write": "Write and submit content revisions; review them (merchandiser).",
    "media:write": "Upload media files.",
    "analytics:read": "Read analytics reports.",
    "sales:write": "Send POS sales lines (the sales feed).",
    "experiments:read": "Read experiments and their results.",
    "experiments:write": "Start and end experiments.",
    "scans:read": "Read scan events.",
    "wishlist:read": "Read wish-list adds.",
    "feedback:read": "Read shopper feedback.",
    "feedback:write": "Approve or reject shoppers' comments (merchandiser).",
    "webhooks:read": "List webhooks and their deliveries.",
    "webhooks:write": "Create, change, delete webhooks; resend deliveries.",
}

# The scopes each role's tokens may hold.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"stores:read", "stores:write"}),
    Role.MERCHANDISER: frozenset({
        "stores:read", "products:read", "listings:read", "listings:write", "tags:read",
        "tags:write", "offers:read", "offers:write", "coupons:read", "redemptions:write",
        "content:read", "content:write", "analytics:read", "scans:read", "wishlist:read",
        "feedback:read", "feedback:write", "webhooks:read", "webhooks:write", "sales:write",
        "experiments:read", "experiments:write",
    }),
    Role.ASSOCIATE: frozenset({"coupons:read", "redemptions:write", "stores:read",
                               "analytics:read"}),
    Role.VENDOR: frozenset({
        "products:read", "products:write", "content:read", "content:write", "media:write",
        "analytics:read", "feedback:read", "webhooks:read", "webhooks:write",
    }),
}


def role_scopes(role: str) -> frozenset[str]:
    """Every scope a token of this role may hold."""
    return ROLE_SCOPES.get(role, frozenset())


def checked_scopes(role: str, scopes: Iterable[str]) -> list[str]:
    """The scopes asked for a token of this role, sorted; 422 naming the first one that does
    not exist or that the role may not hold. Empty means every scope of the role."""
    wanted = sorted({scope.strip() for scope in scopes if scope.strip()})
    for scope in wanted:
        if scope not in SCOPES:
            raise InvalidInput(f"Unknown scope {scope!r}; the scopes are: "
                               + ", ".join(sorted(SCOPES)) + ".")
        if scope not in role_scopes(role):
            raise InvalidInput(f"A {role}'s token cannot hold {scope!r}; it may hold: "
                               + ", ".join(sorted(role_scopes(role))) + ".")
    return wanted


def token_scopes(stored: str | None, role: str) -> frozenset[str]:
    """The scopes a token holds: those stored, or every scope of its role when none were
    chosen."""
    if not stored:
        return role_scopes(role)
    return frozenset(stored.split()) & role_scopes(role)
