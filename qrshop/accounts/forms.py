"""Forms for logging in and for the platform admin's pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


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


class VendorForm(FlaskForm):
    """A new vendor."""

    slug = StringField("Slug", validators=[DataRequired(), Length(max=63)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class LinkForm(FlaskForm):
    """A vendor supplies a retailer."""

    retailer = SelectField("Retailer", validators=[DataRequired()])
    vendor = SelectField("Vendor", validators=[DataRequired()])
