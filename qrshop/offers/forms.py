"""Console and till forms (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from qrshop.parsing import LocalMinuteField, WholeNumberField

OFFER_KINDS = [("percent", "Percent off"), ("amount", "Amount off"), ("perk", "Perk (text)")]


class OfferForm(FlaskForm):
    """A new offer."""

    title = StringField("Title shoppers see", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Type")  # choices: OFFER_KINDS, set by the view
    percent_off = WholeNumberField("Percent off", validators=[Optional()], minimum=1,
                                   maximum=100)
    amount_off = StringField("Amount off (e.g. 10.00)", validators=[Length(max=16)])
    perk_text = StringField("Perk (e.g. Free gift wrap)", validators=[Length(max=200)])
    # An id from the list. A large catalogue shows listing_sku instead of the list; an id
    # posted then is checked by the view (validate_choice is turned off for it).
    listing = SelectField("Item", default="")
    listing_sku = StringField("Item SKU (empty: every item)", validators=[Length(max=64)])
    store = SelectField("Store", default="")
    starts_at = LocalMinuteField("Starts", validators=[DataRequired()])
    ends_at = LocalMinuteField("Ends", validators=[DataRequired()])
    total_limit = WholeNumberField("Total coupons (empty: no limit)", validators=[Optional()],
                                   minimum=1, maximum=10_000_000)
    per_shopper_limit = WholeNumberField("Coupons per shopper", default=1,
                                         validators=[DataRequired()], minimum=1, maximum=100)
    coupon_valid_days = WholeNumberField("Coupon valid for (days)", default=7,
                                         validators=[DataRequired()], minimum=1, maximum=365)
    terms = TextAreaField("Terms", validators=[Length(max=2000)])


class RedeemForm(FlaskForm):
    """Redeem a coupon at the till."""

    code = StringField("Coupon code", validators=[DataRequired(), Length(max=32)])
    store = SelectField("Store")
    sale_amount = StringField("Sale amount (e.g. 49.99)",
                              validators=[DataRequired(), Length(max=16)])
