"""Logging in and out, each party's home page, and the platform admin's pages."""

from __future__ import annotations

import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from qrshop.accounts import services, theme
from qrshop.accounts.auth import roles_required
from qrshop.accounts.forms import LinkForm, LoginForm, RetailerForm, StoreForm, VendorForm
from qrshop.accounts.models import (
    SAFE_FONTS,
    Retailer,
    RetailerVendor,
    Role,
    Store,
    Vendor,
    font_stack,
)
from qrshop.catalog.models import Listing, Product
from qrshop.content import media
from qrshop.errors import InvalidInput
from qrshop.extensions import db, limiter
from qrshop.tags.models import Tag

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    Role.ADMIN.value: "accounts.admin_home",
    Role.MERCHANDISER.value: "accounts.console_home",
    Role.ASSOCIATE.value: "accounts.console_home",
    Role.VENDOR.value: "accounts.vendor_home",
}


@cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so both paths take the same time."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
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
        password_hash = user.password_hash if user else _dummy_hash()
        if check_password_hash(password_hash, form.password.data) and user and user.is_active:
            login_user(user)
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


@bp.get("/console")
@roles_required(Role.MERCHANDISER, Role.ASSOCIATE)
def console_home():
    """The retailer console: the stores this user works with and their tags."""
    stores = select(Store).where(Store.retailer_id == current_user.retailer_id)
    if current_user.role == Role.ASSOCIATE:
        stores = stores.where(Store.id == current_user.store_id)
    rows = []
    for store in db.session.scalars(stores.order_by(Store.code)):
        active = db.session.scalar(
            select(func.count(Tag.id)).where(Tag.store_id == store.id, Tag.retired_at.is_(None))
        )
        rows.append((store, active))
    return render_template("console/home.html", stores=rows)


@bp.get("/vendor")
@roles_required(Role.VENDOR)
def vendor_home():
    """The vendor portal: this vendor's products and who carries them."""
    products = db.session.scalars(
        select(Product).where(Product.vendor_id == current_user.vendor_id).order_by(Product.name)
    ).all()
    carried = dict(
        db.session.execute(
            select(Listing.product_id, func.count(Listing.id))
            .join(Product, Product.id == Listing.product_id)
            .where(Product.vendor_id == current_user.vendor_id)
            .group_by(Listing.product_id)
        ).all()
    )
    return render_template("vendor/home.html", products=products, carried=carried)


def _admin_forms():
    retailers = db.session.scalars(select(Retailer).order_by(Retailer.slug)).all()
    from qrshop.catalog.listings import ordinary_vendors

    # Retailers' house vendors (their own products) are not vendors to list or link.
    vendors = db.session.scalars(ordinary_vendors().order_by(Vendor.slug)).all()
    retailer_choices = [(r.slug, r.name) for r in retailers]
    store_form, link_form = StoreForm(prefix="store"), LinkForm(prefix="link")
    store_form.retailer.choices = retailer_choices
    link_form.retailer.choices = retailer_choices
    link_form.vendor.choices = [(v.slug, v.name) for v in vendors]
    return {
        "retailers": retailers,
        "vendors": vendors,
        "links": db.session.execute(
            select(Retailer.name, Vendor.name)
            .join(RetailerVendor, RetailerVendor.retailer_id == Retailer.id)
            .join(Vendor, Vendor.id == RetailerVendor.vendor_id)
            .order_by(Retailer.name, Vendor.name)
        ).all(),
        "retailer_form": RetailerForm(prefix="retailer"),
        "store_form": store_form,
        "vendor_form": VendorForm(prefix="vendor"),
        "link_form": link_form,
    }


@bp.get("/admin")
@roles_required(Role.ADMIN)
def admin_home():
    """Platform admin: retailers, stores, vendors and who supplies whom."""
    return render_template("admin/home.html", **_admin_forms())


@bp.post("/admin/<kind>")
@roles_required(Role.ADMIN)
def admin_create(kind: str):
    """Create a retailer, store or vendor, or link a vendor to a retailer."""
    forms = _admin_forms()
    form = forms.get(f"{kind}_form")
    if form is None:
        return render_template("admin/home.html", **forms), 404
    if not form.validate_on_submit():
        flash("Please fill in every required field.", "error")
        return render_template("admin/home.html", **forms), 400
    try:
        if kind == "retailer":
            services.create_retailer(form.slug.data, form.name.data)
        elif kind == "store":
            services.create_store(services.retailer_by_slug(form.retailer.data), form.code.data,
                                  form.name.data, address=form.address.data or "",
                                  timezone=form.timezone.data)
        elif kind == "vendor":
            services.create_vendor(form.slug.data, form.name.data)
        else:
            services.link_vendor(services.retailer_by_slug(form.retailer.data),
                                 services.vendor_by_slug(form.vendor.data))
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("admin/home.html", **_admin_forms()), 422
    flash("Saved.", "info")
    return redirect(url_for("accounts.admin_home"))


class ThemeForm(FlaskForm):
    """The retailer's brand on landing pages."""

    primary = StringField("Primary colour (header and buttons)",
                          validators=[DataRequired(), Length(max=7)])
    accent = StringField("Accent colour (text on the primary colour)",
                         validators=[DataRequired(), Length(max=7)])
    font = SelectField("Font")
    footer_text = TextAreaField("Footer text", validators=[Length(max=300)])
    logo = FileField("Logo (PNG, JPEG or WebP; light on the primary colour)")


@bp.route("/console/theme", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def console_theme():
    """Edit the retailer's theme; colours that fail WCAG AA are refused with their ratio."""
    retailer = current_user.retailer
    form = ThemeForm(data={"primary": retailer.primary_colour, "accent": retailer.accent_colour,
                           "font": retailer.font, "footer_text": retailer.footer_text}
                     if request.method == "GET" else None)
    form.font.choices = [(name, name) for name in SAFE_FONTS]
    status = 200
    preview = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                logo_id = None
                if form.logo.data:
                    logo_id = media.ingest(form.logo.data.read(), form.logo.data.filename or "",
                                           None).id
                theme.update_theme(retailer, primary=form.primary.data.strip(),
                                   accent=form.accent.data.strip(), font=form.font.data,
                                   footer_text=form.footer_text.data or "",
                                   logo_media_id=logo_id)
            except InvalidInput as error:
                db.session.rollback()
                flash(error.message, "error")
                status = error.status_code
            else:
                flash("Theme saved: landing pages use it now.", "info")
                return redirect(url_for("accounts.console_theme"))
        else:
            status = 400
    else:
        preview = retailer
    return render_template("console/theme.html", form=form, retailer=retailer,
                           preview=preview, font_stack=font_stack,
                           contrast=theme.contrast), status
