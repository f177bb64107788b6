"""What the site shows of assumptions: the decision support matrix (one row per assumption
node, tripped first), the commander's critical information list (the metrics trip-wires
watch) and the notices of the nodes that rest on a tripped assumption.

The states come from ``checks/assumptions.py``; these are its rows as pages (and the print
page) read them, plain values and nodes, in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mission_playbook.checks.assumptions import AssumptionState, describe, line_of, number
from mission_playbook.checks.checkins import Reading, metric_spec
from mission_playbook.model.kinds import Assumption
from mission_playbook.model.ladder import Node
from mission_playbook.model.people import Someone, resolve
from mission_playbook.playbook import Playbook
from mission_playbook.views import textsafe


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One assumption node as the decision support matrix shows it."""

    assumption: Node
    state: str  # holding, tripped or untested
    where: Node | None  # where it is assumed: the mission or a function
    watched: Node | None  # the metric or success factor its trip-wire watches
    tripwire: str  # "below 40 percent", "above 2 business days, from 2027-06-30"; "" without
    latest: str  # its metric's latest actual that counts, with its unit; "" without
    latest_on: str  # that actual's period or date: "2027-03", "2027-03-31"
    since: str  # tripped: the date of the first actual of the run across the line
    reason: str  # untested: why ("no actual yet")
    decider: Someone | None
    decide_by: dt.date | None
    options: list[str] = field(default_factory=list)
    decided: dt.date | None = None
    choice: str | None = None
    branch: Node | None = None  # its branch plan
    due: bool = False  # tripped, no decision recorded
    overdue: bool = False  # due, and decide_by is before the as-of date

    @property
    def tripped(self) -> bool:
        return self.state == "tripped"

    @property
    def branch_state(self) -> str:
        """``triggered`` or ``dormant`` for an assumption with a branch plan; else ""."""
        if self.branch is None:
            return ""
        return "triggered" if self.tripped else "dormant"

    @property
    def summary(self) -> str:
        """The latest actual against the line, in words (or why it is untested)."""
        return self.reason if not self.latest else f"{self.latest} ({self.latest_on})"


@dataclass(frozen=True, slots=True)
class WatchedMetric:
    """One metric or success factor of the commander's critical information list."""

    metric: Node
    assumptions: list[DecisionRow]  # the assumptions whose trip-wires watch it
    latest: str  # its latest actual with its unit; "" without
    latest_on: str
    status: str  # its status against its own path: on track, at risk, off track, no data

    @property
    def tripped(self) -> bool:
        return any(row.tripped for row in self.assumptions)


def _unit(node: Node | None) -> str:
    spec = metric_spec(node) if node is not None else None
    unit = getattr(spec, "unit", None)
    return f" {textsafe.plain(str(unit))}" if unit else ""


def _when(reading: Reading | None) -> str:
    if reading is None:
        return ""
    return str(reading.period) if reading.period is not None else reading.as_of.isoformat()


def row(playbook: Playbook, state: AssumptionState) -> DecisionRow:
    """The matrix row of one assumption."""
    node, data = state.node, state.node.record(Assumption)
    wire = data.tripwire
    watched = playbook.nodes.get(str(wire.metric)) if wire is not None else None
    if watched is not None and watched.kind not in ("metric", "success_factor"):
        watched = None
    line = line_of(wire) if wire is not None else None
    tripwire = ""
    if wire is not None and line is not None:
        side, value = line
        tripwire = f"{side} {number(value)}{_unit(watched)}"
        if wire.by is not None:
            tripwire += f", from {wire.by}"
    reading = state.reading
    latest = f"{number(reading.value)}{_unit(watched)}" if reading is not None else ""
    decision = data.decision
    return DecisionRow(
        assumption=node,
        state=str(state.state),
        where=state.where,
        watched=watched,
        tripwire=tripwire,
        latest=latest,
        latest_on=_when(reading),
        since=state.since.as_of.isoformat() if state.since is not None else "",
        reason=state.reason if reading is None else describe(state),
        decider=resolve(decision.decider, playbook.ladder) if decision is not None else None,
        decide_by=decision.decide_by if decision is not None else None,
        options=[str(o) for o in decision.options] if decision is not None else [],
        decided=decision.decided if decision is not None else None,
        choice=str(decision.choice) if decision is not None and decision.choice else None,
        branch=state.branch,
        due=state.due,
        overdue=state.overdue(playbook.as_of),
    )


def matrix(playbook: Playbook) -> list[DecisionRow]:
    """Every assumption node, tripped first, then holding, then untested."""
    return [row(playbook, s) for s in playbook.assumptions.matrix()]


def critical_information(rows: list[DecisionRow], playbook: Playbook) -> list[WatchedMetric]:
    """The metrics and success factors the trip-wires watch, those of tripped assumptions
    first, each once, with its latest actual and status."""
    watched: dict[str, list[DecisionRow]] = {}
    for r in rows:
        if r.watched is not None:
            watched.setdefault(r.watched.id, []).append(r)
    out = []
    for metric_id, by in watched.items():
        metric = by[0].watched
        assert metric is not None
        status = playbook.status(metric_id)
        point = status.latest if status is not None else None
        latest = f"{number(point.actual)}{_unit(metric)}" if point is not None else ""
        when = ""
        if point is not None:
            when = str(point.period) if point.period is not None else point.as_of.isoformat()
        shown = str(status.status) if status is not None else "no data"
        out.append(WatchedMetric(metric, by, latest, when, shown))
    out.sort(key=lambda w: not w.tripped)
    return out


def resting_on(playbook: Playbook, node: Node) -> list[AssumptionState]:
    """The tripped assumptions a node rests on: a function's own, and its plans' (a branch
    plan's own assumption included)."""
    judged = playbook.assumptions
    function = node.id if node.kind == "function" else node.function
    found = [
        s
        for s in judged.tripped()
        if s.where is not None and s.where.kind == "function" and s.where.id == function
    ]
    if node.kind == "plan":
        own = judged.branch_of(node.id)
        if own is not None and own.tripped and own not in found:
            found.append(own)
    return found
