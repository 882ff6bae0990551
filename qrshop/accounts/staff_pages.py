"""The staff pages, one set per surface: console (/console/staff), vendor portal
(/vendor/staff) and admin (/admin/users).

Each surface module calls add_staff_pages() with its Surface; the pages are the same list,
invite form and actions, scoped by who is asking (staff.staff_of, invitations.may_manage).
Deactivating asks for confirmation on its own page, so it works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from qrshop.accounts import invitations, staff
from qrshop.accounts.auth import roles_required
from qrshop.accounts.forms import ChangeRoleForm, ConfirmForm, InviteForm, form_errors
from qrshop.accounts.models import Retailer, Store, User, Vendor
from qrshop.accounts.roles import Role
from qrshop.errors import InvalidInput
from qrshop.extensions import db


@dataclass(frozen=True)
class Surface:
    """Where a set of staff pages lives and who may open it."""

    name: str  # endpoint prefix, e.g. "console_staff"
    path: str  # e.g. "/console/staff"
    role: Role  # the one role that may open these pages
    template: str  # the list page, extending the surface's base layout
    base_template: str  # for the confirmation page
    title: str


def _invite_form(actor: User) -> InviteForm:
    """The invite form with the roles, retailers, vendors and stores actor may choose."""
    from qrshop.accounts.queries import ordinary_vendors

    form = InviteForm()
    if actor.role == Role.ADMIN:
        form.role.choices = [(role.value, role.value) for role in Role]
        form.retailer.choices = [("", "—")] + [
            (r.slug, r.name) for r in db.session.scalars(select(Retailer).order_by(Retailer.name))]
        # A retailer's house vendor (its own products) takes no vendor users.
        form.vendor.choices = [("", "—")] + [
            (v.slug, v.name) for v in db.session.scalars(ordinary_vendors().order_by(Vendor.name))]
        stores = db.session.execute(select(Store.code, Retailer.name).join(Retailer)
                                    .order_by(Retailer.name, Store.code)).all()
        form.store.choices = [("", "—")] + [(code, f"{name} · {code}") for code, name in stores]
    elif actor.role == Role.MERCHANDISER:
        form.role.choices = [(Role.ASSOCIATE.value, "associate"),
                             (Role.MERCHANDISER.value, "merchandiser")]
        form.store.choices = _store_choices(actor.retailer_id)
    else:
        form.role.choices = [(Role.VENDOR.value, "vendor user")]
    return form


def _store_choices(retailer_id: int | None) -> list[tuple[str, str]]:
    stores = db.session.scalars(select(Store).where(Store.retailer_id == retailer_id)
                                .order_by(Store.code))
    return [("", "—")] + [(store.code, f"{store.code} · {store.name}") for store in stores]


def _role_form(user: User) -> ChangeRoleForm:
    form = ChangeRoleForm(formdata=None,
                          data={"role": user.role, "store": user.store.code if user.store else ""})
    form.role.choices = [(Role.ASSOCIATE.value, "associate"),
                         (Role.MERCHANDISER.value, "merchandiser")]
    form.store.choices = _store_choices(user.retailer_id)
    return form


def _render_list(surface: Surface, status: int = 200, invite_form: InviteForm | None = None):
    actor = current_user._get_current_object()
    retailer_slug = (request.args.get("retailer") or "")[:64]
    vendor_slug = (request.args.get("vendor") or "")[:64]
    users = staff.staff_of(actor, retailer_slug=retailer_slug, vendor_slug=vendor_slug)
    role_forms = {user.id: _role_form(user) for user in users
                  if user.role in (Role.MERCHANDISER, Role.ASSOCIATE)
                  and actor.role in (Role.ADMIN, Role.MERCHANDISER)}
    filters = None
    if actor.role == Role.ADMIN:
        from qrshop.accounts.queries import ordinary_vendors

        filters = {
            "retailers": db.session.scalars(select(Retailer).order_by(Retailer.name)).all(),
            "vendors": db.session.scalars(ordinary_vendors().order_by(Vendor.name)).all(),
            "retailer": retailer_slug, "vendor": vendor_slug,
        }
    return render_template(surface.template, surface=surface, users=users,
                           invite_form=invite_form or _invite_form(actor),
                           role_forms=role_forms, action_form=ConfirmForm(),
                           filters=filters, title=surface.title), status


def add_staff_pages(bp: Blueprint, surface: Surface) -> None:
    """Register the list, invite and per-user action routes of one surface on bp."""
    guard = roles_required(surface.role)

    def done(message: str):
        flash(message, "info")
        return redirect(url_for(f"accounts.{surface.name}"), code=303)

    def refused(error: InvalidInput):
        if error.status_code == 404:
            raise error
        flash(error.message, "error")
        return _render_list(surface, error.status_code)

    def list_page():
        """The users this person manages, with the invite form."""
        return _render_list(surface)

    def invite_view():
        """Invite someone (or resend a pending invitation to the same email)."""
        actor = current_user._get_current_object()
        form = _invite_form(actor)
        if not form.validate_on_submit():
            flash(form_errors(form), "error")
            return _render_list(surface, 400, form)
        try:
            result = invitations.invite(
                actor, form.email.data, role=form.role.data,
                retailer_slug=form.retailer.data or (actor.retailer.slug if actor.retailer
                                                     else None),
                vendor_slug=form.vendor.data or (actor.vendor.slug if actor.vendor else None),
                store_code=form.store.data or None)
        except InvalidInput as error:
            return refused(error)
        verb = "Sent a new invitation to" if result.resent else "Invited"
        return done(f"{verb} {result.user.email} as {result.user.role}; the link is valid "
                    f"72 hours.")

    def role_view(user_id: int):
        """Change a retailer user's role (merchandiser / associate) or store."""
        actor = current_user._get_current_object()
        user = staff.managed_user_or_404(actor, user_id)
        form = ChangeRoleForm()
        if not form.validate_on_submit():
            flash(form_errors(form), "error")
            return _render_list(surface, 400)
        try:
            staff.change_role(actor, user, form.role.data, form.store.data)
        except InvalidInput as error:
            return refused(error)
        where = f" at {user.store.code}" if user.store else ""
        return done(f"{user.email} is now {user.role}{where}.")

    def deactivate_view(user_id: int):
        """Ask to confirm (GET), then deactivate (POST): the user's sessions end at once."""
        actor = current_user._get_current_object()
        user = staff.managed_user_or_404(actor, user_id)
        form = ConfirmForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                flash(form_errors(form), "error")
                return _render_list(surface, 400)
            try:
                staff.deactivate(actor, user)
            except InvalidInput as error:
                return refused(error)
            return done(f"Deactivated {user.email}: logged out everywhere, API tokens stopped.")
        if user.id == actor.id:
            flash("You cannot deactivate your own account; ask a colleague.", "error")
            return _render_list(surface, 403)
        return render_template("accounts/staff_confirm.html", surface=surface, user=user,
                               form=form, base_template=surface.base_template)

    def reactivate_view(user_id: int):
        """Let a deactivated user log in again."""
        actor = current_user._get_current_object()
        user = staff.managed_user_or_404(actor, user_id)
        if not ConfirmForm().validate_on_submit():
            return _render_list(surface, 400)
        staff.reactivate(actor, user)
        return done(f"Reactivated {user.email} ({user.status}).")

    def resend_view(user_id: int):
        """Send a pending invitation again with a new link; the old link stops working."""
        actor = current_user._get_current_object()
        user = staff.managed_user_or_404(actor, user_id)
        if not ConfirmForm().validate_on_submit():
            return _render_list(surface, 400)
        try:
            invitations.resend(actor, user)
        except InvalidInput as error:
            return refused(error)
        return done(f"Sent a new invitation to {user.email}; the old link no longer works.")

    routes = [
        ("", surface.name, list_page, ["GET"]),
        ("/invite", f"{surface.name}_invite", invite_view, ["POST"]),
        ("/<int:user_id>/role", f"{surface.name}_role", role_view, ["POST"]),
        ("/<int:user_id>/deactivate", f"{surface.name}_deactivate", deactivate_view,
         ["GET", "POST"]),
        ("/<int:user_id>/reactivate", f"{surface.name}_reactivate", reactivate_view, ["POST"]),
        ("/<int:user_id>/resend", f"{surface.name}_resend", resend_view, ["POST"]),
    ]
    for rule, endpoint, view, methods in routes:
        bp.add_url_rule(surface.path + rule, endpoint=endpoint, view_func=guard(view),
                        methods=methods)
