"""Shared steps of the engagement API tests: tokens per party, authorised calls."""

from __future__ import annotations

from qrshop.accounts.services import create_api_token
from qrshop.extensions import db
from tests.factories import make_user


def token_for(role: str, *scopes: str, **links) -> dict:
    """The Authorization header of a new token of a new user of this role (links as
    make_user's), holding these scopes (none: every scope of the role)."""
    user = make_user(role, **links)
    plain = create_api_token(user, "test", scopes)[1]
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def walk(client, path: str, headers: dict, limit: int = 2) -> list[dict]:
    """Every item of a cursor-paged list, page by page (limit a page)."""
    items, cursor = [], None
    while True:
        joiner = "&" if "?" in path else "?"
        url = f"{path}{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
