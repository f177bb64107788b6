"""Statuses: every metric, plan and success factor against its numbers (docs/model.md, "Actuals").

A metric with ``per`` is a **rate**: each period's actual is compared with ``target``; a period
that is still in progress on the date of its actual (the check-in's ``as_of``) is compared with
the target pro rata by its elapsed days, unless the metric is ``measure: ratio`` (a share, an
average or a snapshot, compared whole). A metric without ``per`` is a **level**: each actual is
compared with the straight path from ``baseline`` at the horizon's start to ``target`` at ``by``
(default: the horizon's end) on its date; ``measure: total`` is a running total that starts from
0 instead; a level without a baseline (or a playbook without a horizon) is compared with its
target itself. ``direction: decrease`` reverses the comparison; ``maintain`` is on track within
the tolerance of its target. A metric's status is that of its latest actual:

- **on track**: at or ahead of the value expected to date;
- **at risk**: behind, but at least ``at_risk`` (85 %) of the way there (for ``decrease``, the
  expected value is at least that share of the actual; for ``maintain``, off by at most the
  tolerance plus 1 − ``at_risk`` of the target);
- **off track**: further behind;
- **no data**: no actual yet (or no numeric target to compare with).

Roll-up: a plan is the worst of its outcome metrics (of all its metrics when it has none); a
success factor is its own metric's status when that has actuals, else the worst of the outcome
metrics that drive it; estimates, key tasks and functions count the plans beneath them by
status (and take the worst). "No data" never outweighs a status that has data.

PB015 (stale) and PB016 (off track) are reported here too.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from mission_playbook.checks.checkins import Actuals, Horizon, Reading, metric_spec
from mission_playbook.checks.metrics import metric_ladder
from mission_playbook.model import periods
from mission_playbook.model.diagnostics import Findings
from mission_playbook.model.kinds import Metric, Plan
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.model.periods import Period


class Status(enum.Enum):
    """A status, always shown in these words (never by colour alone)."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_DATA = "no data"

    @property
    def rank(self) -> int:
        """How bad: no data 0, on track 1, at risk 2, off track 3."""
        return _RANK[self]

    @property
    def slug(self) -> str:
        """The status as one word (``on-track``): the form of a check-in's ``confidence``."""
        return self.value.replace(" ", "-")

    def __str__(self) -> str:
        return self.value


_RANK = {Status.NO_DATA: 0, Status.ON_TRACK: 1, Status.AT_RISK: 2, Status.OFF_TRACK: 3}
#: In the order of a summary: best first, no data last.
ORDER = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA)


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of ``statuses``; no data only when none has data."""
    return max(statuses, key=lambda s: s.rank, default=Status.NO_DATA)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The plugin options ``at_risk`` and ``tolerance``, exactly."""

    at_risk: Fraction = Fraction(85, 100)
    tolerance: Fraction = Fraction(5, 100)

    @classmethod
    def of(cls, at_risk: float, tolerance: float) -> Thresholds:
        return cls(Fraction(str(at_risk)), Fraction(str(tolerance)))


def compare(actual: Fraction, expected: Fraction, direction: str, th: Thresholds) -> Status:
    """The status of ``actual`` against the value ``expected`` to date.

    Exact, in whole numbers: each fraction is numerator / denominator with a positive
    denominator, so ``a >= e`` is ``an * ed >= en * ad`` (Fraction's own operators check the
    types of their operands, a third of a check's time on actuals).
    """
    an, ad = actual.numerator, actual.denominator
    en, ed = expected.numerator, expected.denominator
    rn, rd = th.at_risk.numerator, th.at_risk.denominator
    if direction == "maintain":
        tn, td = th.tolerance.numerator, th.tolerance.denominator
        off = abs(an * ed - en * ad)  # |actual - expected| × ad × ed
        if off * td <= tn * abs(en) * ad:  # within tolerance × |expected|
            return Status.ON_TRACK
        close = off * td * rd <= (tn * rd + (rd - rn) * td) * abs(en) * ad
        return Status.AT_RISK if close else Status.OFF_TRACK
    if direction == "decrease":
        if an * ed <= en * ad:
            return Status.ON_TRACK
        close = en > 0 and en * rd * ad >= rn * an * ed  # expected >= at_risk × actual
        return Status.AT_RISK if close else Status.OFF_TRACK
    if an * ed >= en * ad:
        return Status.ON_TRACK
    close = en > 0 and an * rd * ed >= rn * en * ad  # actual >= at_risk × expected
    return Status.AT_RISK if close else Status.OFF_TRACK


@dataclass(frozen=True, slots=True)
class Point:
    """One actual compared with its path: one period of a rate, or one date of a level."""

    reading: Reading
    expected: Fraction  # what the path asks for on the actual's date (pro rata in progress)
    target: Fraction  # the whole period's target (rate), or the target at ``by`` (level)
    pro_rata: Fraction  # the share of the period elapsed on the actual's date (1: whole)
    status: Status
    direction: str = "increase"  # the metric's direction: increase, decrease or maintain

    @property
    def actual(self) -> Fraction:
        return self.reading.value

    @property
    def period(self) -> Period | None:
        return self.reading.period

    @property
    def as_of(self) -> dt.date:
        return self.reading.as_of

    @property
    def confidence(self) -> str | None:
        return self.reading.confidence

    @property
    def note(self) -> str | None:
        return self.reading.note

    @property
    def in_progress(self) -> bool:
        """Whether the period was still running when the actual was reported."""
        return self.pro_rata < 1

    @property
    def share(self) -> Fraction | None:
        """How far of the way there: actual ÷ expected (expected ÷ actual for ``decrease``);
        None unless both are above 0."""
        a, e = self.actual, self.expected
        if a <= 0 or e <= 0:
            return None
        return e / a if self.direction == "decrease" else a / e


@dataclass(frozen=True, slots=True)
class Counts:
    """How many nodes have each status."""

    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    no_data: int = 0

    @classmethod
    def of(cls, statuses: Iterable[Status]) -> Counts:
        found = dict.fromkeys(Status, 0)
        for status in statuses:
            found[status] += 1
        return cls(*(found[s] for s in ORDER))

    def __getitem__(self, status: Status) -> int:
        return int(getattr(self, status.name.lower()))

    @property
    def total(self) -> int:
        return self.on_track + self.at_risk + self.off_track + self.no_data

    def __str__(self) -> str:
        return ", ".join(f"{self[s]} {s}" for s in ORDER)


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """The status of one node and the figures behind it.

    A metric (plan metric, or a success factor's own metric) has ``points``: each of its
    actuals compared with its path, oldest first, the status being the latest one's. A plan has
    the statuses of the metrics it was judged on as ``basis``; a success factor without actuals of
    its own, those of the outcome metrics that drive it. Estimates, key tasks and functions have
    the statuses of the plans beneath them as ``basis`` and their ``plans`` counted by status.
    """

    node: Node
    status: Status
    points: tuple[Point, ...] = ()
    basis: tuple[NodeStatus, ...] = ()
    plans: Counts = field(default_factory=Counts)
    reason: str = ""  # why there is no data, in words

    @property
    def latest(self) -> Point | None:
        """The latest actual compared (of this node's own metric)."""
        return self.points[-1] if self.points else None

    @property
    def actual(self) -> Fraction | None:
        return self.latest.actual if self.latest else None

    @property
    def expected(self) -> Fraction | None:
        """What the path expects by the date of the latest actual."""
        return self.latest.expected if self.latest else None

    @property
    def target(self) -> Fraction | None:
        return self.latest.target if self.latest else None

    @property
    def period(self) -> Period | None:
        return self.latest.period if self.latest else None

    @property
    def confidence(self) -> str | None:
        """The owner's own call on the latest actual, shown beside the status."""
        return self.latest.confidence if self.latest else None

    @property
    def note(self) -> str | None:
        return self.latest.note if self.latest else None


@dataclass
class Statuses:
    """The status of every metric, plan, success factor, estimate, key task and function, by id;
    empty when the playbook has no check-in (``as_of`` None)."""

    as_of: dt.date | None = None
    by_id: dict[str, NodeStatus] = field(default_factory=dict)

    def of(self, node_id: str) -> NodeStatus | None:
        return self.by_id.get(node_id)

    def counts(self, kind: str) -> Counts:
        """How many nodes of ``kind`` have each status."""
        return Counts.of(s.status for s in self.by_id.values() if s.node.kind == kind)

    def summary(self) -> str:
        """``as of 2027-03-31: success factors 2 on track, ...; plans ...`` (empty without
        check-ins)."""
        if self.as_of is None:
            return ""
        factors, plans = self.counts("success_factor"), self.counts("plan")
        return f"as of {self.as_of}: success factors {factors}; plans {plans}"


# --- judging -----------------------------------------------------------------------------------


def number(value: Any) -> Fraction | None:
    """A target or baseline as an exact number; None when it is not one (text such as "TBD")."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None


def judge(
    ladder: Ladder,
    actuals: Actuals,
    horizon: Horizon,
    th: Thresholds,
    kept: dict[str, Any] | None = None,
) -> Statuses:
    """The status of every node (nothing when there is no check-in). ``kept``: under
    ``mkdocs serve``, the points of the last load of this process, reused for a metric whose
    readings are the same objects (``checkins.collect`` reused them) and whose metric is
    equal."""
    out = Statuses(actuals.as_of)
    if actuals.as_of is None:
        return out
    by_id = out.by_id
    last: dict[str, _Judged] = kept.get("points", {}) if kept is not None else {}
    now: dict[str, _Judged] = {}
    for node in ladder.nodes.values():
        if node.kind in ("metric", "success_factor"):
            readings = actuals.readings.get(node.id, ())
            spec = metric_spec(node)
            judged = last.get(node.id)
            if judged is not None and judged.same(spec, readings, horizon, th):
                by_id[node.id] = NodeStatus(node, judged.points[-1].status, judged.points)
                now[node.id] = judged
                continue
            by_id[node.id] = own = judge_metric(node, readings, horizon, th)
            if kept is not None and own.points:
                now[node.id] = _Judged(spec, readings, horizon, th, own.points)
    if kept is not None:
        kept["points"] = now
    drivers = metric_ladder(ladder)
    plans_of: dict[str, list[NodeStatus]] = {}
    for node in ladder.of_kind("plan"):
        plan = by_id[node.id] = _plan(node, ladder, by_id)
        plans_of.setdefault(node.record(Plan).function, []).append(plan)
    for node in ladder.of_kind("success_factor"):
        own = by_id[node.id]
        if not own.points:
            driving = drivers.get(node.id, ())
            outcomes = [
                by_id[d.metric.id] for d in driving if d.metric.record(Metric).type == "outcome"
            ]
            status = worst(s.status for s in outcomes)
            reason = own.reason if status is Status.NO_DATA else ""
            by_id[node.id] = NodeStatus(node, status, (), tuple(outcomes), reason=reason)
    for node in ladder.of_kind("estimate"):
        by_id[node.id] = _count(node, [by_id[p.id] for p in ladder.down(node) if p.kind == "plan"])
    for node in ladder.of_kind("key_task"):
        below = [by_id[p.id] for p in ladder.descendants(node) if p.kind == "plan"]
        by_id[node.id] = _count(node, below)
    for node in ladder.of_kind("function"):
        by_id[node.id] = _count(node, plans_of.get(node.id, []))
    return out


@dataclass(frozen=True)
class _Judged:
    """A metric's points, and what they were judged from."""

    spec: Any
    readings: Any  # the list of readings (the same object while reused)
    horizon: Horizon
    th: Thresholds
    points: tuple[Point, ...]

    def same(self, spec: Any, readings: Any, horizon: Horizon, th: Thresholds) -> bool:
        return (
            readings is self.readings
            and horizon == self.horizon
            and th == self.th
            and (spec is self.spec or spec == self.spec)
        )


def judge_metric(
    node: Node, readings: Iterable[Reading], horizon: Horizon, th: Thresholds
) -> NodeStatus:
    """A plan metric's or a success factor's own status, from its actuals."""
    spec = metric_spec(node)
    readings = list(readings)
    if spec is None:
        return NodeStatus(node, Status.NO_DATA, reason="no metric")
    if not readings:
        return NodeStatus(node, Status.NO_DATA, reason="no actual yet")
    target = number(spec.target)
    if target is None:
        return NodeStatus(node, Status.NO_DATA, reason="no numeric target to compare with")
    direction = spec.direction or "increase"
    points = []
    for reading in readings:
        if reading.period is not None:  # a rate
            whole = spec.measure == "ratio"
            share = periods.WHOLE if whole else reading.period.elapsed(reading.as_of)
            expected = target if share is periods.WHOLE else target * share
        else:
            share, expected = periods.WHOLE, _path(spec, target, reading.as_of, horizon)
        status = compare(reading.value, expected, direction, th)
        points.append(Point(reading, expected, target, share, status, direction))
    return NodeStatus(node, points[-1].status, tuple(points))


def _path(spec: Any, target: Fraction, day: dt.date, horizon: Horizon) -> Fraction:
    """A level's expected value on ``day``: on the straight path from its baseline at the
    horizon's start (0 for ``measure: total``) to its target at ``by``."""
    if spec.direction == "maintain":
        return target
    base = Fraction(0) if spec.measure == "total" else number(spec.baseline)
    start, end = horizon[0], spec.by or horizon[1]
    if base is None or start is None or end is None:
        return target
    span = (end - start).days
    if span <= 0 or day >= end:
        return target
    if day <= start:
        return base
    return base + (target - base) * Fraction((day - start).days, span)


def _plan(node: Node, ladder: Ladder, by_id: dict[str, NodeStatus]) -> NodeStatus:
    mine = [
        by_id[m.id]
        for m in node.record(Plan).metrics
        if m.id in by_id and ladder.nodes[m.id].owner is node  # not another node's duplicate id
    ]
    outcomes = [s for s in mine if s.node.record(Metric).type == "outcome"] or mine
    status = worst(s.status for s in outcomes)
    return NodeStatus(node, status, (), tuple(outcomes), reason="" if outcomes else "no metrics")


def _count(node: Node, plans: list[NodeStatus]) -> NodeStatus:
    statuses = [p.status for p in plans]
    return NodeStatus(node, worst(statuses), (), tuple(plans), Counts.of(statuses))


# --- findings ----------------------------------------------------------------------------------


def check_measures(ladder: Ladder, findings: Findings) -> None:
    """PB002 for a ``measure`` that does not fit: ``total`` is for a level (no ``per``),
    ``ratio`` for a rate (with ``per``)."""
    for node in ladder.nodes.values():
        if node.kind not in ("metric", "success_factor"):
            continue
        spec = metric_spec(node)
        measure = getattr(spec, "measure", None)
        if measure is None or (measure == "total") == (spec.per is None):
            continue
        where = ("measure",) if node.kind == "metric" else ("metric", "measure")
        findings.add(
            "PB002",
            f"'{node.id}' is measured as a {measure} but "
            + (
                f"has 'per: {spec.per}': a running total is a level (leave out 'per')"
                if measure == "total"
                else "has no 'per': a ratio is compared period by period (give it a 'per')"
            ),
            node.loc(*where),
        )


def check_stale(ladder: Ladder, actuals: Actuals, horizon: Horizon, findings: Findings) -> None:
    """PB015: a metric with ``per`` has no actual for its last complete period before the
    as-of date, once it has any actual or its plan has started (and not ended before it)."""
    as_of = actuals.as_of
    if as_of is None:
        return
    last: dict[str, Period | None] = {
        per: _last_in_horizon(per, as_of, horizon) for per in periods.MONTHS
    }
    for node in ladder.nodes.values():
        if node.kind not in ("metric", "success_factor"):
            continue
        spec = metric_spec(node)
        per = getattr(spec, "per", None)
        period = last[per] if per is not None else None
        if period is None:
            continue
        readings = actuals.readings.get(node.id, ())
        if any(r.period == period for r in readings):
            continue
        plan = node.owner.record(Plan) if node.kind == "metric" and node.owner is not None else None
        started = plan is not None and plan.start is not None and plan.start <= period.end
        ended = plan is not None and plan.end is not None and plan.end < period.start
        if ended or not (readings or started):
            continue
        where = ("per",) if node.kind == "metric" else ("metric", "per")
        findings.add(
            "PB015",
            # no as-of date in the message: the same gap is the same finding from one check-in
            # to the next (the plan diff compares findings by message); the summary has it
            f"'{node.id}' is reported per {per} but has no actual for {period}, its last "
            f"complete {per}: add it to a check-in",
            node.loc(*where),
        )


def _last_in_horizon(per: str, as_of: dt.date, horizon: Horizon) -> Period | None:
    """The last complete period of length ``per`` as of ``as_of`` that overlaps the horizon."""
    period = periods.last_complete(per, as_of)
    start, end = horizon
    if period is not None and end is not None and period.start > end:
        period = periods.containing(end, per)
        period = period if period.end <= as_of else period.previous()
    if period is None or not period.overlaps(start, end):
        return None
    return period


def check_off_track(statuses: Statuses, findings: Findings) -> None:
    """PB016 (off by default): a metric or success factor whose own latest actual is off track."""
    for status in statuses.by_id.values():
        latest = status.latest
        if status.status is not Status.OFF_TRACK or latest is None:
            continue
        node = status.node
        when = f"for {latest.period}" if latest.period else f"on {latest.as_of}"
        target = ("target",) if node.kind == "metric" else ("metric", "target")
        findings.add(
            "PB016",
            f"'{node.id}' is off track: {_num(latest.actual)} {when} against "
            f"{_num(latest.expected)} expected",
            latest.reading.location(),
            related=[node.loc(*target)],
        )


def _num(value: Fraction) -> str:
    """A figure as people write it: 1,234 or 12.5 (two decimals at most)."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")
