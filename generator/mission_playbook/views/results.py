"""The site's account of actual results: figures as people read them, the scorecard, the
headline of the home page and the charts (docs/model.md, "Actuals").

The statuses themselves are computed by the check (``checks/status.py``) and the funnel by
``checks/funnel.py``; this module only arranges them for pages. Nothing here is shown without
check-ins: every query answers "nothing" when the playbook has no as-of date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from mission_playbook.checks.status import ORDER, Counts, NodeStatus, Status, Statuses
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.views import charts, diagrams


def figure(value: object) -> str:
    """A figure as people read it: 1,234, 44.5 or 33.33 (two decimals at most, exact ones
    as written); empty for none."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        value = Fraction(str(value))
    if not isinstance(value, Fraction):
        return str(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def needed(value: object) -> str:
    """A count that must be reached, rounded up: 1,234 for 1,233.2; empty for none."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | Fraction):
        return ""
    return f"{math.ceil(value):,}"


def percent(share: object) -> str:
    """A share as a percentage: 25%, or 32.9% when it is not whole; empty for none."""
    if share is None or isinstance(share, bool) or not isinstance(share, Fraction | int | float):
        return ""
    value = Fraction(str(share)) * 100 if isinstance(share, float) else Fraction(share) * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.1f}%"


def counted(counts: Counts) -> str:
    """Plans by status in words, the statuses that have any: "2 on track, 1 off track"."""
    parts = [f"{counts[s]:,} {s}" for s in ORDER if counts[s]]
    return ", ".join(parts) if parts else "none"


#: How the scorecard orders statuses: off track first, no data last.
WORST_FIRST = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.NO_DATA: 3}


def worst_first(statuses: list[NodeStatus]) -> list[NodeStatus]:
    """Off track first, then at risk, on track and no data; otherwise in the given order."""
    return sorted(statuses, key=lambda s: WORST_FIRST[s.status])


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One line of the scorecard: a success factor or function, and the plans behind it,
    worst first, counted by status."""

    status: NodeStatus
    plans: list[NodeStatus]
    counts: Counts

    @property
    def node(self) -> Node:
        return self.status.node

    @property
    def troubled(self) -> list[NodeStatus]:
        """The plans behind it that are off track or at risk, worst first."""
        return [p for p in self.plans if p.status in (Status.OFF_TRACK, Status.AT_RISK)]


def scorecard(statuses: Statuses, ladder: Ladder, kind: str) -> list[ScoreRow]:
    """The success factors (``kind``) or functions, off track first, each with its plans."""
    rows = []
    for node in ladder.of_kind(kind):
        status = statuses.of(node.id)
        if status is None:
            continue
        if kind == "function":
            plans = list(status.basis)
        else:
            below = (n for n in ladder.descendants(node) if n.kind == "plan")
            plans = [s for s in (statuses.of(p.id) for p in below) if s is not None]
        plans = worst_first(plans)
        rows.append(ScoreRow(status, plans, Counts.of(p.status for p in plans)))
    return sorted(rows, key=lambda r: WORST_FIRST[r.status.status])


def headline(statuses: Statuses, ladder: Ladder) -> tuple[int, int]:
    """(success factors on track, success factors): the home page's "N of M on track"."""
    factors = [statuses.of(n.id) for n in ladder.of_kind("success_factor")]
    judged = [s for s in factors if s is not None]
    return sum(1 for s in judged if s.status is Status.ON_TRACK), len(judged)


def chart(status: NodeStatus | None, unit: object = None) -> str:
    """The chart of a metric's actuals over time as a diagram block (HTML); empty without
    history (fewer than two actuals)."""
    if status is None or len(status.points) < 2:
        return ""
    source = charts.trend(status.points, unit)
    if not source:
        return ""
    return diagrams.pre(source) + CAPTION


#: Under each chart: its two series by shape, not by colour.
CAPTION = (
    '<p class="playbook-chart-caption"><small>Bars: each actual reported. Line: what the path '
    "to the target expected by then.</small></p>"
)
