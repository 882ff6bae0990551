"""The SVG charts: ticks, labels and values a person can read, and a table per chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from qrshop.analytics import charts

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("top", "expected"), [
    (0, [0, 1]),
    (1, [0, 1]),
    (3, [0, 1, 2, 3]),
    (7, [0, 2, 4, 6, 8]),
    (56, [0, 20, 40, 60]),
    (100, [0, 25, 50, 75, 100]),
    (101, [0, 50, 100, 150]),
    (1234, [0, 500, 1000, 1500]),
    (0.3, [0, 0.1, 0.2, 0.3]),
])
def test_ticks_are_round_numbers_from_zero_covering_the_top(top, expected):
    assert charts.ticks(top) == expected


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (950, "950"), (1234, "1,234"), (12_500, "12.5k"), (20_000, "20k"),
    (3_200_000, "3.2M"), (2.5, "2.5"),
])
def test_values_are_formatted_for_labels(value, text):
    assert charts.format_value(value) == text


@pytest.mark.parametrize(("current", "previous", "text"), [
    (112, 100, "+12%"), (88, 100, "-12%"), (100, 100, "0%"), (5, 0, "new"), (0, 0, "0%"),
])
def test_change_against_the_previous_period(current, previous, text):
    assert charts.format_change(current, previous) == text


def test_label_every_keeps_about_seven_labels():
    assert charts.label_every(7) == 1
    assert charts.label_every(24) == 4
    assert charts.label_every(30) == 5
    assert charts.label_every(90) == 13


def _parse(markup: str):
    """The two SVGs of a chart (y axis, bars) as XML trees."""
    svgs = re.findall(r"<svg.*?</svg>", str(markup), flags=re.S)
    assert len(svgs) == 2
    return [ET.fromstring(svg) for svg in svgs]


def test_a_chart_has_axes_labels_and_values_on_hover_and_focus():
    points = [charts.Point(f"Nov {n}", value, previous, f"Sun {n} Nov 2026")
              for n, value, previous in [(1, 10, 4), (2, 56, 60), (3, 0, 0), (4, 25, 12)]]
    axis, bars = _parse(charts.bar_chart(points, "Scans per day"))
    # y axis: labelled ticks 0..60, readable (>= 12 px via CSS; no viewBox shrinks them).
    assert [t.text for t in axis.iter(f"{SVG}text")] == ["0", "20", "40", "60"]
    assert "viewBox" not in bars.attrib and bars.get("aria-label") == "Scans per day"
    assert len([line for line in bars.iter(f"{SVG}line")]) == 4
    # One focusable group per bar, with a <title> and a value label shown on hover/focus.
    groups = [g for g in bars.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert len(groups) == 4 and all(g.get("tabindex") == "0" for g in groups)
    titles = [g.find(f"{SVG}title").text for g in groups]
    assert titles[1] == "Sun 2 Nov 2026: 56 scans (60 in the previous period)"
    tips = [t.text for g in groups for t in g.iter(f"{SVG}text")]
    assert tips[1] == "Nov 2: 56 (before: 60)"
    # Bars and ghost bars of the previous period scale to the axis (60 = full plot height).
    value = next(r for r in groups[1].iter(f"{SVG}rect") if r.get("class") == "value")
    ghost = next(r for r in groups[1].iter(f"{SVG}rect") if r.get("class") == "previous")
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert float(ghost.get("height")) == pytest.approx(plot, abs=0.1)
    assert float(value.get("height")) == pytest.approx(plot * 56 / 60, abs=0.1)
    # Category labels, none clipped: the first starts at the left edge.
    labels = [t for t in bars.findall(f"{SVG}text") if "label" in t.get("class")]
    assert [t.text for t in labels] == ["Nov 1", "Nov 2", "Nov 3", "Nov 4"]
    assert labels[0].get("text-anchor") == "start" and labels[0].get("x") == "0%"


def test_chart_text_is_escaped():
    markup = str(charts.bar_chart([charts.Point("<b>", 1)], "A & B"))
    assert "<b>" not in markup and "&lt;b&gt;" in markup and "A &amp; B" in markup


def test_a_long_series_labels_only_some_bars():
    points = [charts.Point(f"D{n}", n) for n in range(90)]
    _, bars = _parse(charts.bar_chart(points, "Ninety days"))
    labels = [t.text for t in bars.findall(f"{SVG}text") if "label" in t.get("class")]
    assert labels == [f"D{n}" for n in range(0, 90, 13)]
