"""Console forms for printing and managing tags (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from qrshop.parsing import MAX_ROW_ID, DecimalNumberField, WholeNumberField, coerce_row_id
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.posters import MAX_HEADING


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PrintForm(FlaskForm):
    """What to print, where, and on which stock."""

    store = SelectField("Store", validators=[DataRequired()])
    listings = CheckboxesField("Items (none ticked: every active tag of the store)",
                               coerce=coerce_row_id, validate_choice=False)
    placement = StringField("Placement note", validators=[Optional(), Length(max=120)])
    layout = SelectField("Label stock or poster")
    heading = StringField("Poster title (posters only)", validators=[Optional(),
                                                                      Length(max=MAX_HEADING)])
    offset_x = DecimalNumberField("Move right (mm)", default=0.0, validators=[Optional()],
                                  minimum=-10, maximum=10)
    offset_y = DecimalNumberField("Move down (mm)", default=0.0, validators=[Optional()],
                                  minimum=-10, maximum=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout.choices = [(layout.name, f"{layout.name}: {layout.description}")
                               for layout in LAYOUTS.values()]


class SelectedPrintForm(FlaskForm):
    """Print tags chosen on the tag list (their codes ride along as hidden fields)."""

    layout = SelectField("Label stock or poster")
    heading = StringField("Poster title (posters only)", validators=[Optional(),
                                                                      Length(max=MAX_HEADING)])
    offset_x = DecimalNumberField("Move right (mm)", default=0.0, validators=[Optional()],
                                  minimum=-10, maximum=10)
    offset_y = DecimalNumberField("Move down (mm)", default=0.0, validators=[Optional()],
                                  minimum=-10, maximum=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout.choices = [(layout.name, f"{layout.name}: {layout.description}")
                               for layout in LAYOUTS.values()]


class ReassignForm(FlaskForm):
    """Point a tag at another item (the picker renders `listing` as radio buttons)."""

    listing = WholeNumberField("New item", validators=[InputRequired("Choose an item.")],
                               minimum=1, maximum=MAX_ROW_ID)
    placement = StringField("Placement note", validators=[Optional(), Length(max=120)])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (retire)."""
