"""The media library at desktop size in a real browser: three images uploaded at once with
per-file progress (and a refused file named on its own row), then alt text set in the grid.
Screenshot: test-artifacts/vendor-media-library-1440.png."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from qrshop.content.models import Media
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.content.images import image_bytes
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_studio import _log_in, desktop  # noqa: F401  (the desktop fixture)

pytestmark = pytest.mark.slow


def _until(page, script: str, timeout: float = 20) -> None:
    """Poll a JavaScript expression (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({script})"):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def test_vendor_uploads_three_images_at_once_and_sets_alt_text(
        app, live_server, desktop, tmp_path):  # noqa: F811
    scene = make_scene()
    page = desktop
    csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text
            and csp_violations.append(m.text))
    files = []
    for number, colour in enumerate(((200, 30, 30), (30, 160, 60), (40, 60, 200)), start=1):
        path = tmp_path / f"trail-boot-{number}.jpg"
        path.write_bytes(image_bytes("JPEG", size=(1600 + number, 1200), colour=colour))
        files.append(str(path))
    bad = tmp_path / "notes.jpg"
    bad.write_bytes(b"these are notes, not a photo" * 20)
    _log_in(page, live_server, scene.vendor_email)
    page.goto(f"{live_server}/vendor/media")
    page.set_input_files("#file", [*files, str(bad)])

    _until(page, "document.getElementById('media-upload').dataset.finished === '1'")
    rows = page.locator("#upload-list li[data-uploaded]")
    assert rows.count() == 3
    for index in range(3):
        assert rows.nth(index).locator("progress").evaluate("p => p.value") == 100
        assert rows.nth(index).locator(".ok").inner_text() == "uploaded"
    refused = page.locator("#upload-list li[data-refused]")
    assert refused.count() == 1
    assert "notes.jpg" in refused.inner_text() and "not a JPEG" in refused.inner_text()

    page.click("text=Show the new files and add their alt text")
    card = page.locator(".media-card", has_text="trail-boot-2.jpg")
    assert card.locator("text=No alt text yet").count() == 1
    card.get_by_label("Alt text").fill("Green trail boot, side view")
    card.get_by_label("Caption").fill("The green one")
    card.get_by_role("button", name="Save").click()
    page.locator(".flash", has_text="Saved the text of trail-boot-2.jpg").wait_for()
    db.session.expire_all()
    stored = db.session.scalar(select(Media).where(Media.original_name == "trail-boot-2.jpg"))
    assert (stored.alt_text, stored.caption) == ("Green trail boot, side view", "The green one")
    assert page.locator(".media-card", has_text="trail-boot-2.jpg").locator(
        "img").get_attribute("alt") == "Green trail boot, side view"

    page.fill("#q", "green")
    page.click("form[role=search] button")
    assert page.locator(".media-card").count() == 1
    page.goto(f"{live_server}/vendor/media")
    # Every thumbnail really loads.
    _until(page, "[...document.querySelectorAll('.media-card img')]"
                 ".every(i => i.complete && i.naturalWidth > 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vendor-media-library-1440.png"), full_page=True)
    # The one expected error: the browser logs the refused file's 415.
    assert not csp_violations and not [e for e in page.errors if "415" not in e]
