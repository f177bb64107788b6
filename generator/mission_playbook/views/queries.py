"""What templates ask of the playbook: the object they reach as ``pb``.

These queries are the API a playbook's own templates rely on; the README lists each one
("Changing how pages look") and a test keeps that list and this class the same. Every query
reads the model; none changes it. The indexes they share are built once per build.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, ClassVar

from mission_playbook.checks import coverage, metrics, schedule, waterfall
from mission_playbook.checks.checkins import metric_spec
from mission_playbook.checks.funnel import Funnel
from mission_playbook.checks.status import NodeStatus
from mission_playbook.checks.waterfall import Lever, StageNeed, Waterfall
from mission_playbook.export.tables import Table, Tables
from mission_playbook.model import kinds as k
from mission_playbook.model.ladder import Node
from mission_playbook.model.people import Someone, resolve
from mission_playbook.playbook import Playbook
from mission_playbook.views import decisions as decision_rows
from mission_playbook.views import (
    fragments,
    funnel,
    readiness,
    results,
    textsafe,
    timeline,
    trace,
)
from mission_playbook.views import order as orders
from mission_playbook.views.decisions import DecisionRow, WatchedMetric
from mission_playbook.views.funnel import FunnelBar
from mission_playbook.views.timeline import Timeline
from mission_playbook.views.trace import Trace

#: Rows of a list or table before the rest are summarised as "… and N more".
MAX_LIST = 30

Matrix = tuple[list[Node], list[Node], dict[tuple[str, str], list[Node]]]
QuarterTable = tuple[list[str], list[tuple[Node, list[list[Node]]]]]


class Queries:
    """The playbook as templates see it (``pb``); one instance per build."""

    #: Rows a list or table shows before "… and N more" (pages stay small at any scale).
    max_list = MAX_LIST

    def __init__(self, playbook: Playbook, shares: bool = True) -> None:
        self.playbook = playbook
        self.ladder = playbook.ladder
        self._dependents: dict[str, list[Node]] = defaultdict(list)
        self._plans_by_function: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            self._plans_by_function[str(plan.function)].append(plan)
            for dep in dict.fromkeys(plan.record(k.Plan).depends_on):
                target = self.ladder.nodes.get(dep)
                if target is not None and target.kind == "plan":
                    self._dependents[dep].append(plan)
        self._estimates_by_function: dict[str, list[Node]] = defaultdict(list)
        for estimate in self.ladder.of_kind("estimate"):
            if estimate.owner is not None:
                self._estimates_by_function[estimate.owner.id].append(estimate)
        self._metric_ladder = metrics.metric_ladder(self.ladder)
        self._tables: Tables | None = None
        self._quarters: QuarterTable | None = None
        #: whether values made for one page are kept for the next (the tables, the quarter
        #: table); off under ``mkdocs serve``, where each page's reads are recorded
        #: (``plugin/reads.py``) and a value kept from another page would hide some
        self._shares = shares
        self._unmarked = fragments.InlineHtml()  # plan text in HTML, no glossary term marked

    # --- the ladder ----------------------------------------------------------------------

    def person(self, value: object) -> Someone | None:
        """An owner, leader or commander as a person: ``name``, ``role``, ``handle``..."""
        return resolve(value, self.ladder)

    def up(self, node: Node) -> list[Node]:
        """The nodes this node supports, one rung up."""
        return self.ladder.up(node)

    def down(self, node: Node) -> list[Node]:
        """The nodes that support this node, one rung down."""
        return self.ladder.down(node)

    def of_kind(self, kind: str) -> list[Node]:
        """Every node of a kind, in file order."""
        return list(self.ladder.of_kind(kind))

    def node(self, node_id: str) -> Node | None:
        """The node with this id, or None."""
        return self.ladder.nodes.get(node_id)

    def estimates_of(self, function: Node) -> list[Node]:
        """A function's estimates."""
        return self._estimates_by_function.get(function.id, [])

    def plans_of(self, function: Node) -> list[Node]:
        """A function's supporting plans."""
        return self._plans_by_function.get(function.id, [])

    def plans_under(self, node: Node) -> list[Node]:
        """Every plan below a node on the ladder."""
        return [n for n in self.ladder.descendants(node) if n.kind == "plan"]

    def dependents_of(self, plan: Node) -> list[Node]:
        """The plans that depend on this plan (``depends_on``)."""
        return self._dependents.get(plan.id, [])

    #: The headings of the coverage page: what nothing below serves, what serves nothing
    #: above (``checks/coverage.py``), in the readers' words.
    UNCOVERED: ClassVar[dict[str, str]] = {
        "success_factor": "Success factors no key task serves",
        "key_task": "Key tasks no estimate answers",
        "estimate": "Estimates no supporting plan carries out",
    }
    UNLINKED: ClassVar[dict[str, str]] = {
        "key_task": "Key tasks that serve no success factor",
        "estimate": "Estimates that answer no key task",
        "plan": "Supporting plans that support no estimate",
    }

    def uncovered(self) -> dict[str, list[Node]]:
        """Success factors, key tasks and estimates that nothing below serves, then key tasks,
        estimates and plans that serve nothing above (``checks/coverage.py``), by heading."""
        out: dict[str, list[Node]] = {}
        gaps = coverage.uncovered(self.ladder)
        for kind in coverage.UNCOVERED_KINDS:
            out[self.UNCOVERED[kind]] = [n for n in gaps if n.kind == kind]
        orphans = coverage.orphans(self.ladder)
        for kind in coverage.ORPHAN_KINDS:
            out[self.UNLINKED[kind]] = [n for n in orphans if n.kind == kind]
        return out

    def paths_up(self, node: Node) -> Trace:
        """Why a node exists: every path up to a success factor, grouped by factor
        (``Trace``: ``reasons``, each a ``factor`` and its ``paths``; ``more`` not listed)."""
        return trace.paths_up(self.ladder, node)

    def plans_serving(self, node: Node) -> list[tuple[Node | None, list[Node]]]:
        """The plans below a node, by function (in the functions' order)."""
        by = self.by_function(self.plans_under(node))
        functions = [f for f in self.of_kind("function") if f.id in by]
        known = {f.id for f in functions}
        return [(f, by[f.id]) for f in functions] + [
            (None, plans) for fid, plans in by.items() if fid not in known
        ]

    def findings(self) -> list[Any]:
        """The check's errors, then its warnings (the health of the playbook)."""
        order = {"error": 0, "warning": 1}
        found = [d for d in self.playbook.diagnostics if d.severity.value in order]
        return sorted(found, key=lambda d: order[d.severity.value])

    def readiness(self) -> list[readiness.Prerequisite]:
        """The five prerequisites of alignment, each judged from the playbook."""
        return readiness.assess(self.ladder)

    # --- metrics -------------------------------------------------------------------------

    def drivers(self, factor: Node) -> list[metrics.Driver]:
        """The metrics that drive a success factor, as a tree in reading order: each metric
        right after the one it drives (``Driver``: ``metric``, ``depth``, 1 when it drives the
        factor directly, ``parent``, what it drives)."""
        return self._metric_ladder.get(factor.id, [])

    def drivers_by_function(self, factor: Node) -> list[tuple[Node | None, dict[str, int]]]:
        """Per function: how many outcome, leading and activity metrics drive a factor."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for d in self.drivers(factor):
            counts[str(d.metric.function)][d.metric.record(k.Metric).type] += 1
        return [(self.node(f), dict(c)) for f, c in sorted(counts.items())]

    def metrics_without_factor(self) -> list[Node]:
        """Metrics that reach no success factor."""
        reached = {d.metric.id for drivers in self._metric_ladder.values() for d in drivers}
        return [m for m in self.ladder.of_kind("metric") if m.id not in reached]

    # --- the traceability matrix and the lifecycle -----------------------------------------

    def matrix(self) -> Matrix:
        """Key tasks × functions: (key tasks, functions, {(task id, function id): plans})."""
        tasks = self.of_kind("key_task")
        functions = self.of_kind("function")
        cells: dict[tuple[str, str], list[Node]] = defaultdict(list)
        for task in tasks:
            for estimate in self.down(task):
                for plan in self.down(estimate):
                    cells[(task.id, str(plan.function))].append(plan)
        return tasks, functions, cells

    @staticmethod
    def lifecycle_name(stage_id: str) -> str:
        """A customer lifecycle stage in words: ``on-the-radar`` → ``On the radar``."""
        words = stage_id.replace("-", " ")
        return words[:1].upper() + words[1:]

    def lifecycle(self) -> list[str]:
        """The mission's customer lifecycle stages, in order."""
        mission = self.playbook.mission
        return list(mission.record(k.Mission).lifecycle) if mission is not None else []

    def by_function(self, plans: Iterable[Node]) -> dict[str, list[Node]]:
        """Plans grouped by their function's id."""
        out: dict[str, list[Node]] = defaultdict(list)
        for plan in plans:
            out[str(plan.function)].append(plan)
        return out

    def lifecycle_matrix(self) -> dict[str, dict[str, list[Node]]]:
        """Lifecycle stage → function → the plans acting at that stage."""
        rows: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            rows[plan.record(k.Plan).lifecycle_stage or ""].append(plan)
        stages = [*self.lifecycle(), ""]
        return {s: self.by_function(rows.get(s, [])) for s in stages if s or rows.get(s)}

    def customer_matrix(self) -> list[tuple[Node, dict[str, list[Node]]]]:
        """Top customers (by market, then rank) → function → plans acting on the account."""
        acting: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            for customer in dict.fromkeys(plan.record(k.Plan).customers):
                acting[customer].append(plan)
        markets = {m.id: i for i, m in enumerate(self.ladder.of_kind("market"))}
        customers = sorted(
            self.ladder.of_kind("customer"),
            key=_customer_order(markets),
        )
        return [(c, self.by_function(acting.get(c.id, []))) for c in customers]

    # --- the schedule --------------------------------------------------------------------

    def horizon(self, dated: list[Node]) -> tuple[dt.date, dt.date]:
        """The mission's horizon, or the span of the dated plans where it says nothing."""
        mission = self.playbook.mission
        horizon = mission.record(k.Mission).horizon if mission is not None else None
        spans = [_dates(p) for p in dated]
        first = (horizon.start if horizon and horizon.start else None) or min(s for s, _ in spans)
        last = (horizon.end if horizon and horizon.end else None) or max(e for _, e in spans)
        return first, last

    def timeline(self, functions: list[Node] | None = None) -> Timeline | None:
        """The synchronization matrix (``views/timeline.py``): a lane per function (of
        ``functions``, else of every one), a bar per dated plan placed on the horizon (the
        mission's, else the span of those functions' dated plans; dormant branch plans are not
        active); None when none of their plans is dated. A function's operation order reads
        its own plans only, so an edit to another function's plan leaves that page as it is."""
        dormant = self.ladder.dormant
        lanes = self.of_kind("function") if functions is None else functions
        plans = self.plans() if functions is None else [p for f in lanes for p in self.plans_of(f)]
        dated = [p for p in plans if _dated(p)]
        if not dated:
            return None
        first, last = self.horizon(dated)

        def active(function: Node) -> list[Node]:
            return [p for p in self.plans_of(function) if p.id not in dormant]

        return timeline.layout(lanes, active, first, last)

    def plans(self) -> list[Node]:
        """Every supporting plan, in file order."""
        return list(self.ladder.of_kind("plan"))

    def quarter_table(self, functions: list[Node] | None = None) -> QuarterTable:
        """Functions (of ``functions``, else every one) × quarters of the horizon: (quarter
        labels, [(function, the plans active in each quarter)]); dormant branch plans are not
        active."""
        if functions is not None or not self._shares:
            return self._make_quarter_table(functions)
        if self._quarters is None:
            self._quarters = self._make_quarter_table(None)
        return self._quarters

    def _make_quarter_table(self, functions: list[Node] | None) -> QuarterTable:
        dormant = self.ladder.dormant
        rows_of = self.of_kind("function") if functions is None else functions
        plans = (
            self.plans() if functions is None else [p for f in rows_of for p in self.plans_of(f)]
        )
        dated = [p for p in plans if _dated(p) and p.id not in dormant]
        if not dated:
            return [], []
        spans = schedule.quarters(*self.horizon(dated))
        rows = []
        for function in rows_of:
            cells = [
                [
                    p
                    for p in self.plans_of(function)
                    if p.id not in dormant and _overlaps(p, q_start, q_end)
                ]
                for _, q_start, q_end in spans
            ]
            rows.append((function, cells))
        return [label for label, _, _ in spans], rows

    def unscheduled(self) -> list[Node]:
        """Plans without both a start and an end."""
        return [p for p in self.ladder.of_kind("plan") if not _dated(p)]

    def cycles(self) -> list[list[Node]]:
        """The cycles of ``depends_on`` (PB008), each as its plans."""
        return [[self.ladder.nodes[i] for i in cycle] for cycle in self.playbook.cycles]

    # --- the demand waterfall ------------------------------------------------------------

    def waterfall(self) -> Waterfall | None:
        """The first SLA's demand waterfall (stages, needs, commitments), or None."""
        return self.playbook.waterfalls[0] if self.playbook.waterfalls else None

    def funnel(self) -> list[FunnelBar]:
        """The funnel chart's bars (``views/funnel.py``): each stage's need and yield."""
        w = self.waterfall()
        return funnel.bars(w.stages) if w is not None else []

    def levers(self) -> list[Lever]:
        """Each conversion as a lever (``checks/waterfall.py``): one point more, and the
        conversion that would close the shortfall of the commitments."""
        w = self.waterfall()
        return waterfall.levers(w) if w is not None else []

    def stage_name(self, stage_id: str) -> str:
        """A waterfall stage by its name (its id when it has none)."""
        stage = self.ladder.nodes.get(stage_id)
        if stage is None or stage.kind != "stage":
            return stage_id
        return stage.record(k.Stage).name or stage_id

    def revenue_of(self, need: StageNeed) -> int:
        """The revenue of the deals a last stage yields, as shown (whole deals)."""
        w = self.waterfall()
        if w is None or need.yielded is None:
            return 0
        return int(need.yielded * waterfall.exact(w.sla.record(k.Sla).average_deal))

    def owners(self) -> dict[str, list[Node]]:
        """Function id → the waterfall stages it owns."""
        w = self.waterfall()
        out: dict[str, list[Node]] = defaultdict(list)
        for need in w.stages if w else []:
            out[need.stage.record(k.Stage).owner].append(need.stage)
        return out

    # --- the operation order and the tables off the site -----------------------------------

    def order(self, function: Node | None = None) -> orders.Order:
        """The operation order of the whole playbook, or of one function (``views/order.py``):
        ``functions``, ``estimates`` and ``plans`` by function id, ``shows(node)``,
        ``owners()``, ``budgets()``."""
        return orders.order(self.playbook, function, self._plans_by_function)

    def table(self, name: str) -> Table:
        """One of the tables of the workbook and the CSV export (``export/tables.py``) by
        name (``"budgets"``, ``"waterfall"``, ``"commitments"``...): ``title``, ``columns``
        (``heading``, ``kind``), ``rows`` of plain values."""
        if not self._shares:
            return Tables(self.playbook).get(name)
        if self._tables is None:
            self._tables = Tables(self.playbook)
        return self._tables.get(name)

    # --- words and numbers as readers read them -------------------------------------------

    @staticmethod
    def percent(value: object, up: bool = False) -> str:
        """A share as a percentage to a tenth at most: ``15%``, ``74.1%`` (``up``: rounded
        up, for a conversion that must at least be reached)."""
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            return ""
        tenths = (Fraction(str(value)) if isinstance(value, float) else Fraction(value)) * 1000
        shown = Fraction(math.ceil(tenths) if up else round(tenths), 10)
        text = f"{float(shown):.1f}".removesuffix(".0")
        return f"{text}%"

    @property
    def currency(self) -> str:
        """The playbook's currency (``mission.currency``), or ""."""
        mission = self.playbook.mission
        return (mission.record(k.Mission).currency or "") if mission is not None else ""

    def money(self, value: object) -> str:
        """An amount with the playbook's currency (HTML): ``USD 10,000,000``, ``$10,000,000``."""
        if isinstance(value, str):
            amount = html.escape(textsafe.plain(" ".join(value.split())))
        else:
            amount = textsafe.number(value)
        currency = html.escape(self.currency)
        if not currency:
            return amount
        return f"{currency}\u00a0{amount}" if currency[-1:].isalpha() else f"{currency}{amount}"

    def unmarked(self, value: object) -> str:
        """Plan text in HTML without its glossary terms marked (the glossary page itself)."""
        return self._unmarked(value)

    @staticmethod
    def attr(value: object) -> str:
        """Plan text, one line without markup, escaped for HTML (an attribute, a cell)."""
        return html.escape(textsafe.plain(" ".join(str(value).split())), quote=True)

    @staticmethod
    def term_id(term: str) -> str:
        """The anchor of a glossary term on the glossary page."""
        return "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")

    # --- actual results ------------------------------------------------------------------

    def as_of(self) -> dt.date | None:
        """The date the actuals are true (the latest check-in's ``as_of``); none without
        check-ins, and then every query below answers nothing."""
        return self.playbook.as_of

    def status(self, node: Node | None) -> NodeStatus | None:
        """A metric's, plan's, success factor's, estimate's, key task's or function's status
        with its figures (``checks/status.py``); none without check-ins."""
        return self.playbook.status(node.id) if node is not None else None

    def metric_statuses(self, plan: Node) -> list[NodeStatus]:
        """The statuses of a plan's own metrics, in its order (the metric is ``node``, its
        fields ``node.data``); empty without check-ins."""
        found = (self.playbook.status(m.id) for m in plan.record(k.Plan).metrics)
        return [s for s in found if s is not None and s.node.owner is plan]

    def chart(self, node: Node) -> str:
        """A metric's or success factor's actuals over time against what was expected, as a
        diagram (HTML); ``""`` with fewer than two actuals."""
        spec = metric_spec(node) if node.kind in ("metric", "success_factor") else None
        return results.chart(self.status(node), spec.unit if spec is not None else None)

    def scorecard(self, kind: str = "success_factor") -> list[results.ScoreRow]:
        """The success factors (or ``"function"``s), off track first, each with the plans
        behind it (``plans``, worst first; ``counts`` by status; ``troubled``: off track or at
        risk); empty without check-ins."""
        return results.scorecard(self.playbook.statuses, self.ladder, kind)

    def headline(self) -> tuple[int, int]:
        """(success factors on track, success factors judged): "N of M on track"."""
        return results.headline(self.playbook.statuses, self.ladder)

    def funnel_actuals(self) -> Funnel | None:
        """The first SLA's funnel against its actual volumes (``checks/funnel.py``: periods,
        each with its stages, ``lapse`` and commitments), or none without volumes."""
        return self.playbook.funnels[0] if self.playbook.funnels else None

    # --- assumptions and decisions -------------------------------------------------------

    def decisions(self) -> list[DecisionRow]:
        """The decision support matrix: one row per assumption node, tripped first (made on
        each call: a value kept from one page to the next would hide its reads of the plans,
        ``plugin/reads.py``)."""
        return decision_rows.matrix(self.playbook)

    def critical_information(self) -> list[WatchedMetric]:
        """The commander's critical information list: the metrics trip-wires watch, with
        their latest values and status (those of tripped assumptions first)."""
        return decision_rows.critical_information(self.decisions(), self.playbook)

    def resting_on(self, node: Node) -> list[DecisionRow]:
        """The tripped assumptions a node rests on (its function's, a branch plan's own)."""
        return [
            decision_rows.row(self.playbook, s)
            for s in decision_rows.resting_on(self.playbook, node)
        ]

    def branch_of(self, plan: Node) -> DecisionRow | None:
        """The assumption a branch plan waits on (``branch_state``: dormant or triggered), or
        none for any other plan."""
        state = self.playbook.assumptions.branch_of(plan.id)
        return decision_rows.row(self.playbook, state) if state is not None else None


def _dated(plan: Node) -> bool:
    """Whether a plan has both a start and an end."""
    data = plan.record(k.Plan)
    return bool(data.start and data.end)


def _dates(plan: Node) -> tuple[dt.date, dt.date]:
    """A dated plan's start and end."""
    data = plan.record(k.Plan)
    if data.start is None or data.end is None:
        raise ValueError(f"plan '{plan.id}' is not dated")
    return data.start, data.end


def _overlaps(plan: Node, first: dt.date, last: dt.date) -> bool:
    """Whether a plan is dated and active at some day from ``first`` to ``last``."""
    data = plan.record(k.Plan)
    return bool(data.start and data.end and data.start <= last and data.end >= first)


def _customer_order(markets: dict[str, int]) -> Callable[[Node], tuple[int, int | float]]:
    """Customers by their market's order, then their rank."""

    def key(customer: Node) -> tuple[int, int | float]:
        data = customer.record(k.Customer)
        return markets.get(data.market or "", len(markets)), data.rank or 999

    return key
