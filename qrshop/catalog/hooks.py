"""What catalog's listing workflows need from the features above catalog, filled at app start.

Discontinuing or reinstating a listing writes an audit entry (content owns the audit log)
and retires the listing's tags (tags own them). Both features read listings through catalog,
so catalog does not import them: the app factory (qrshop.create_app) hands their functions
over here.
"""

from __future__ import annotations

from collections.abc import Callable

_hooks: dict[str, Callable] = {}


def provide(**hooks: Callable) -> None:
    """Called at app start with audit=(actor, action, *, retailer_id=, detail=) -> entry,
    retire_listing_tags=(listing_id) -> how many, active_tag_count=(listing_id) -> how many."""
    _hooks.update(hooks)


def hook(name: str) -> Callable:
    """The provided function; a KeyError names a hook the app factory did not provide."""
    return _hooks[name]
