"""The dashboard and console home in a real browser on the seeded demo: labels readable and
inside the chart, values shown on keyboard focus and hover, nothing wider than a phone.
Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.slow


def test_dashboard_charts_read_well_on_a_phone(app, live_server, runner, phone):
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    logins = json.loads((Path(app.instance_path) / "demo-logins.json").read_text())
    phone.goto(f"{live_server}/login")
    phone.fill("input[name=email]", "merchandiser@demo.qrshop.test")
    phone.fill("input[name=password]", logins["merchandiser@demo.qrshop.test"])
    phone.click("button[type=submit]")
    ARTIFACTS.mkdir(exist_ok=True)
    for path in ("/console/analytics?days=30", "/console"):
        assert phone.goto(live_server + path).status == 200
        assert phone.evaluate("document.querySelector('main').scrollWidth") <= 390
        # Every visible chart label is at least 12 px and inside its SVG.
        labels = phone.evaluate("""() => [...document.querySelectorAll(
            '.chart svg text.label, .chart svg text.tick')].filter(t => t.getBBox().width > 0
            && getComputedStyle(t).display !== 'none').map(t => {
              const box = t.getBoundingClientRect(), svg = t.ownerSVGElement
                .getBoundingClientRect();
              return {size: parseFloat(getComputedStyle(t).fontSize), text: t.textContent,
                      inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5};
            })""")
        assert labels and all(label["size"] >= 12 for label in labels)
        assert all(label["inside"] for label in labels), labels
        name = "dashboard" if "analytics" in path else "home"
        phone.screenshot(path=str(ARTIFACTS / f"console-{name}-390.png"), full_page=True)
    # A bar's value appears when the bar has keyboard focus, and on hover.
    phone.goto(f"{live_server}/console/analytics?days=30")
    bar = phone.locator(".chart .bar").nth(10)
    tip = bar.locator("text.tip")
    assert tip.evaluate("t => getComputedStyle(t).visibility") == "hidden"
    bar.focus()
    assert tip.evaluate("t => getComputedStyle(t).visibility") == "visible"
    value = tip.text_content().split(": ")[1].split(" ")[0]  # "Nov 15: 98 (before: 64)"
    assert f": {value} scans" in bar.locator("title").text_content()
    phone.locator(".chart .bar").nth(3).locator("rect.value").hover()
    assert phone.locator(".chart .bar").nth(3).locator("text.tip").evaluate(
        "t => getComputedStyle(t).visibility") == "visible"
