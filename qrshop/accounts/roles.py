"""Staff roles, an enum every feature's views check (roles_required), kept out of
accounts.models so importing it does not reach into the accounts tables."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user may do; see DESIGN.md section 2."""

    ADMIN = "admin"
    MERCHANDISER = "merchandiser"
    ASSOCIATE = "associate"
    VENDOR = "vendor"
