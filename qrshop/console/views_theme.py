"""The retailer's theme page: colours and font (accounts) and the logo, stored as media
(content); it composes both features, so it lives above them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from qrshop.accounts import theme
from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.accounts.services import update_retailer
from qrshop.accounts.theme import SAFE_FONTS, font_stack
from qrshop.console.views import bp
from qrshop.content import media
from qrshop.errors import InvalidInput
from qrshop.i18n import LANGUAGE_NAMES


class ThemeForm(FlaskForm):
    """The retailer's brand on landing pages."""

    primary = StringField("Primary colour (header and buttons)",
                          validators=[DataRequired(), Length(max=7)])
    accent = StringField("Accent colour (text on the primary colour)",
                         validators=[DataRequired(), Length(max=7)])
    font = SelectField("Font")
    footer_text = TextAreaField("Footer text", validators=[Length(max=300)])
    default_language = SelectField(
        "Default language (its approved content shows to shoppers of a language without any)",
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validate_choice=False)  # update_theme refuses another; a form without it keeps it
    logo = FileField("Logo (PNG, JPEG or WebP; light on the primary colour)")


class TagUrlStyleForm(FlaskForm):
    """What the retailer's tags printed from now on encode."""

    tag_url_style = RadioField("Tag URL style", choices=[
        SelectChoice("short", "Short: HTTPS://HOST/T/CODE (the smallest QR code)"),
        SelectChoice("gs1", "GS1 Digital Link: HTTPS://HOST/T/CODE/01/GTIN (tills with 2D "
                            "scanners read the product's GTIN from it too; one QR version "
                            "larger)"),
    ])


@bp.post("/console/theme/tag-url-style", endpoint="tag_url_style")
@roles_required(Role.MERCHANDISER)
def tag_url_style_update():
    """Choose the tag URL style; tags already printed keep resolving whatever the style."""
    retailer = current_user.retailer
    form = TagUrlStyleForm()
    if not form.validate_on_submit():
        flash("Choose short or GS1 Digital Link for the tag URL style.", "error")
        return _theme_page(ThemeForm(formdata=None, data=_theme_data(retailer)), retailer,
                           form, 400)
    update_retailer(retailer, tag_url_style=form.tag_url_style.data)
    flash(f"Tag URL style saved: tags printed from now on use the "
          f"{'GS1 Digital Link' if retailer.tag_url_style == 'gs1' else 'short'} URL; "
          f"printed tags keep working.", "info")
    return redirect(url_for("console.theme"))


def _theme_data(retailer) -> dict:
    """The theme form's fields as stored."""
    return {"primary": retailer.primary_colour, "accent": retailer.accent_colour,
            "font": retailer.font, "footer_text": retailer.footer_text,
            "default_language": retailer.default_language}


def _theme_page(form: ThemeForm, retailer, style_form: TagUrlStyleForm, status: int,
                preview=None):
    """The theme page with both forms (theme, tag URL style)."""
    form.font.choices = [(name, name) for name in SAFE_FONTS]
    return render_template("console/theme.html", form=form, retailer=retailer,
                           preview=preview, font_stack=font_stack, contrast=theme.contrast,
                           style_form=style_form), status


@bp.route("/console/theme", methods=["GET", "POST"], endpoint="theme")
@roles_required(Role.MERCHANDISER)
def theme_page():
    """Edit the retailer's theme; colours that fail WCAG AA are refused with their ratio."""
    retailer = current_user.retailer
    form = ThemeForm(data=_theme_data(retailer) if request.method == "GET" else None)
    form.font.choices = [(name, name) for name in SAFE_FONTS]
    status = 200
    preview = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                logo_id = None
                if form.logo.data:
                    logo_id = media.ingest(
                        form.logo.data.read(), form.logo.data.filename or "", None,
                        kinds=("image",),
                        refusal="The logo must be a PNG, JPEG or WebP image (not a PDF or "
                                "a video).").id
                theme.update_theme(retailer, primary=form.primary.data.strip(),
                                   accent=form.accent.data.strip(), font=form.font.data,
                                   footer_text=form.footer_text.data or "",
                                   logo_media_id=logo_id,
                                   default_language=form.default_language.data or None)
            except InvalidInput as error:
                flash(error.message, "error")
                status = error.status_code
            else:
                flash("Theme saved: landing pages use it now.", "info")
                return redirect(url_for("console.theme"))
        else:
            status = 400
    else:
        preview = retailer
    style_form = TagUrlStyleForm(formdata=None, data={"tag_url_style": retailer.tag_url_style})
    return _theme_page(form, retailer, style_form, status, preview)
