"""Assumptions, trip-wires and decisions (docs/model.md, "Assumptions and decisions").

An assumption of the mission's environment or of a function's mission analysis may be a node:
an id, a statement, a **trip-wire** (a plan metric or success factor, a line ``below`` or
``above`` it, counted from ``by``), the **decision** it calls for (who decides, by when, between
what options; once taken, when and what was chosen) and a **branch plan** prepared in advance
(a plan with ``branch_of``, named by the assumption's ``branch``).

Its state comes from the latest actual of the trip-wire's metric, never from the clock:

- **tripped**: the latest actual that counts is across the line (below ``below``, above
  ``above``; a value on the line holds); ``since`` is the first of the run of actuals across it;
- **holding**: the latest actual is on the right side of the line;
- **untested**: no actual counts yet (none at all, none since ``by``, no trip-wire).

A value of a rate (a metric with ``per``) for a period still running on the date it was reported
is compared with the line pro rata by the period's elapsed days, as statuses are (unless the
metric is ``measure: ratio``); a value counts from ``by`` when its period ends on or after it (a
level: when its date is on or after it).

A branch plan is **dormant** until its assumption trips, then **triggered**. A dormant branch
plan supports an estimate like any plan but is neither an orphan nor counted in coverage
(``checks/coverage.py`` reads ``Ladder.dormant``), nor an active plan of the synchronization
matrix.

Findings here: PB002 for a trip-wire without exactly one line, PB021 for a ``branch`` and a
``branch_of`` that disagree, PB017 (a warning) for an assumption node with no trip-wire, and for
a tripped one whose ``decide_by`` is before the as-of date with no decision recorded (its
branch plan still waiting). Unknown ids are PB004 and ids of the wrong kind PB005, with every
other reference (``checks/links.py``).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from mission_playbook.checks.checkins import Actuals, Reading, metric_spec
from mission_playbook.model import periods
from mission_playbook.model.diagnostics import Findings
from mission_playbook.model.kinds import Assumption, Plan
from mission_playbook.model.ladder import Ladder, Node


class State(enum.Enum):
    """An assumption's state, always shown in these words."""

    HOLDING = "holding"
    TRIPPED = "tripped"
    UNTESTED = "untested"

    def __str__(self) -> str:
        return self.value


#: The order of the decision support matrix and of summaries: tripped first.
ORDER = (State.TRIPPED, State.HOLDING, State.UNTESTED)


@dataclass(frozen=True, slots=True)
class AssumptionState:
    """One assumption node and what its trip-wire's metric says of it."""

    node: Node
    state: State
    reading: Reading | None = None  # the latest actual that counts
    line: Fraction | None = None  # the line that actual was compared with (pro rata, running)
    since: Reading | None = None  # tripped: the first of the latest run of actuals across it
    reason: str = ""  # untested: why, in words
    branch: Node | None = None  # the branch plan whose ``branch_of`` names this assumption

    @property
    def tripped(self) -> bool:
        return self.state is State.TRIPPED

    @property
    def where(self) -> Node | None:
        """Where it is assumed: the mission, or a function."""
        return self.node.owner

    @property
    def metric(self) -> str | None:
        """The id the trip-wire watches."""
        wire = self.node.record(Assumption).tripwire
        return str(wire.metric) if wire is not None else None

    @property
    def decided(self) -> bool:
        """Whether the decision it called for is recorded (``decision.decided``)."""
        decision = self.node.record(Assumption).decision
        return decision is not None and decision.decided is not None

    @property
    def due(self) -> bool:
        """Tripped, with a decision to take that is not recorded yet."""
        decision = self.node.record(Assumption).decision
        return self.tripped and decision is not None and not self.decided

    def overdue(self, as_of: dt.date | None) -> bool:
        """Due, and its ``decide_by`` is before ``as_of``."""
        decision = self.node.record(Assumption).decision
        decide_by = decision.decide_by if decision is not None and self.due else None
        return decide_by is not None and as_of is not None and decide_by < as_of


@dataclass
class Assumptions:
    """The state of every assumption node, by id, and the branch plans waiting on them."""

    as_of: dt.date | None = None
    by_id: dict[str, AssumptionState] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # branch plan id → assumption id

    def of(self, node_id: str) -> AssumptionState | None:
        return self.by_id.get(node_id)

    def matrix(self) -> list[AssumptionState]:
        """Every assumption node, tripped first, then holding, then untested (file order
        within each)."""
        return sorted(self.by_id.values(), key=lambda s: ORDER.index(s.state))

    def tripped(self) -> list[AssumptionState]:
        return [s for s in self.by_id.values() if s.tripped]

    def due(self) -> list[AssumptionState]:
        """Tripped assumptions whose decision is not recorded yet."""
        return [s for s in self.by_id.values() if s.due]

    def branch_of(self, plan_id: str) -> AssumptionState | None:
        """The assumption a branch plan waits on; None for any other plan."""
        assumption = self.branches.get(plan_id)
        return self.by_id.get(assumption) if assumption is not None else None

    def dormant(self) -> set[str]:
        """The branch plans whose assumption has not tripped."""
        return {p for p, a in self.branches.items() if not self.by_id[a].tripped}

    def counts(self) -> dict[State, int]:
        found = dict.fromkeys(ORDER, 0)
        for s in self.by_id.values():
            found[s.state] += 1
        return found

    def summary(self) -> str:
        """``assumptions 1 tripped, 4 holding, 1 untested`` (empty without assumption nodes)."""
        if not self.by_id:
            return ""
        counts = self.counts()
        return "assumptions " + ", ".join(f"{counts[s]} {s}" for s in ORDER)


# --- states ------------------------------------------------------------------------------------


def line_of(wire: Any) -> tuple[str, Fraction] | None:
    """The trip-wire's line: ("below" or "above", the number); None unless exactly one is given."""
    if (wire.below is None) == (wire.above is None):
        return None
    side = "below" if wire.below is not None else "above"
    return side, Fraction(str(getattr(wire, side)))


def crossed(side: str, value: Fraction, line: Fraction) -> bool:
    """Whether ``value`` is across the line (on it holds)."""
    return value < line if side == "below" else value > line


def counts_from(reading: Reading, by: dt.date | None) -> bool:
    """Whether an actual counts for a trip-wire that counts from ``by``."""
    if by is None:
        return True
    day = reading.period.end if reading.period is not None else reading.as_of
    return day >= by


def line_to_date(reading: Reading, line: Fraction, spec: Any) -> Fraction:
    """The line a value is compared with: pro rata for a rate's period still running on the
    date it was reported (a ratio is compared whole)."""
    if reading.period is None or getattr(spec, "measure", None) == "ratio":
        return line
    share = reading.period.elapsed(reading.as_of)
    return line if share is periods.WHOLE else line * share


def judge(ladder: Ladder, actuals: Actuals) -> Assumptions:
    """The state of every assumption node from the actuals (all untested without check-ins)."""
    out = Assumptions(actuals.as_of)
    for plan in ladder.of_kind("plan"):
        target = ladder.nodes.get(plan.record(Plan).branch_of or "")
        if target is not None and target.kind == "assumption":
            out.branches.setdefault(plan.id, target.id)
    waiting: dict[str, list[Node]] = {}
    for plan_id, assumption in out.branches.items():
        waiting.setdefault(assumption, []).append(ladder.nodes[plan_id])
    for node in ladder.of_kind("assumption"):
        plans = waiting.get(node.id, [])  # more than one: PB021 for all but the one it names
        named = node.record(Assumption).branch
        branch = next((p for p in plans if p.id == named), plans[0] if plans else None)
        out.by_id[node.id] = _state(node, ladder, actuals, branch)
    return out


def _state(node: Node, ladder: Ladder, actuals: Actuals, branch: Node | None) -> AssumptionState:
    wire = node.record(Assumption).tripwire
    if wire is None:
        return AssumptionState(node, State.UNTESTED, reason="no trip-wire", branch=branch)
    target = ladder.nodes.get(str(wire.metric))
    line = line_of(wire)
    if target is None or target.kind not in ("metric", "success_factor") or line is None:
        reason = "no line to compare with" if line is None else "no metric to watch"
        return AssumptionState(node, State.UNTESTED, reason=reason, branch=branch)
    side, value = line
    spec = metric_spec(target)
    readings = [r for r in actuals.readings.get(target.id, ()) if counts_from(r, wire.by)]
    if not readings:
        reason = f"no actual since {wire.by}" if wire.by is not None else "no actual yet"
        return AssumptionState(node, State.UNTESTED, reason=reason, branch=branch)
    latest = readings[-1]
    at = line_to_date(latest, value, spec)
    if not crossed(side, latest.value, at):
        return AssumptionState(node, State.HOLDING, latest, at, branch=branch)
    since = latest
    for reading in reversed(readings[:-1]):
        if not crossed(side, reading.value, line_to_date(reading, value, spec)):
            break
        since = reading
    return AssumptionState(node, State.TRIPPED, latest, at, since, branch=branch)


# --- findings ----------------------------------------------------------------------------------


def check(ladder: Ladder, findings: Findings) -> None:
    """PB002 for a trip-wire without exactly one line; PB021 for ``branch`` and ``branch_of``
    that disagree (each side where it is written)."""
    for node in ladder.of_kind("assumption"):
        wire = node.record(Assumption).tripwire
        if wire is not None and not _wire_set_aside(node) and line_of(wire) is None:
            if wire.below is None:
                findings.add(
                    "PB002",
                    f"the trip-wire of assumption '{node.id}' has no line: give it 'below' or "
                    "'above', the value of its metric that would show the assumption false",
                    node.loc("tripwire"),
                )
            else:
                findings.add(
                    "PB002",
                    f"the trip-wire of assumption '{node.id}' has two lines: keep 'below' or "
                    "'above', not both (two assumptions can watch the same metric)",
                    node.loc("tripwire", "above"),
                )
        _check_branch(ladder, node, findings)
    for plan in ladder.of_kind("plan"):
        _check_branch_of(ladder, plan, findings)


def _wire_set_aside(node: Node) -> bool:
    """Whether the trip-wire, or a field of it, was set aside as invalid (PB002 said so)."""
    at = (*node.path, "tripwire")
    return any(path[: len(at)] == at for path in node.doc.set_aside)


def _check_branch(ladder: Ladder, node: Node, findings: Findings) -> None:
    """PB021 at an assumption's ``branch`` naming a plan whose ``branch_of`` is not it."""
    ref = node.record(Assumption).branch
    plan = ladder.nodes.get(ref) if ref is not None else None
    if plan is None or not isinstance(plan.data, Plan) or plan.data.branch_of == node.id:
        return  # none, or an unknown id or another kind (PB004, PB005), or in agreement
    other = plan.data.branch_of
    findings.add(
        "PB021",
        f"assumption '{node.id}' names '{plan.id}' as its branch plan, but "
        + (
            f"plan '{plan.id}' is the branch plan of '{other}': make them agree"
            if other is not None
            else f"plan '{plan.id}' has no 'branch_of': add 'branch_of: {node.id}' to it"
        ),
        node.loc("branch"),
        related=[plan.loc("branch_of") if other is not None else plan.loc("id")],
    )


def _check_branch_of(ladder: Ladder, plan: Node, findings: Findings) -> None:
    """PB021 at a plan's ``branch_of`` naming an assumption whose ``branch`` is not it."""
    ref = plan.record(Plan).branch_of
    node = ladder.nodes.get(ref) if ref is not None else None
    if node is None or not isinstance(node.data, Assumption) or node.data.branch == plan.id:
        return
    other = node.data.branch
    findings.add(
        "PB021",
        f"plan '{plan.id}' is a branch plan of assumption '{node.id}', but "
        + (
            f"the assumption names '{other}' as its branch plan: make them agree"
            if other is not None
            else f"the assumption names no branch plan: add 'branch: {plan.id}' to it"
        ),
        plan.loc("branch_of"),
        related=[node.loc("branch") if other is not None else node.loc("id")],
    )


def check_decisions(assumptions: Assumptions, findings: Findings) -> None:
    """PB017: an assumption node with no trip-wire; a tripped one whose ``decide_by`` is before
    the as-of date and whose decision is not recorded."""
    as_of = assumptions.as_of
    for state in assumptions.by_id.values():
        node = state.node
        data = node.record(Assumption)
        if data.tripwire is None and not _wire_set_aside(node):
            findings.add(
                "PB017",
                f"assumption '{node.id}' has no trip-wire: give it a 'tripwire' (the metric or "
                "success factor that would show it false, and the line, 'below' or 'above'), "
                "or write it as text",
                node.loc("id"),
            )
        elif state.overdue(as_of) and state.reading is not None:
            decide_by = data.decision.decide_by if data.decision is not None else None
            waiting = f", with its branch plan '{state.branch.id}' waiting" if state.branch else ""
            findings.add(
                "PB017",
                f"assumption '{node.id}' tripped ({describe(state)}) and its decision was due "
                f"by {decide_by}{waiting}; as of {as_of} none is recorded: write the "
                "decision in 'decided' and 'choice', or revise the assumption",
                node.loc("decision", "decide_by"),
                related=[state.reading.location()],
            )


def describe(state: AssumptionState) -> str:
    """The latest actual against the line, in words: ``32.9 for 2027-03, below 40``."""
    reading, wire = state.reading, state.node.record(Assumption).tripwire
    if reading is None or wire is None or state.line is None:
        return state.reason or str(state.state)
    side = "below" if wire.below is not None else "above"
    when = f"for {reading.period}" if reading.period is not None else f"on {reading.as_of}"
    return f"{number(reading.value)} {when} against a line {side} {number(state.line)}"


def number(value: Fraction) -> str:
    """A figure as people write it: 1,234 or 32.9 (two decimals at most)."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")
