"""/console/tokens: every staff user's own API tokens: make one (shown once), list, revoke.

Admins, merchandisers, associates and vendor users each see the page in their own surface's
layout, and only their own tokens: another user's token answers 404, like a missing one.
A token holds the scopes ticked, from those of the user's role (qrshop/accounts/scopes.py);
none ticked gives it every scope of the role, as `qrshop tokens create` without --scope.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from qrshop.accounts.api_limits import describe_rate_limit
from qrshop.accounts.auth import roles_required
from qrshop.accounts.forms import ApiTokenForm, ConfirmForm, form_errors
from qrshop.accounts.models import ApiToken, User
from qrshop.accounts.roles import Role
from qrshop.accounts.scopes import SCOPES, role_scopes, token_scopes
from qrshop.accounts.services import create_api_token, revoke_api_token
from qrshop.accounts.views import bp
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.web import owned_or_404

# Each role sees the page in the layout of the surface it works in.
BASE_TEMPLATES = {
    Role.ADMIN.value: "admin/base.html",
    Role.MERCHANDISER.value: "console/base.html",
    Role.ASSOCIATE.value: "console/base.html",
    Role.VENDOR.value: "vendor/base.html",
}


def _token_form(user: User, blank: bool = False) -> ApiTokenForm:
    """The form (as posted, unless blank), offering the scopes of the user's role."""
    form = ApiTokenForm(formdata=None) if blank else ApiTokenForm()
    form.scopes.choices = [(scope, scope) for scope in sorted(role_scopes(user.role))]
    return form


def _tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def _page(form: ApiTokenForm, status: int = 200, new_token: str | None = None,
          new_row: ApiToken | None = None):
    user = current_user._get_current_object()
    rows = [(token, sorted(token_scopes(token.scopes, user.role))) for token in _tokens_of(user)]
    return render_template(
        "accounts/tokens.html", base_template=BASE_TEMPLATES[user.role], form=form,
        tokens=rows, scope_help=SCOPES, action_form=ConfirmForm(), new_token=new_token,
        new_row=new_row, rate_limit=describe_rate_limit(current_app.config["API_RATE_LIMIT"])
    ), status


@bp.get("/console/tokens")
@roles_required(*Role)
def api_tokens():
    """The user's API tokens and the form to make one."""
    return _page(_token_form(current_user))


@bp.post("/console/tokens")
@roles_required(*Role)
def create_token():
    """Make a token; its plain text is shown on this answer only (stored hashed)."""
    user = current_user._get_current_object()
    form = _token_form(user)
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return _page(form, 400)
    try:
        token, plain = create_api_token(user, form.name.data, form.scopes.data or ())
    except InvalidInput as error:
        flash(error.message, "error")
        return _page(form, error.status_code)
    return _page(_token_form(user, blank=True), new_token=plain, new_row=token)


@bp.post("/console/tokens/<int:token_id>/revoke")
@roles_required(*Role)
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens: it stops working at once."""
    user = current_user._get_current_object()
    token = owned_or_404(ApiToken, token_id, "No such token.", user_id=user.id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return _page(_token_form(user, blank=True), 400)
    revoke_api_token(token)
    flash(f"Revoked {token.prefix}… ({token.name}): it no longer works.", "info")
    return redirect(url_for("accounts.api_tokens"), code=303)
