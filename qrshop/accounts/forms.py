"""Forms for logging in and for the platform admin's pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from qrshop.accounts.services import (
    MAX_LOGIN_PASSWORD_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)


def _password_length(limit: int = MAX_PASSWORD_LENGTH) -> Length:
    """The length limit of a password field: a new password's (services.check_new_password's)
    unless told otherwise."""
    return Length(max=limit, message=f"Use at most {limit} characters.")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    # Up to the limit of before 128: a password set then must still log in.
    password = PasswordField("Password", validators=[DataRequired(),
                                                     _password_length(MAX_LOGIN_PASSWORD_LENGTH)])


class RetailerForm(FlaskForm):
    """A new retailer."""

    slug = StringField("Slug", validators=[DataRequired(), Length(max=63)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class StoreForm(FlaskForm):
    """A new store of a retailer."""

    retailer = SelectField("Retailer", validators=[DataRequired()])
    code = StringField("Store code", validators=[DataRequired(), Length(max=16)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = StringField("Address", validators=[Length(max=500)])
    timezone = StringField("Time zone", default="America/New_York",
                           validators=[DataRequired(), Length(max=64)])
    location = StringField("Location: latitude, longitude (e.g. 33.7490, -84.3880; "
                           "optional, for \"nearest stores that have it\")",
                           validators=[Length(max=60)])


class VendorForm(FlaskForm):
    """A new vendor."""

    slug = StringField("Slug", validators=[DataRequired(), Length(max=63)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class LinkForm(FlaskForm):
    """A vendor supplies a retailer."""

    retailer = SelectField("Retailer", validators=[DataRequired()])
    vendor = SelectField("Vendor", validators=[DataRequired()])


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (invitation and reset links)."""

    password = PasswordField(f"New password ({MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                             f"characters, hard to guess)",
                             validators=[DataRequired(), _password_length()])
    confirm = PasswordField("Type it again", validators=[DataRequired(), _password_length()])


class ForgotPasswordForm(FlaskForm):
    """The email to send a reset link to."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class InviteForm(FlaskForm):
    """Invite someone; the roles, retailers, vendors and stores offered depend on who asks."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", validate_choice=False, validators=[DataRequired(), Length(max=16)])
    retailer = SelectField("Retailer", validate_choice=False, validators=[Length(max=64)])
    vendor = SelectField("Vendor", validate_choice=False, validators=[Length(max=64)])
    store = SelectField("Store (associates)", validate_choice=False,
                        validators=[Length(max=16)])


class ChangeRoleForm(FlaskForm):
    """A retailer user's role and store."""

    role = SelectField("Role", validate_choice=False, validators=[DataRequired(),
                                                                  Length(max=16)])
    store = SelectField("Store", validate_choice=False, validators=[Length(max=16)])


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token (deactivate, reactivate, resend)."""


class RetailerEditForm(FlaskForm):
    """A retailer's name."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class StoreEditForm(FlaskForm):
    """A store's code, name, address and time zone."""

    code = StringField("Store code", validators=[DataRequired(), Length(max=16)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = StringField("Address", validators=[Length(max=500)])
    timezone = StringField("Time zone (IANA name, like America/New_York)",
                           validators=[DataRequired(), Length(max=64)])
    location = StringField("Location: latitude, longitude (e.g. 33.7490, -84.3880; "
                           "optional, for \"nearest stores that have it\")",
                           validators=[Length(max=60)])


class VendorEditForm(FlaskForm):
    """A vendor's name."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class ApiTokenForm(FlaskForm):
    """A new API token: its name and the scopes it holds (none ticked: every scope of the
    role). The view offers only the scopes of the user's role."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    scopes = SelectMultipleField("Scopes", widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())


def form_errors(form: FlaskForm) -> str:
    """The form's validation errors as one sentence a person can act on."""
    messages = []
    for field in form:
        for error in field.errors:
            if field.name == "csrf_token":
                messages.append("The form expired; reload the page and try again.")
            else:
                messages.append(f"{field.label.text}: {error}")
    return " ".join(messages) or "Please fill in every required field."
