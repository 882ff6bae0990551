"""Set-password links (invitations, resets) and "Forgot your password?".

A forged link answers 404, a used or expired one 410 with a page saying to ask for a new one.
The forgot-password answer is the same page and status whether or not the account exists.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from qrshop.accounts import invitations, sessions
from qrshop.accounts.forms import ForgotPasswordForm, SetPasswordForm, form_errors
from qrshop.accounts.models import TokenPurpose
from qrshop.accounts.views import HOME_BY_ROLE, bp
from qrshop.errors import InvalidInput
from qrshop.extensions import limiter

# Every request the per-email limit counts got FORGOT_ANSWER (a request without a valid CSRF
# token is refused before the limit counts): for an active account, each mailed a new link,
# valid 1 hour, and the limit's window is 1 hour from the first. So while it refuses, the
# latest link mailed is still live, whoever asked for it.
EMAIL_LIMIT_MESSAGE = ("We have already sent several reset links for this email in the last "
                       "hour (if it has an account); the latest one still works, even if the "
                       "account is locked. Check your inbox and spam folder, or ask again in "
                       "an hour.")
FORGOT_ANSWER = ("If an account has this email, we have sent it a link to choose a new "
                 "password. The link works for 1 hour; check your spam folder too.")


def _set_password_page(token: str, purpose: TokenPurpose, template_title: str):
    """Show the set-password form for a live link; on a valid POST, set it and log in."""
    email = invitations.live_token(token, purpose).user.email
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = invitations.set_password_with_link(token, purpose, form.password.data,
                                                      form.confirm.data)
        except InvalidInput as error:
            if error.status_code in (404, 410):
                raise
            flash(error.message, "error")
            status = error.status_code
        else:
            sessions.start_session(user)
            flash("Your password is set; you are logged in.", "info")
            return redirect(url_for(HOME_BY_ROLE[user.role]))
    elif request.method == "POST":
        flash(form_errors(form), "error")
        status = 400
    return render_template("accounts/set_password.html", form=form, title=template_title,
                           email=email), status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invited person chooses a password: the account is activated and logged in."""
    return _set_password_page(token, TokenPurpose.INVITATION, "Welcome: choose your password")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; every other session of the user ends."""
    return _set_password_page(token, TokenPurpose.RESET, "Choose a new password")


def _forgot_email_key() -> str:
    """Rate-limit key for reset requests for one email, whatever address they come from."""
    return "forgot-email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"],
               error_message="Too many reset requests from your address; wait 15 minutes.")
@limiter.limit("3 per hour", methods=["POST"], key_func=_forgot_email_key,
               error_message=EMAIL_LIMIT_MESSAGE)
def forgot_password():
    """Ask for a reset link by email; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        invitations.request_reset(form.email.data)
        return render_template("accounts/forgot_password.html", form=None,
                               answer=FORGOT_ANSWER)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        flash(form_errors(form), "error")
    return render_template("accounts/forgot_password.html", form=form, answer=None), status
