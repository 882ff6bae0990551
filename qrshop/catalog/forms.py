"""Forms of the vendor's product pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class ProductForm(FlaskForm):
    """A product: GTIN (only when creating), name and brand."""

    gtin = StringField("GTIN (8, 12, 13 or 14 digits)", validators=[Length(max=20)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    brand = StringField("Brand", validators=[Length(max=120)])


class ImportForm(FlaskForm):
    """A CSV file to preview, or the previewed text to import."""

    file = FileField("CSV file (columns gtin,name,brand)")
    csv_text = HiddenField()


def _currency_choices() -> list[SelectChoice]:
    from qrshop.catalog.services import CURRENCIES

    return [SelectChoice(code, code) for code in sorted(CURRENCIES)]


class ListingForm(FlaskForm):
    """A listing: the product by GTIN (only when adding), SKU, price as decimal text."""

    gtin = StringField("GTIN (8, 12, 13 or 14 digits)", validators=[Length(max=20)])
    sku = StringField("Your SKU", validators=[DataRequired(), Length(max=64)])
    price = StringField("Price (e.g. 49.99)", validators=[DataRequired(), Length(max=20)])
    currency = SelectField("Currency", choices=_currency_choices(), default="USD")
    name = StringField("Product name (your own products only)", validators=[Length(max=200)])
    brand = StringField("Brand (your own products only)", validators=[Length(max=120)])


class ConfirmForm(FlaskForm):
    """A confirmed action (CSRF only)."""


class ListingImportForm(FlaskForm):
    """A listings CSV to preview, or the previewed text to import."""

    file = FileField("CSV file (columns sku,gtin,price,currency)")
    csv_text = HiddenField()
