"""The pre-approved landing templates and the slots each one needs.

A template is a file templates/landing/<name>.html; a retailer enables some of them and picks
a default, and may choose one per listing. A revision can only be submitted when it fills
every slot required by each template in use for the product.
"""

from __future__ import annotations

from dataclasses import dataclass

from qrshop.errors import InvalidInput

# Slot name -> how people read it.
SLOTS = {
    "title": "title",
    "tagline": "tagline",
    "hero_image": "hero image",
    "gallery": "gallery",
    "video": "video",
    "description": "description",
    "highlights": "highlights",
    "spec_table": "spec table",
    "documents": "documents",
}


@dataclass(frozen=True)
class LandingTemplate:
    """One pre-approved landing page layout and its slot schema."""

    name: str
    label: str
    summary: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def file(self) -> str:
        """The Jinja template that renders it."""
        return f"landing/{self.name}.html"

    def missing(self, slots: dict) -> list[str]:
        """The required slots a revision leaves empty."""
        return [slot for slot in self.required if not slots.get(slot)]


TEMPLATES = {
    template.name: template
    for template in (
        LandingTemplate("spotlight", "Spotlight", "Hero image first, then the story.",
                        required=("title", "hero_image"),
                        optional=("tagline", "description", "highlights", "gallery", "video",
                                  "spec_table", "documents")),
        LandingTemplate("story", "Story", "Video first, for products best shown in use.",
                        required=("title", "video"),
                        optional=("tagline", "hero_image", "description", "highlights",
                                  "gallery")),
        LandingTemplate("specs", "Technical specs", "A spec table up front, with documents.",
                        required=("title", "spec_table"),
                        optional=("tagline", "hero_image", "description", "highlights",
                                  "documents")),
        LandingTemplate("look", "Complete the look", "A gallery and what goes with it.",
                        required=("title", "gallery"),
                        optional=("tagline", "hero_image", "description", "highlights")),
    )
}
DEFAULT_TEMPLATE = "spotlight"


def get_template(name: str) -> LandingTemplate:
    """The template of a name; raise InvalidInput naming the choices if there is none."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise InvalidInput(f"Unknown template {name!r}; choose one of "
                           f"{', '.join(TEMPLATES)}.") from None


def template_file(name: str) -> str:
    """The Jinja file for a template name, the default one for an unknown name."""
    return TEMPLATES.get(name, TEMPLATES[DEFAULT_TEMPLATE]).file
