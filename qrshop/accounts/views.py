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
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import ValidationError

from qrshop.accounts import lockout, services, sessions
from qrshop.accounts.forms import LoginForm, form_errors
from qrshop.accounts.models import Role
from qrshop.extensions import csrf, limiter

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"],
               error_message="Too many login attempts from your address; wait a minute.")
def login():
    """Log in with email and password; 5 attempts that fail lock the email for 15 minutes
    (lockout)."""
    if current_user.is_authenticated:
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data
        # Counted (in a transaction of its own) before the slow hash: a guess over the limit
        # is refused, right password or not, however many are in flight.
        _refuse_if_locked(lockout.count_attempt(email))
        user = services.user_by_email(email)
        password_hash = user.password_hash if user and user.password_hash else _dummy_hash()
        if check_password_hash(password_hash, form.password.data) and user and user.is_active:
            lockout.forget(email)
            sessions.start_session(user)
            return redirect(_safe_next(request.args.get("next"))
                            or url_for(HOME_BY_ROLE[user.role]))
        flash("Email or password is wrong.", "error")
        status = 401
    elif request.method == "POST":
        flash(form_errors(form), "error")
        status = 400
    return render_template("accounts/login.html", form=form), status


def _refuse_if_locked(seconds: int | None) -> None:
    """Answer 429 with Retry-After while the login email is locked (even the right password)."""
    if seconds is not None:
        raise TooManyRequests(description=lockout.LOCKED_MESSAGE, retry_after=seconds)


@csrf.exempt
@bp.post("/logout")
def logout():
    """Log out this browser, always: a form left open past its CSRF token's hour must not
    leave the session open (exempt from CSRF: the session cookie is SameSite=Lax, so another
    site's POST arrives logged out anyway). With `everywhere`, end every session of the user
    on every browser, only with a valid CSRF token (a forged request ends this one only)."""
    message = "You are logged out."
    if current_user.is_authenticated and request.form.get("everywhere"):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            message = ("You are logged out on this browser only: the page had expired, so "
                       "your other sessions are still open. To end them, log in and use "
                       "“Log out everywhere” again.")
        else:
            sessions.end_all_sessions(current_user)
            message = "You are logged out on every device."
    sessions.end_session()
    flash(message, "info")
    return redirect(url_for("accounts.login"))


# The other account views add their routes to bp (imported last: they import bp from here).
from qrshop.accounts import (  # noqa: E402,F401
    views_admin,
    views_password,
    views_staff,
    views_tokens,
    views_vendor_staff,
)
