"""Server-rendered SVG bar charts with axes, values on hover and focus, and a previous period.

No script and no library: the page's CSP stays `script-src 'self'`. Horizontal positions are
percentages and the height is fixed, so the SVG fills any width while its text keeps its real
size (>= 12 px) instead of shrinking with a viewBox on a phone. Each bar is a focusable group
with a <title> (read by screen readers and shown as a browser tooltip) and a value label that
CSS shows on :hover and :focus (static/console.css, `.chart .bar`). Every chart also has a
table with the same figures (templates/analytics/_charts.html).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from markupsafe import Markup, escape

HEIGHT = 220
TOP = 30  # room above the highest grid line for the value label shown on hover/focus
BOTTOM = 26  # room below the plot for the category labels
AXIS_WIDTH = 48  # px for the y axis's tick labels
TARGET_LABELS = 7  # category labels shown at most (every nth bar is labelled)


@dataclass(frozen=True)
class Point:
    """One bar: its category label, value and, optionally, the previous period's value."""

    label: str
    value: float
    previous: Optional[float] = None
    # The full description for the tooltip and table ("Mon 2 Nov"); label when empty.
    long_label: str = ""


def nice_step(top: float, count: int = 4) -> float:
    """The tick spacing for an axis from 0 to at least top with about `count` intervals:
    1, 2, 2.5 or 5 times a power of ten (whole numbers for counts)."""
    if top <= 0:
        return 1
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            # Counts never get fractional ticks such as 0.5.
            return max(1, step) if top >= 1 else step
    return 10 * power  # pragma: no cover - the loop always returns


def ticks(top: float, count: int = 4) -> list[float]:
    """Tick values from 0 up to the first tick at or above top (at least [0, 1])."""
    step = nice_step(top, count)
    end = max(step, math.ceil(top / step - 1e-9) * step)
    values, n = [], 0
    while n * step <= end + 1e-9:
        values.append(round(n * step, 10))
        n += 1
    return values


def format_value(value: float) -> str:
    """A figure for a label: 950, 1,234, 12.5k, 3.2M; fractions with one decimal."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def change(current: float, previous: float) -> Optional[float]:
    """The relative change from previous to current (0.12 for +12%); None without a base."""
    if not previous:
        return None
    return (current - previous) / previous


def format_change(current: float, previous: float) -> str:
    """'+12%', '-3%', '0%', or 'new' when the previous period had nothing."""
    ratio = change(current, previous)
    if ratio is None:
        return "new" if current else "0%"
    percent = round(ratio * 100)
    return f"{'+' if percent > 0 else ''}{percent}%"


def label_every(count: int, target: int = TARGET_LABELS) -> int:
    """Label every nth bar so at most about `target` labels show (1 for short series)."""
    return max(1, math.ceil(count / target))


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _anchor(position: float, edge: float = 8) -> str:
    """Text anchor keeping a label inside the chart near its edges (position in %)."""
    if position < edge:
        return "start"
    if position > 100 - edge:
        return "end"
    return "middle"


def bar_chart(points: Sequence[Point], title: str, *, unit: str = "scans",
              previous_label: str = "previous period", height: int = HEIGHT) -> Markup:
    """An SVG bar chart of points: y axis with labelled ticks and grid lines, a label under
    every nth bar, ghost bars for the previous period when points carry one, and each bar's
    value on hover/focus."""
    values = [p.value for p in points] + [p.previous or 0 for p in points]
    scale_ticks = ticks(max(values, default=0))
    top = scale_ticks[-1]
    plot = height - TOP - BOTTOM
    with_previous = any(p.previous is not None for p in points)

    def y(value: float) -> float:
        return TOP + plot - plot * value / top

    # The y axis's labels get their own narrow SVG left of the plot (a CSS grid puts them
    # side by side), so no bar ever covers a label however narrow the screen.
    axis = [f'<svg class="y-axis" width="{AXIS_WIDTH}" height="{height}" aria-hidden="true" '
            'xmlns="http://www.w3.org/2000/svg">']
    parts = [f'<svg class="bars" width="100%" height="{height}" role="group" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for tick in scale_ticks:
        parts.append(f'<line class="grid{" axis" if tick == 0 else ""}" x1="0" x2="100%" '
                     f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        axis.append(f'<text class="tick" x="{AXIS_WIDTH - 6}" y="{y(tick) + 4.5:.1f}" '
                    f'text-anchor="end">{format_value(tick)}</text>')
    axis.append("</svg>")
    slot = 100 / max(len(points), 1)
    every = label_every(len(points))
    for index, point in enumerate(points):
        left = index * slot
        centre = left + slot / 2
        words = point.long_label or point.label
        described = f"{words}: {format_value(point.value)} {unit}"
        if point.previous is not None:
            described += f" ({format_value(point.previous)} in the {previous_label})"
        parts.append(f'<g class="bar" tabindex="0"><title>{escape(described)}</title>')
        if point.previous is not None:
            parts.append(f'<rect class="previous" x="{_pct(left + slot * 0.08)}" '
                         f'y="{y(point.previous):.1f}" width="{_pct(slot * 0.84)}" '
                         f'height="{y(0) - y(point.previous):.1f}"/>')
        # A transparent full-height hit area so thin or empty bars are easy to point at.
        parts.append(f'<rect class="hit" x="{_pct(left)}" y="{TOP}" width="{_pct(slot)}" '
                     f'height="{plot}"/>')
        inset = 0.22 if with_previous else 0.12
        parts.append(f'<rect class="value" x="{_pct(left + slot * inset)}" '
                     f'y="{y(point.value):.1f}" width="{_pct(slot * (1 - 2 * inset))}" '
                     f'height="{y(0) - y(point.value):.1f}"/>')
        # The value label sits in the band above the plot, where no later bar paints over it.
        tip = f"{point.label}: {format_value(point.value)}"
        if point.previous is not None:
            tip += f" (before: {format_value(point.previous)})"
        parts.append(f'<text class="tip" x="{_pct(centre)}" y="{TOP - 10}" '
                     f'text-anchor="{_anchor(centre, 25)}">{escape(tip)}</text></g>')
        if index % every == 0:
            anchor = "start" if index == 0 else _anchor(centre)
            x = _pct(left) if anchor == "start" else _pct(centre)
            # Every other label hides on narrow screens (CSS), so they never overlap.
            alternate = " alt" if (index // every) % 2 else ""
            parts.append(f'<text class="label{alternate}" x="{x}" y="{height - 8}" '
                         f'text-anchor="{anchor}">{escape(point.label)}</text>')
    parts.append("</svg>")
    html = f'<div class="plot">{"".join(axis)}\n{"".join(parts)}</div>'
    return Markup(html)  # noqa: S704 - every text part above is escaped
