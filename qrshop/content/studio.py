"""The vendor studio's form: slots laid out by the templates in use, and rows for lists.

Highlights and the spec table are edited as rows (`highlight`, `spec_name`/`spec_value`,
repeated in page order). The old one-text-per-slot format (`highlights` one per line,
`spec_table` as `Name: value` lines) is still accepted, so older forms and scripts keep
working; rows win when both arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from qrshop.content.services import MAX_HIGHLIGHTS, MAX_SPEC_ROWS, template_name_for
from qrshop.content.templates import SLOTS, TEMPLATES
from qrshop.errors import InvalidInput

if TYPE_CHECKING:  # type hints only
    from werkzeug.datastructures import MultiDict

    from qrshop.catalog.models import Listing

# Blank rows a page without JavaScript offers below the filled ones.
BLANK_HIGHLIGHT_ROWS = 3
BLANK_SPEC_ROWS = 4
# Character limits the server enforces (services.normalise_slots), shown as counters.
LIMITS = {"title": 120, "tagline": 200, "highlight": 160, "spec_name": 80, "spec_value": 200}


def slot_values(form_data: dict[str, Any], posted: MultiDict) -> dict[str, Any]:
    """The slot values of a posted form: its fields, with rows (when posted) for lists."""
    values = dict(form_data)
    if "highlight" in posted:
        values["highlights"] = [line.strip() for line in posted.getlist("highlight")
                                if line.strip()]
    if "spec_name" in posted or "spec_value" in posted:
        values["spec_table"] = spec_rows(posted.getlist("spec_name"),
                                         posted.getlist("spec_value"))
    return values


def spec_rows(names: list[str], values: list[str]) -> list[list[str]]:
    """Spec rows from the row fields: blank rows are skipped, half-filled ones refused."""
    rows = []
    for number, (name, value) in enumerate(zip_longest(names, values, fillvalue=""), start=1):
        name, value = name.strip(), value.strip()
        if not name and not value:
            continue
        if not name or not value:
            raise InvalidInput(f"Spec row {number} needs both a name and a value "
                               f"(it has only {'a value' if value else 'a name'}).")
        rows.append([name, value])
    return rows


@dataclass
class Rows:
    """The rows a form shows: the filled ones and a few blank ones."""

    highlights: list[str] = field(default_factory=list)
    specs: list[tuple[str, str]] = field(default_factory=list)


def rows_for(form, posted: MultiDict | None) -> Rows:
    """What the row fields show: what was posted (a refused form keeps it), else the
    form's prefill, padded with blank rows up to the limits."""
    if posted is not None and ("highlight" in posted or "spec_name" in posted):
        highlights = [line for line in posted.getlist("highlight") if line.strip()]
        specs = [(n, v) for n, v in zip_longest(posted.getlist("spec_name"),
                                                posted.getlist("spec_value"), fillvalue="")
                 if n.strip() or v.strip()]
    else:
        highlights = [line.strip() for line in str(form.highlights.data or "").splitlines()
                      if line.strip()]
        specs = []
        for line in str(form.spec_table.data or "").splitlines():
            name, _, value = line.partition(":")
            if name.strip() or value.strip():
                specs.append((name.strip(), value.strip()))
    highlights += [""] * max(0, min(BLANK_HIGHLIGHT_ROWS, MAX_HIGHLIGHTS - len(highlights)))
    specs += [("", "")] * max(0, min(BLANK_SPEC_ROWS, MAX_SPEC_ROWS - len(specs)))
    return Rows(highlights, specs)


@dataclass(frozen=True)
class SlotUse:
    """How the templates in use treat one slot: who requires it, whether any shows it."""

    name: str
    label: str
    required_by: tuple[str, ...]
    shown: bool


def slot_uses(listings: list[Listing]) -> dict[str, SlotUse]:
    """Each slot's use by the templates of the retailers carrying a product.

    A slot no template in use shows is still editable (a retailer may switch templates) but
    the studio tucks it away; with no retailer yet, every slot counts as shown.
    """
    uses = {}
    templates = [(listing.retailer.name, TEMPLATES.get(template_name_for(listing)))
                 for listing in listings]
    templates = [(name, template) for name, template in templates if template is not None]
    for slot, label in SLOTS.items():
        required_by = tuple(f"{name} ({template.label})" for name, template in templates
                            if slot in template.required)
        shown = not templates or any(slot in template.required or slot in template.optional
                                     for _, template in templates)
        uses[slot] = SlotUse(slot, label, required_by, shown)
    return uses
