"""Console and till forms (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

OFFER_KINDS = [("percent", "Percent off"), ("amount", "Amount off"), ("perk", "Perk (text)")]


class OfferForm(FlaskForm):
    """A new offer."""

    title = StringField("Title shoppers see", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Type")  # choices: OFFER_KINDS, set by the view
    percent_off = IntegerField("Percent off", validators=[Optional(), NumberRange(1, 100)])
    amount_off = StringField("Amount off (e.g. 10.00)", validators=[Length(max=16)])
    perk_text = StringField("Perk (e.g. Free gift wrap)", validators=[Length(max=200)])
    # An id from the list. A large catalogue shows listing_sku instead of the list; an id
    # posted then is checked by the view (validate_choice is turned off for it).
    listing = SelectField("Item", default="")
    listing_sku = StringField("Item SKU (empty: every item)", validators=[Length(max=64)])
    store = SelectField("Store", default="")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    total_limit = IntegerField("Total coupons (empty: no limit)",
                               validators=[Optional(), NumberRange(1, 10_000_000)])
    per_shopper_limit = IntegerField("Coupons per shopper", default=1,
                                     validators=[DataRequired(), NumberRange(1, 100)])
    coupon_valid_days = IntegerField("Coupon valid for (days)", default=7,
                                     validators=[DataRequired(), NumberRange(1, 365)])
    terms = TextAreaField("Terms", validators=[Length(max=2000)])


class RedeemForm(FlaskForm):
    """Redeem a coupon at the till."""

    code = StringField("Coupon code", validators=[DataRequired(), Length(max=32)])
    store = SelectField("Store")
    sale_amount = StringField("Sale amount (e.g. 49.99)",
                              validators=[DataRequired(), Length(max=16)])
