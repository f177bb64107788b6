"""Charts of actual results over time: a small Mermaid XY chart per metric with history.

Each chart draws a metric's actuals (bars) against what was expected of each (a line: the
target of a period, pro rata while it was in progress, or the point on a level's path on the
actual's date), oldest first, the latest ``MAX_POINTS``. Like every diagram it is drawn by the
site's own Mermaid (``views/diagrams.py``) and nothing a user wrote reaches it unescaped:
the only text from a plan is the metric's unit on the y axis, reduced to plain characters;
the axis labels are periods and dates the check has parsed, the values exact numbers.

The chart sets its own colours from the theme's (``themeCSS``): Material draws Mermaid inside
a shadow root, which the site's style sheet cannot reach but its custom properties do, so the
text is the page's text colour and the bars and line are ``--playbook-chart-actual`` and
``--playbook-chart-expected`` of ``playbook.css``, set for each colour scheme. A caption under
the chart names the two series by their shape (``results.chart``), so the chart does not
depend on colour either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from mission_playbook.checks.status import Point

#: Points drawn at most: the latest ones (two years of months).
MAX_POINTS = 24

#: The chart's settings and colours. Mermaid always shrinks an XY chart to the column (it
#: ignores ``useMaxWidth``), so the chart is narrow enough that on a 390 px phone its 14 px
#: labels are still drawn at 11 px or more (``tests/browser/test_reader.py``).
#: (Mermaid front matter; the CSS has balanced braces and no quote, as Mermaid's sanitizer and
#: YAML want it.)
CONFIG = (
    "---\n"
    "config:\n"
    "  xyChart: {width: 420, height: 260, titleFontSize: 16}\n"
    "  themeCSS: >-\n"
    "    text{fill:var(--md-default-fg-color)!important}\n"
    "    .background{fill:none!important}\n"
    "    .left-axis path,.bottom-axis path{stroke:var(--md-default-fg-color--light)!important}\n"
    "    .bar-plot-0 rect,.markers rect{fill:var(--playbook-chart-actual)!important;"
    "stroke:none!important}\n"
    "    .line-plot-1 path,.markers path{stroke:var(--playbook-chart-expected)!important}\n"
    "---\n"
)

_PLAIN = re.compile(r"[^A-Za-z0-9 ,.\-_/()%+]")


def axis_text(text: object, limit: int = 40) -> str:
    """Text for a chart's axis or title: plain characters only (an XY chart has no escapes;
    anything else becomes a space), cut at ``limit``."""
    text = " ".join(_PLAIN.sub(" ", str(text)).split())
    return text[: limit - 1].rstrip() + "…" if len(text) > limit else text


def figure(value: Fraction) -> str:
    """A value for the chart's data: a whole number, or at most four decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def trend(points: Sequence[Point], unit: object = None) -> str:
    """The Mermaid source of a metric's chart (empty with fewer than two points)."""
    points = list(points)[-MAX_POINTS:]
    if len(points) < 2:
        return ""
    labels = ", ".join(f'"{p.period or p.as_of}"' for p in points)
    actual = ", ".join(figure(p.actual) for p in points)
    expected = ", ".join(figure(p.expected) for p in points)
    values = [v for p in points for v in (p.actual, p.expected)]
    low = min(Fraction(0), *values)
    high = max(values)
    top = high + (high - low) / 10 if high > low else low + 1
    y_title = axis_text(unit) if unit else "value"
    return (
        CONFIG
        + "xychart\n"
        + '  title "Actual against expected"\n'
        + f"  x-axis [{labels}]\n"
        + f'  y-axis "{y_title or "value"}" {figure(low)} --> {figure(_round_up(top))}\n'
        + f'  bar "Actual" [{actual}]\n'
        + f'  line "Expected" [{expected}]\n'
    )


def _round_up(value: Fraction) -> Fraction:
    """The axis's top, rounded up to a whole number when the values are large enough."""
    if abs(value) >= 10:
        return Fraction(-(-value.numerator // value.denominator))
    return value
