"""The synchronization matrix as a timeline: one lane per function, one bar per dated plan.

Drawn in HTML and CSS (``schedule.md.j2``, ``playbook.css``), not as a picture: its text is
the page's own (as large as the page's, in either colour scheme), every bar is a link to its
plan, and on a phone each plan's name sits above its bar. This module only places things:
each bar's start and length as a share of the horizon, milestones on it, the quarters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mission_playbook.checks import schedule
from mission_playbook.model.kinds import Plan
from mission_playbook.model.ladder import Node

#: Bars shown per function before "… and N more plans" (the function's page lists them all).
MAX_BARS = 40
#: Milestones shown per plan on its bar (its page lists them all).
MAX_MILESTONES = 5
ONE_DAY = dt.timedelta(days=1)
#: Above this many quarters the scale names only the first quarter of each year.
MAX_QUARTER_LABELS = 8


@dataclass(frozen=True, slots=True)
class Mark:
    """A milestone on a bar: where it falls, as a share (%) of the whole horizon."""

    title: str
    date: dt.date
    at: float


@dataclass(frozen=True, slots=True)
class Bar:
    """One plan: its dates, and its start and length as shares (%) of the horizon."""

    plan: Node
    start: dt.date
    end: dt.date
    left: float
    width: float
    marks: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class Lane:
    """A function's plans, each after the plans it depends on; ``more`` not drawn."""

    function: Node
    bars: tuple[Bar, ...]
    more: int


@dataclass(frozen=True, slots=True)
class Tick:
    """A quarter of the scale: its label (may be empty) and its start and length (%)."""

    label: str
    left: float
    width: float


@dataclass(frozen=True, slots=True)
class Timeline:
    start: dt.date
    end: dt.date
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]

    @property
    def quarter(self) -> float:
        """The width of one quarter (%), for the grid lines."""
        return round(100 / max(1, len(self.ticks)), 3)


def short_date(day: dt.date) -> str:
    """``3 Feb 2027``."""
    return f"{day.day} {day:%b %Y}"


def layout(
    functions: Sequence[Node],
    plans_of: Callable[[Node], list[Node]],
    first: dt.date,
    last: dt.date,
    max_bars: int = MAX_BARS,
) -> Timeline:
    """Lays out the dated plans of each function over whole quarters from ``first`` to
    ``last`` (a plan outside them is cut at the edge)."""
    quarters = schedule.quarters(first, last)
    start, end = quarters[0][1], quarters[-1][2]
    days = (end - start).days + 1

    def at(day: dt.date) -> float:  # where a day starts on the scale
        return round(100 * (min(max(day, start), end + ONE_DAY) - start).days / days, 3)

    ticks = []
    for label, q_start, q_end in quarters:
        shown = label if len(quarters) <= MAX_QUARTER_LABELS or label.endswith("Q1") else ""
        ticks.append(Tick(shown, at(q_start), round(at(q_end + ONE_DAY) - at(q_start), 3)))
    lanes = []
    for function in functions:
        dated = [p for p in plans_of(function) if (d := p.record(Plan)).start and d.end]
        ordered = schedule.topological(dated)
        bars = []
        for plan in ordered[:max_bars]:
            data = plan.record(Plan)
            s, e = data.start, data.end
            if s is None or e is None:  # not dated: left out above
                continue
            left = at(s)
            width = max(0.5, round(at(e + ONE_DAY) - left, 3))
            marks = tuple(
                Mark(ms.title, ms.date, at(ms.date))
                for ms in data.milestones[:MAX_MILESTONES]
                if ms.date is not None
            )
            bars.append(Bar(plan, s, e, left, width, marks))
        if bars:
            lanes.append(Lane(function, tuple(bars), len(ordered) - len(bars)))
    return Timeline(start, end, tuple(ticks), tuple(lanes))
