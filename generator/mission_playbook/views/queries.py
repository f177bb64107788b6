"""What templates ask of the playbook: the object they reach as ``pb``.

These queries are the API a playbook's own templates rely on; the README lists each one
("Changing how pages look") and a test keeps that list and this class the same. Every query
reads the model; none changes it. The indexes they share are built once per build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from mission_playbook.checks import coverage, metrics, schedule
from mission_playbook.checks import waterfall as funnel
from mission_playbook.export.tables import Table, Tables
from mission_playbook.model.ladder import LABELS, Node
from mission_playbook.model.people import Someone, resolve
from mission_playbook.playbook import Playbook
from mission_playbook.views import diagrams, readiness
from mission_playbook.views import order as orders

#: Rows of a list or table before the rest are summarised as "… and N more".
MAX_LIST = 30
#: Gantt bars per function before the rest are summarised in one bar.
MAX_BARS = 40

Matrix = tuple[list[Node], list[Node], dict[tuple[str, str], list[Node]]]
QuarterTable = tuple[list[str], list[tuple[Node, list[list[Node]]]]]


class Queries:
    """The playbook as templates see it (``pb``); one instance per build."""

    #: Rows a list or table shows before "… and N more" (pages stay small at any scale).
    max_list = MAX_LIST

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self.ladder = playbook.ladder
        self._dependents: dict[str, list[Node]] = defaultdict(list)
        self._plans_by_function: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            self._plans_by_function[str(plan.function)].append(plan)
            for dep in dict.fromkeys(plan.data.depends_on):
                target = self.ladder.nodes.get(dep)
                if target is not None and target.kind == "plan":
                    self._dependents[dep].append(plan)
        self._estimates_by_function: dict[str, list[Node]] = defaultdict(list)
        for estimate in self.ladder.of_kind("estimate"):
            if estimate.owner is not None:
                self._estimates_by_function[estimate.owner.id].append(estimate)
        self._metric_ladder = metrics.metric_ladder(self.ladder)
        self._tables: Tables | None = None
        self._gantt: str | None = None
        self._quarters: QuarterTable | None = None

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

    def uncovered(self) -> dict[str, list[Node]]:
        """Uncovered success factors, key tasks and estimates, then orphan key tasks,
        estimates and plans (``checks/coverage.py``), by heading."""
        out: dict[str, list[Node]] = {}
        gaps = coverage.uncovered(self.ladder)
        for kind in coverage.UNCOVERED_KINDS:
            out[f"uncovered {LABELS[kind]}s"] = [n for n in gaps if n.kind == kind]
        orphans = coverage.orphans(self.ladder)
        for kind in coverage.ORPHAN_KINDS:
            out[f"orphan {LABELS[kind]}s"] = [n for n in orphans if n.kind == kind]
        return out

    def readiness(self) -> list[readiness.Prerequisite]:
        """The five prerequisites of alignment, each judged from the playbook."""
        return readiness.assess(self.ladder)

    # --- metrics -------------------------------------------------------------------------

    def drivers(self, factor: Node) -> list[metrics.Driver]:
        """The metrics that drive a success factor (``Driver``: ``metric``, ``depth``, 1 when
        it drives the factor directly), nearest first."""
        return self._metric_ladder.get(factor.id, [])

    def drivers_by_function(self, factor: Node) -> list[tuple[Node | None, dict[str, int]]]:
        """Per function: how many outcome, leading and activity metrics drive a factor."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for d in self.drivers(factor):
            counts[str(d.metric.function)][str(d.metric.data.type)] += 1
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

    def lifecycle(self) -> list[str]:
        """The mission's customer lifecycle stages, in order."""
        mission = self.playbook.mission
        return list(mission.data.lifecycle) if mission is not None else []

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
            rows[str(plan.data.lifecycle_stage or "")].append(plan)
        stages = [*self.lifecycle(), ""]
        return {s: self.by_function(rows.get(s, [])) for s in stages if s or rows.get(s)}

    def customer_matrix(self) -> list[tuple[Node, dict[str, list[Node]]]]:
        """Top customers (by market, then rank) → function → plans acting on the account."""
        acting: dict[str, list[Node]] = defaultdict(list)
        for plan in self.ladder.of_kind("plan"):
            for customer in dict.fromkeys(plan.data.customers):
                acting[customer].append(plan)
        markets = {m.id: i for i, m in enumerate(self.ladder.of_kind("market"))}
        customers = sorted(
            self.ladder.of_kind("customer"),
            key=lambda c: (markets.get(c.data.market or "", len(markets)), c.data.rank or 999),
        )
        return [(c, self.by_function(acting.get(c.id, []))) for c in customers]

    # --- the schedule --------------------------------------------------------------------

    def gantt(self) -> str:
        """The synchronization matrix as a Mermaid Gantt chart (a fence): a section per
        function; empty when no plan is dated."""
        if self._gantt is None:
            self._gantt = self._make_gantt()  # the schedule page and every print page show it
        return self._gantt

    def _make_gantt(self) -> str:
        sections = []
        functions = self.of_kind("function")
        # a bar and up to 3 milestones per plan, lines under ~100 characters: stay well
        # under Mermaid's 50,000 characters however many functions there are
        cap = min(MAX_BARS, max(2, 450 // max(1, len(functions)) // 4))
        for function in functions:
            dated = [p for p in self.plans_of(function) if p.data.start and p.data.end]
            ordered = schedule.topological(dated)
            bars = []
            for plan in ordered[:cap]:
                bars.append(
                    diagrams.Bar(plan.id, plan.title, str(plan.data.start), str(plan.data.end))
                )
                for ms in plan.data.milestones[:3]:
                    if ms.date is not None:
                        bars.append(diagrams.Bar(plan.id, ms.title, str(ms.date), "", True))
            if len(ordered) > cap:
                rest = ordered[cap:]
                first = min(str(p.data.start) for p in rest)
                last = max(str(p.data.end) for p in rest)
                bars.append(diagrams.Bar("more", f"{len(rest)} more plans", first, last))
            if bars:
                sections.append((function.title, bars))
        return diagrams.fence(diagrams.gantt(sections)) if sections else ""

    def quarter_table(self) -> QuarterTable:
        """Functions × quarters of the horizon: (quarter labels, [(function, the plans active
        in each quarter)])."""
        if self._quarters is None:
            self._quarters = self._make_quarter_table()
        return self._quarters

    def _make_quarter_table(self) -> QuarterTable:
        dated = [p for p in self.ladder.of_kind("plan") if p.data.start and p.data.end]
        if not dated:
            return [], []
        mission = self.playbook.mission
        horizon = mission.data.horizon if mission is not None else None
        first = (horizon.start if horizon and horizon.start else None) or min(
            p.data.start for p in dated
        )
        last = (horizon.end if horizon and horizon.end else None) or max(p.data.end for p in dated)
        spans = schedule.quarters(first, last)
        rows = []
        for function in self.of_kind("function"):
            cells = [
                [
                    p
                    for p in self.plans_of(function)
                    if p.data.start
                    and p.data.end
                    and p.data.start <= q_end
                    and p.data.end >= q_start
                ]
                for _, q_start, q_end in spans
            ]
            rows.append((function, cells))
        return [label for label, _, _ in spans], rows

    def unscheduled(self) -> list[Node]:
        """Plans without both a start and an end."""
        return [p for p in self.ladder.of_kind("plan") if not (p.data.start and p.data.end)]

    def cycles(self) -> list[list[Node]]:
        """The cycles of ``depends_on`` (PB008), each as its plans."""
        return [[self.ladder.nodes[i] for i in cycle] for cycle in self.playbook.cycles]

    # --- the demand waterfall ------------------------------------------------------------

    def waterfall(self) -> funnel.Waterfall | None:
        """The first SLA's demand waterfall (stages, needs, commitments), or None."""
        return self.playbook.waterfalls[0] if self.playbook.waterfalls else None

    def funnel_chart(self) -> str:
        """The waterfall as a Mermaid chart (a fence): volume needed (bars) and committed
        (line) per stage; empty without stages."""
        w = self.waterfall()
        if w is None or not w.stages:
            return ""
        labels = [
            name if len(name := s.stage.data.name or s.stage.id) <= 14 else s.stage.id.upper()
            for s in w.stages
        ]
        needed = [s.needed for s in w.stages]
        series = [needed]
        if all(s.committed is not None for s in w.stages):
            series.append([int(s.committed or 0) for s in w.stages])
        chart = diagrams.bar_chart(f"Volume needed a {w.period}", labels, series, f"per {w.period}")
        return diagrams.fence(chart)

    def sensitivity(self) -> list[tuple[Node, int, int]]:
        """Per stage whose conversion improved by 10%, one at a time: (stage, the first
        stage's volume then needed, how much less that is)."""
        w = self.waterfall()
        if w is None:
            return []
        return [
            (self.ladder.nodes[stage_id], volume, saved)
            for stage_id, volume, saved in funnel.sensitivity(w.sla.data)
            if stage_id in self.ladder.nodes
        ]

    def owners(self) -> dict[str, list[Node]]:
        """Function id → the waterfall stages it owns."""
        w = self.waterfall()
        out: dict[str, list[Node]] = defaultdict(list)
        for need in w.stages if w else []:
            out[str(need.stage.data.owner)].append(need.stage)
        return out

    # --- the operation order and the tables off the site -----------------------------------

    def order(self, function: Node | None = None) -> orders.Order:
        """The operation order of the whole playbook, or of one function (``views/order.py``):
        ``functions``, ``estimates`` and ``plans`` by function id, ``shows(node)``,
        ``owners()``, ``budgets()``."""
        return orders.order(self.playbook, function)

    def table(self, name: str) -> Table:
        """One of the tables of the workbook and the CSV export (``export/tables.py``) by
        name (``"budgets"``, ``"waterfall"``, ``"commitments"``...): ``title``, ``columns``
        (``heading``, ``kind``), ``rows`` of plain values."""
        if self._tables is None:
            self._tables = Tables(self.playbook)
        return self._tables.get(name)
