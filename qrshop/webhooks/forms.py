"""Console and vendor-portal forms for webhooks (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from qrshop.webhooks.addresses import MAX_URL_LENGTH
from qrshop.webhooks.events import EVENTS, events_for


class WebhookForm(FlaskForm):
    """A webhook's URL and events (the choices depend on the party)."""

    url = StringField("Endpoint URL (https)", validators=[DataRequired(),
                                                         Length(max=MAX_URL_LENGTH)])
    events = SelectMultipleField("Events", widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())

    def for_party(self, *, vendor: bool) -> WebhookForm:
        """Offer the events this party's webhooks may receive."""
        self.events.choices = [(name, f"{name} — {EVENTS[name]}")
                               for name in events_for(vendor=vendor)]
        return self
