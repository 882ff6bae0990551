"""The vendor studio at desktop size in a real browser: the rich-text editor (Trix) under the
page's CSP, rows, counters, the live preview following the typing, save and submit.
Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from qrshop.content.models import ContentRevision
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def desktop(browser, request):
    """A 1440x900 desktop page; its console errors are collected in page.errors."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error"
            and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def _until(page, script: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression until it is true (the page's CSP forbids the eval that
    page.wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({script})"):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_vendor_edits_with_the_rich_text_editor_and_sees_the_live_preview(
        app, live_server, desktop):
    scene = make_scene()
    page = desktop
    _log_in(page, live_server, scene.vendor_email)
    page.goto(f"{live_server}/vendor/products/{scene.product.id}/revisions/new")
    editor = page.locator("trix-editor")
    editor.wait_for()
    assert page.locator("textarea#description").is_hidden()
    assert page.get_by_label("Description").evaluate("e => e.tagName") == "TRIX-EDITOR"
    preview = page.frame_locator("[data-preview-frame]")

    page.fill("#title", "Built for wet trails")
    assert page.locator('[data-counter-for="title"]').inner_text() == "20 / 120"
    page.select_option("#hero_image", str(scene.hero.id))
    _until(page, "document.querySelector('[data-preview-frame]').srcdoc"
                           ".includes('Built for wet trails')")
    assert preview.locator("[data-product-name]").inner_text() == "Trail Widget"
    # The hero image loads inside the sandboxed preview (the page's CSP still applies).
    hero = preview.locator("img").first
    hero.wait_for()
    deadline = time.monotonic() + 15
    while not hero.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the preview's hero image did not load"
        page.wait_for_timeout(100)

    # Rich text: a heading, then plain and bold text, typed as a vendor would.
    editor.click()
    page.click("trix-toolbar [data-trix-attribute=heading1]")
    page.keyboard.type("Made to last")
    page.keyboard.press("Enter")
    page.keyboard.type("Warm and dry ")
    page.click("trix-toolbar [data-trix-attribute=bold]")
    page.keyboard.type("in any weather")
    _until(page, "document.querySelector('[data-preview-frame]').srcdoc"
                           ".includes('<strong>in any weather</strong>')")
    assert preview.locator("h3", has_text="Made to last").count() == 1
    assert preview.locator("strong", has_text="in any weather").count() == 1
    # The toolbar offers only what the sanitizer keeps.
    for absent in ("strike", "code", "attachFiles"):
        assert page.locator(f"trix-toolbar [data-trix-attribute={absent}], "
                            f"trix-toolbar [data-trix-action={absent}]").count() == 0

    # Highlights as rows: fill two, move the second up, see them in the preview's order.
    rows = page.locator('[data-rows="highlight"] input[name=highlight]')
    rows.nth(0).fill("Recycled nylon")
    rows.nth(1).fill("Seam-sealed")
    page.locator('[data-rows="highlight"] .row').nth(1).locator("[data-row=up]").click()
    page.click('[data-rows="spec"] [data-add-row]')
    assert page.locator('[data-rows="spec"] .row').count() == 5
    page.locator("input[name=spec_name]").first.fill("Weight")
    page.locator("input[name=spec_value]").first.fill("540 g")
    _until(page, """(html => html.includes('540 g') && html.indexOf('Seam-sealed') > 0
        && html.indexOf('Seam-sealed') < html.indexOf('Recycled nylon'))(
        document.querySelector('[data-preview-frame]').srcdoc)""")
    status = page.locator("[data-preview-status]").inner_text()
    assert status.startswith("Up to date"), status

    # The vendor's place in the preview is kept when it updates.
    page.evaluate("() => document.querySelector('[data-preview-frame]').contentWindow"
                  ".scrollTo(0, 250)")
    page.fill("#tagline", "Grip that holds")
    _until(page, """(frame => frame.srcdoc.includes('Grip that holds')
        && frame.contentDocument.body?.textContent.includes('Grip that holds')
        && frame.contentWindow.scrollY > 200)(document.querySelector('[data-preview-frame]'))""")
    # No script runs in the preview (the sandbox allows none) and it submits no form.
    assert page.get_attribute("[data-preview-frame]", "sandbox") == "allow-same-origin"

    # A half-filled spec row: the preview says why it did not update, and keeps the last one.
    page.locator("input[name=spec_value]").first.fill("")
    _until(page, "document.querySelector('[data-preview-status]').textContent"
                           ".includes('needs both a name and a value')")
    page.locator("input[name=spec_value]").first.fill("540 g")
    _until(page, "document.querySelector('[data-preview-status]').textContent"
                           ".startsWith('Up to date')")

    # The other retailer's page, in its own theme.
    page.select_option("[data-preview-retailer]", index=1)
    _until(page, "document.querySelector('[data-preview-frame]').srcdoc"
                           ".includes('#0b3d2e')")
    page.select_option("[data-preview-retailer]", index=0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)  # let the iframe paint before the screenshot
    page.screenshot(path=str(ARTIFACTS / "vendor-studio-1440.png"), full_page=True)

    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(r"/vendor/revisions/\d+$"))
    assert "Draft revision 1 saved." in page.locator(".flash").first.inner_text()
    db.session.expire_all()
    revision = db.session.scalars(select(ContentRevision).where(
        ContentRevision.product_id == scene.product.id)).one()
    description = revision.slots["description"]
    assert "<h3>Made to last</h3>" in description
    assert "<strong>in any weather</strong>" in description
    assert "<div" not in description and "<h1" not in description
    assert revision.slots["highlights"] == ["Seam-sealed", "Recycled nylon"]
    assert revision.slots["spec_table"] == [["Weight", "540 g"]]
    # The saved HTML loads back into the editor with its heading and bold intact.
    editor.wait_for()
    assert page.locator("trix-editor h3").inner_text().strip() == "Made to last"
    assert page.locator("trix-editor strong").inner_text().strip() == "in any weather"

    page.click("button:has-text('Submit for review')")
    page.wait_for_url(re.compile(r"/revisions$"))
    assert "submitted to 2 retailer(s)" in page.locator(".flash").first.inner_text()
    # The submitted revision is read-only: the editor does not edit, the preview is the saved one.
    page.goto(f"{live_server}/vendor/revisions/{revision.id}")
    editor.wait_for()
    _until(page, "document.querySelector('[data-preview-frame]').srcdoc.includes('Made to last')")
    assert editor.get_attribute("contenteditable") in (None, "false")
    # On a phone-wide window the preview goes below the form and nothing is wider.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/vendor/products/{scene.product.id}/revisions/new")
    editor.wait_for()
    _until(page, "document.querySelector('[data-preview-frame]').srcdoc.includes('Made to last')")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.locator("[data-studio-preview]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # let the iframe paint before the screenshot
    page.screenshot(path=str(ARTIFACTS / "vendor-studio-390.png"), full_page=True)
    # No CSP violation or script error on the way (the one 422 is the refused spec row's).
    assert [error for error in page.errors if "status of 422" not in error] == []
