"""Forms of the vendor content pages and the console's review and theme pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qrshop.i18n import LANGUAGE_NAMES


class RevisionForm(FlaskForm):
    """The slots of a revision; media choices are the vendor's own library."""

    title = StringField("Title", validators=[Length(max=120)])
    tagline = StringField("Tagline", validators=[Length(max=200)])
    hero_image = SelectField("Hero image", validators=[Optional()], validate_choice=True)
    gallery = SelectMultipleField("Gallery images", validators=[Optional()])
    video_url = StringField("YouTube or Vimeo link", validators=[Length(max=300)])
    video_media = SelectField("…or an uploaded MP4", validators=[Optional()])
    description = TextAreaField("Description (p, strong, em, lists, h3/h4, links)",
                                validators=[Length(max=20000)])
    highlights = TextAreaField("Highlights (one per line)", validators=[Length(max=2000)])
    spec_table = TextAreaField("Spec table (one 'Name: value' per line)",
                               validators=[Length(max=6000)])
    documents = SelectMultipleField("PDF documents", validators=[Optional()])
    # Chosen when the draft is started; a revision keeps its language.
    locale = SelectField("Shoppers' language", choices=[
        SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()], default="en")


class SubmitForm(FlaskForm):
    """Submit a draft (CSRF only)."""


class DecisionForm(FlaskForm):
    """A merchandiser's decision on a review."""

    decision = SelectField("Decision", choices=[SelectChoice("approve", "Approve"),
                                                SelectChoice("changes", "Request changes")],
                           validators=[DataRequired()])
    comment = TextAreaField("Comment to the vendor", validators=[Length(max=2000)])


class TemplatesForm(FlaskForm):
    """Which landing templates a retailer allows, and its default."""

    enabled = SelectMultipleField("Enabled templates")
    default = SelectField("Default template")


def revision_form(data, media_items) -> RevisionForm:
    """The slots form, its media choices taken from one library (a list of Media)."""
    form = RevisionForm(data=data)
    images = [(str(m.id), f"#{m.id} {m.original_name}") for m in media_items
              if m.kind == "image"]
    form.hero_image.choices = [("", "— none —")] + images
    form.gallery.choices = images
    form.video_media.choices = [("", "— none —")] + [
        (str(m.id), f"#{m.id} {m.original_name}") for m in media_items if m.kind == "video"]
    form.documents.choices = [(str(m.id), f"#{m.id} {m.original_name}") for m in media_items
                              if m.kind == "document"]
    return form

