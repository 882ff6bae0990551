"""The message catalogues: every marked string is translated, and the compiled .mo match."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from qrshop.i18n import DEFAULT_LOCALE, LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "qrshop" / "translations"
TRANSLATED = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The msgids pybabel extracts now, as docs/i18n.md says to run it."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_marked_for_translation_is_translated(extracted, locale):
    catalogue = _catalogue(locale)
    translated = {message.id for message in catalogue if message.id and message.string
                  and not message.fuzzy}
    missing = sorted(str(msgid) for msgid in extracted - translated)
    assert not missing, f"not in {locale}/messages.po (see docs/i18n.md): {missing}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_their_placeholders(locale):
    for message in _catalogue(locale):
        if message.id and message.python_format:
            assert not message.check(_catalogue(locale)), message.id


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_committed_mo_file_is_compiled_from_the_po_file(locale):
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as file:
        compiled = {message.id: message.string for message in read_mo(file) if message.id}
    source = {message.id: message.string for message in _catalogue(locale) if message.id}
    assert compiled == source, "run: pybabel compile -d qrshop/translations"


def test_the_pot_template_in_the_repo_lists_what_is_extracted(extracted):
    with (TRANSLATIONS / "messages.pot").open("rb") as file:
        template = {message.id for message in read_po(io.BytesIO(file.read())) if message.id}
    assert template == extracted, "run the extract command of docs/i18n.md"
