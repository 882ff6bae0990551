"""Forms of the vendor's product pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
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
