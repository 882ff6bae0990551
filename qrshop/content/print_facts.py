"""What printed posters and tags need from a listing's live content: its hero photo and
whether the page has a video."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from qrshop.content.models import ContentRevision
from qrshop.extensions import db

PRINT_WIDTH = 1080  # the largest variant: enough for a poster photo at 200 dpi


@dataclass(frozen=True)
class PrintFacts:
    """The parts of an approved revision a printed item uses."""

    photo: Optional[str]  # stored file name of the hero image (a JPEG variant if any)
    has_video: bool


def _hero_file(slots: dict) -> Optional[str]:
    hero = slots.get("hero_image")
    if not isinstance(hero, dict):
        return None
    variants = [v for v in hero.get("jpg") or [] if isinstance(v, list) and len(v) == 2]
    fitting = [v for v in variants if v[0] <= PRINT_WIDTH]
    if fitting:
        return str(max(fitting)[1])
    return str(hero["src"]) if hero.get("src") else None


def print_facts(revision_ids: list[int]) -> dict[int, PrintFacts]:
    """PrintFacts of each live revision id given, by revision id (one query)."""
    ids = [revision_id for revision_id in set(revision_ids) if revision_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(select(ContentRevision.id, ContentRevision.slots)
                              .where(ContentRevision.id.in_(ids)))
    return {revision_id: PrintFacts(_hero_file(slots or {}), bool((slots or {}).get("video")))
            for revision_id, slots in rows}
