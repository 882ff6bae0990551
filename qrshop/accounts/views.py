"""Logging in and out (each role lands on its home; the homes and the theme page are in
qrshop.console).

The platform admin's pages are in views_admin, staff pages in views_staff and
views_vendor_staff, invitation and password links in views_password (imported at the end).
"""

from __future__ import annotations

import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from qrshop.accounts import services
from qrshop.accounts.forms import LoginForm
from qrshop.accounts.models import Role
from qrshop.db import utcnow
from qrshop.extensions import limiter

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    Role.ADMIN.value: "accounts.admin_home",
    Role.MERCHANDISER.value: "console.home",
    # An associate's job is at the till: redeeming coupons, opening a shopper's wish list.
    Role.ASSOCIATE.value: "offers.pos",
    Role.VENDOR.value: "console.vendor_home",
}


@cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so both paths take the same time."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be followed after login."""
    if not target or not target.isprintable() or "\\" in target:
        # CR or LF would split the Location header; browsers read a backslash as "/".
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_account_key() -> str:
    """Rate-limit key for failed logins to one account, whatever address they come from."""
    return "login-account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"],
               error_message="Too many login attempts from your address; wait a minute.")
@limiter.limit(
    "5 per 15 minutes", methods=["POST"], key_func=_login_account_key,
    deduct_when=lambda response: response.status_code == 401,
    error_message="This account is locked for 15 minutes after 5 failed logins.",
)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        password_hash = user.password_hash if user and user.password_hash else _dummy_hash()
        if check_password_hash(password_hash, form.password.data) and user and user.is_active:
            login_user(user)
            user.last_login_at = utcnow()
            return redirect(_safe_next(request.args.get("next"))
                            or url_for(HOME_BY_ROLE[user.role]))
        flash("Email or password is wrong.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out (a POST with the CSRF token, so no other site can log a user out)."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


# The other account views add their routes to bp (imported last: they import bp from here).
from qrshop.accounts import (  # noqa: E402,F401
    views_admin,
    views_password,
    views_staff,
    views_vendor_staff,
)
