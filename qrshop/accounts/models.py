"""Parties of the platform: retailers with their stores and theme, vendors, users."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qrshop.accounts.roles import Role  # noqa: F401  (re-exported for old imports)
from qrshop.db import TimestampMixin, UTCDateTime
from qrshop.extensions import db

SAFE_FONTS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "humanist": '"Seravek", "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif',
    "geometric": 'Avenir, Montserrat, Corbel, "URW Gothic", source-sans-pro, sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, serif',
    "rounded": 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, sans-serif',
}


# A retailer's tag URL styles (Retailer.tag_url_style), the default first.
TAG_URL_STYLES = ("short", "gs1")


def font_stack(font: str) -> str:
    """The CSS font-family stack for a safe-list font name (system stack if unknown)."""
    return SAFE_FONTS.get(font, SAFE_FONTS["system"])


class Retailer(TimestampMixin, db.Model):
    """A retail chain whose brand the landing pages wear."""

    __tablename__ = "retailers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    logo_media_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media.id"))
    primary_colour: Mapped[str] = mapped_column(String(7), default="#1f2937")
    accent_colour: Mapped[str] = mapped_column(String(7), default="#ffffff")
    font: Mapped[str] = mapped_column(String(32), default="system")
    footer_text: Mapped[str] = mapped_column(Text, default="")
    # The shoppers' language whose approved content shows when a language has none
    # (qrshop.i18n.LOCALES; docs/i18n.md).
    default_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Landing templates (names from content.templates) this retailer allows, and its default.
    enabled_templates: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["spotlight", "story", "specs", "look"])
    default_template: Mapped[str] = mapped_column(String(32), default="spotlight")
    # What a printed tag's QR encodes: "short" (/T/<CODE>) or "gs1" (a GS1 Digital Link URI,
    # /T/<CODE>/01/<GTIN-14>, that a till's 2D scanner reads too). Printed tags of either
    # style keep resolving whichever is chosen later.
    tag_url_style: Mapped[str] = mapped_column(String(8), default="short",
                                               server_default="short")
    # Whether the vendors of its products see their units sold and lift from its POS sales
    # feed (counts per retailer only: never a shopper, a store's till or a line).
    share_sales_with_vendors: Mapped[bool] = mapped_column(default=False,
                                                           server_default=sa_false())

    stores: Mapped[list[Store]] = relationship(back_populates="retailer", order_by="Store.code")
    logo: Mapped[Optional[Media]] = relationship()  # noqa: F821  (content.models)

    @property
    def font_stack(self) -> str:
        """The CSS font-family stack for the retailer's chosen font."""
        return font_stack(self.font)


class Store(TimestampMixin, db.Model):
    """One physical store of a retailer."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("retailer_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Where the store is (WGS 84 degrees), for "nearest stores that have it"; optional.
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)

    retailer: Mapped[Retailer] = relationship(back_populates="stores")


class Vendor(TimestampMixin, db.Model):
    """A brand or supplier that provides products and their content."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class RetailerVendor(db.Model):
    """A vendor supplies a retailer (set by a platform admin)."""

    __tablename__ = "retailer_vendors"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), primary_key=True)


class HouseVendor(db.Model):
    """A retailer's own "house" vendor: it owns the products no vendor on qrshop supplies.

    Created on first need (accounts.services.house_vendor); never linked to a retailer nor
    listed as a vendor; catalog's products point at it. A table rather than a column on
    vendors, so no foreign-key cycle (retailers -> media -> vendors) and no rebuild of vendors.
    """

    __tablename__ = "house_vendors"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), unique=True)

    vendor: Mapped[Vendor] = relationship()


class User(UserMixin, TimestampMixin, db.Model):
    """A person who logs in: platform admin, merchandiser, store associate or vendor user."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'merchandiser', 'associate', 'vendor')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    retailer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("retailers.id"))
    vendor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vendors.id"))
    store_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stores.id"))
    is_active_user: Mapped[bool] = mapped_column(default=True)
    # Raised whenever the user's sessions must end (deactivation, password reset); it is part
    # of the session's user id, so the user loader refuses every older session.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    retailer: Mapped[Optional[Retailer]] = relationship()
    vendor: Mapped[Optional[Vendor]] = relationship()
    store: Mapped[Optional[Store]] = relationship()

    @property
    def is_active(self) -> bool:
        """Flask-Login: disabled users cannot log in."""
        return self.is_active_user

    @property
    def status(self) -> str:
        """active, invited (no password set yet) or deactivated."""
        if self.deactivated_at is not None:
            return "deactivated"
        return "active" if self.is_active_user else "invited"

    def get_id(self) -> str:
        """Flask-Login: the session names the user and its session version."""
        return f"{self.id}:{self.session_version}"


class TokenPurpose(enum.StrEnum):
    """What a one-time password link is for."""

    INVITATION = "invitation"
    RESET = "reset"


class PasswordToken(TimestampMixin, db.Model):
    """A single-use set-password link (invitation or reset). Only the sha256 is stored."""

    __tablename__ = "password_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('invitation', 'reset')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the link is used, or when a newer link of the same purpose replaces it.
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for the JSON API, acting as its user. Only the sha256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The first characters of the token, shown in lists so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's scopes, space-separated (see qrshop/accounts/scopes.py); empty: every scope of
    # its user's role.
    scopes: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class StaffSession(db.Model):
    """One logged-in browser of a staff user: the session cookie names it by a random token,
    of which only the sha256 is stored. Logging out deletes the row, so a copy of the cookie
    taken before stops working; ending every session of a user deletes all its rows."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The cookie's own limit (PERMANENT_SESSION_LIFETIME), enforced here too.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailure(db.Model):
    """Login attempts of one login e-mail (known or not, so both answer alike), by its sha256.

    failed_count counts attempts (before their password is checked; a successful login
    deletes the row) within WINDOW of the first; the fifth locks the e-mail until
    locked_until. A row whose window and lock have both ended means nothing and may be
    deleted.
    """

    __tablename__ = "login_failures"

    email_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_count: Mapped[int] = mapped_column()
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
