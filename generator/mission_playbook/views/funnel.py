"""The demand waterfall as a chart: each stage's need beside what the commitments yield.

Drawn in HTML and CSS (``waterfall.md.j2``, ``playbook.css``): the figures are text of the
page, in the theme's colours in either scheme. A funnel spans two orders of magnitude or
more (thousands of inquiries, tens of wins), so bar lengths follow a logarithmic scale from a
tenth of the smallest figure to the largest: every stage's bars stay visible and each figure
is written beside its bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mission_playbook.checks.waterfall import StageNeed

#: The longest bar, as a share (%) of the row: the rest is for its figure.
MAX_WIDTH = 70


@dataclass(frozen=True, slots=True)
class FunnelBar:
    """One stage: its bars' lengths (% of the chart's width) for the need and the yield."""

    need: StageNeed
    needed: float
    yielded: float | None


def bars(stages: list[StageNeed]) -> list[FunnelBar]:
    """The bars of every stage, on one logarithmic scale."""
    figures = [s.needed for s in stages] + [s.yielded for s in stages if s.yielded]
    positive = [f for f in figures if f and f > 0]
    if not positive:
        return []
    low = math.log10(min(positive) / 10)
    span = math.log10(max(positive)) - low

    def width(value: int | None) -> float:
        if not value or value <= 0:
            return 0.0
        return round(MAX_WIDTH * (math.log10(value) - low) / span, 1)

    return [
        FunnelBar(s, width(s.needed), None if s.yielded is None else width(s.yielded))
        for s in stages
    ]
