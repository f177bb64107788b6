"""The tables a planner uses off the site, as plain values: one per sheet of the workbook,
one per file of the CSV folder, and the tables of the printed operation order.

Each :class:`Table` is a name, its columns (with what each holds, so that a writer can show
numbers as numbers and dates as dates) and its rows of plain values: text, whole numbers,
numbers, dates or nothing. Nothing here knows about a file format or a page; nothing here
escapes text (each writer makes text safe for its reader: ``export/cells.py``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from mission_playbook.checks import metrics as metric_ladder
from mission_playbook.checks.status import NodeStatus
from mission_playbook.checks.waterfall import StageNeed, Waterfall
from mission_playbook.model import kinds
from mission_playbook.model.ladder import Node
from mission_playbook.playbook import Playbook

#: A cell: text, a whole number, a number, a date, or nothing.
Cell = str | int | float | dt.date | None

#: What a column holds: ``text`` (free text), ``id`` (a node's id), ``ids`` (ids separated by
#: ", "), ``whole``, ``number``, ``share`` (0 to 1, shown as a percentage), ``date``, and
#: ``amount`` (a number, or text where the plan wrote one, such as a budget of "TBD").
KINDS = ("text", "id", "ids", "whole", "number", "share", "date", "amount")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its heading, what it holds, and how wide it reads (in characters)."""

    heading: str
    kind: str = "text"
    width: int = 12


@dataclass(frozen=True, slots=True)
class Table:
    """One table: ``name`` is its file name (``plans`` → ``plans.csv``), ``title`` its sheet."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]

    def column(self, heading: str) -> list[Cell]:
        """The values of one column, by heading."""
        at = [c.heading for c in self.columns].index(heading)
        return [row[at] for row in self.rows]


def file_name(table: str) -> str:
    """The name of a table's file (``success_factors`` → ``success-factors``)."""
    return table.replace("_", "-")


def number(value: Fraction | float | int) -> int | float:
    """An exact value as a plain number: whole when it is whole."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)
    return value


def _ids(nodes: Iterable[Node]) -> str:
    return ", ".join(n.id for n in nodes)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _amount(value: object) -> Cell:
    """A target or budget as written: a number stays a number, anything else is text."""
    if value is None or isinstance(value, int | float):
        return value
    return str(value)


def project_file(playbook: Playbook, file: str) -> str:
    """A plan file as the project names it, relative to the folder that holds the plans
    folder (``plans/functions/sales.yaml``), however the plans folder was given."""
    named = playbook.file_names.get(file)  # a file holds many nodes: resolved once
    if named is None:
        try:
            named = Path(file).resolve().relative_to(playbook.root.resolve().parent).as_posix()
        except ValueError:  # a plan file outside the project (a symbolic link, say)
            named = file
        playbook.file_names[file] = named
    return named


_PLACE = (Column("File", "text", 40), Column("Line", "whole", 6))


def _fraction(value: Fraction | None, places: int = 2) -> int | float | None:
    """An exact figure for a table: whole, or rounded to ``places`` decimals (the JSON
    export keeps every digit)."""
    if value is None:
        return None
    plain = number(value)
    return round(plain, places) if isinstance(plain, float) else plain


#: The columns of a node's status against its actuals (only when the playbook has some).
_STATUS = (
    Column("Status", "text", 10),
    Column("Latest actual", "number", 12),
    Column("Period", "text", 9),
    Column("Expected to date", "number", 12),
    Column("Confidence", "text", 11),
    Column("Actual as of", "date", 11),
)


def _status_cells(status: NodeStatus | None) -> tuple[Cell, ...]:
    if status is None:
        return (None,) * len(_STATUS)
    latest = status.latest
    return (
        str(status.status),
        _fraction(status.actual),
        str(status.period) if status.period is not None else None,
        _fraction(status.expected),
        status.confidence,
        latest.as_of if latest is not None else None,
    )


class Tables:
    """The tables of one playbook, each made on first use."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self.ladder = playbook.ladder
        self.actuals = playbook.as_of is not None  # status columns only with check-ins
        self._by_function: dict[str, list[Node]] | None = None

    @property
    def _plans_by_function(self) -> dict[str, list[Node]]:
        """The plans of each function, made when a table asks (reading every plan)."""
        if self._by_function is None:
            self._by_function = defaultdict(list)
            for plan in self.ladder.of_kind("plan"):
                self._by_function[str(plan.function)].append(plan)
        return self._by_function

    #: The tables in the order of the workbook's sheets: (name, method).
    ORDER = (
        "success_factors",
        "key_tasks",
        "functions",
        "estimates",
        "plans",
        "metrics",
        "budgets",
        "waterfall",
        "commitments",
        "funnel",
        "traceability",
    )

    def all(self) -> list[Table]:
        """Every table, in the order of the workbook's sheets."""
        return [self.get(name) for name in self.ORDER]

    def get(self, name: str) -> Table:
        """One table by name (a name of :attr:`ORDER`)."""
        if name not in self.ORDER:
            raise KeyError(f"no table named {name!r}; the tables are {', '.join(self.ORDER)}")
        make: Callable[[], Table] = getattr(self, name)
        table = make()
        assert table.name == file_name(name), table.name
        return table

    def _plans_under(self, node: Node) -> int:
        return sum(1 for n in self.ladder.descendants(node) if n.kind == "plan")

    # --- the ladder ----------------------------------------------------------------------

    def success_factors(self) -> Table:
        rows: list[tuple[Cell, ...]] = []
        for f in self.ladder.of_kind("success_factor"):
            m = f.record(kinds.SuccessFactor).metric
            rows.append(
                (
                    f.id,
                    f.title,
                    m.name if m else None,
                    m.unit if m else None,
                    _amount(m.baseline) if m else None,
                    _amount(m.target) if m else None,
                    m.direction if m else None,
                    m.by if m else None,
                    _ids(self.ladder.down(f)),
                    self._plans_under(f),
                    *self._status(f),
                    *self._place(f),
                )
            )
        columns = (
            Column("ID", "id", 24),
            Column("Success factor", "text", 40),
            Column("Measure", "text", 32),
            Column("Unit", "text", 14),
            Column("Baseline", "amount", 12),
            Column("Target", "amount", 12),
            Column("Direction", "text", 10),
            Column("By", "date", 11),
            Column("Key tasks", "ids", 32),
            Column("Plans", "whole", 7),
            *self._status_columns(),
            *_PLACE,
        )
        return Table("success-factors", "Success factors", columns, rows)

    def key_tasks(self) -> Table:
        rows: list[tuple[Cell, ...]] = [
            (
                t.id,
                t.title,
                _ids(self.ladder.up(t)),
                _amount(t.record(kinds.KeyTask).priority),
                ", ".join(t.record(kinds.KeyTask).markets),
                _ids(self.ladder.down(t)),
                self._plans_under(t),
                *self._place(t),
            )
            for t in self.ladder.of_kind("key_task")
        ]
        columns = (
            Column("ID", "id", 24),
            Column("Key task", "text", 40),
            Column("Supports", "ids", 28),
            Column("Priority", "amount", 9),
            Column("Markets", "ids", 28),
            Column("Estimates", "ids", 32),
            Column("Plans", "whole", 7),
            *_PLACE,
        )
        return Table("key-tasks", "Key tasks", columns, rows)

    def functions(self) -> Table:
        estimates: dict[str, int] = defaultdict(int)
        for e in self.ladder.of_kind("estimate"):
            estimates[str(e.function)] += 1
        rows: list[tuple[Cell, ...]] = [
            (
                f.id,
                f.title,
                _text(f.record(kinds.Function).leader),
                _text(f.record(kinds.Function).role),
                estimates[f.id],
                len(self._plans_by_function.get(f.id, [])),
                *self._place(f),
            )
            for f in self.ladder.of_kind("function")
        ]
        columns = (
            Column("ID", "id", 20),
            Column("Function", "text", 24),
            Column("Leader", "text", 32),
            Column("Role", "text", 48),
            Column("Estimates", "whole", 10),
            Column("Plans", "whole", 7),
            *_PLACE,
        )
        return Table("functions", "Functions", columns, rows)

    def estimates(self) -> Table:
        rows: list[tuple[Cell, ...]] = [
            (
                e.id,
                e.title,
                e.function,
                _ids(self.ladder.up(e)),
                _text(e.record(kinds.Estimate).conclusion),
                _text(e.record(kinds.Estimate).recommendation),
                len(self.ladder.down(e)),
                *self._place(e),
            )
            for e in self.ladder.of_kind("estimate")
        ]
        columns = (
            Column("ID", "id", 28),
            Column("Estimate", "text", 40),
            Column("Function", "id", 18),
            Column("Supports", "ids", 28),
            Column("Conclusion", "text", 60),
            Column("Recommendation", "text", 48),
            Column("Plans", "whole", 7),
            *_PLACE,
        )
        return Table("estimates", "Estimates", columns, rows)

    def plans(self) -> Table:
        rows: list[tuple[Cell, ...]] = []
        for p in self.ladder.of_kind("plan"):
            d = p.record(kinds.Plan)
            rows.append(
                (
                    p.id,
                    p.title,
                    d.function,
                    _text(d.owner),
                    _ids(self.ladder.up(p)),
                    _text(d.objective),
                    d.start,
                    d.end,
                    ", ".join(dict.fromkeys(d.depends_on)),
                    d.lifecycle_stage,
                    _amount(d.budget),
                    len(d.metrics),
                    *self._status(p, whole=False),
                    *self._place(p),
                )
            )
        columns = (
            Column("ID", "id", 28),
            Column("Plan", "text", 40),
            Column("Function", "id", 18),
            Column("Owner", "text", 32),
            Column("Supports", "ids", 30),
            Column("Objective", "text", 60),
            Column("Start", "date", 11),
            Column("End", "date", 11),
            Column("Depends on", "ids", 30),
            Column("Lifecycle stage", "id", 14),
            Column("Budget", "amount", 12),
            Column("Metrics", "whole", 8),
            *self._status_columns(whole=False),
            *_PLACE,
        )
        return Table("plans", "Plans", columns, rows)

    def metrics(self) -> Table:
        """Every success factor's measure, then every plan's metrics, with what each drives
        and the success factor it reaches."""
        rows: list[tuple[Cell, ...]] = []
        for f in self.ladder.of_kind("success_factor"):
            m = f.record(kinds.SuccessFactor).metric
            if m is None:
                continue
            row = (f.id, m.name, "success factor", None, None, m.unit, _amount(m.target))
            rows.append((*row, None, None, f.id, *self._status(f), *self._place(f)))
        for metric in self.ladder.of_kind("metric"):
            d = metric.record(kinds.Metric)
            factor = metric_ladder.reaches(self.ladder, metric)
            owner = metric.owner
            plan = owner.id if owner else None
            reached = factor.id if factor else None
            ours = (metric.id, d.name, d.type, plan, metric.function, d.unit, _amount(d.target))
            rows.append(
                (*ours, d.per, d.drives, reached, *self._status(metric), *self._place(metric))
            )
        columns = (
            Column("ID", "id", 30),
            Column("Metric", "text", 40),
            Column("Type", "text", 14),
            Column("Plan", "id", 28),
            Column("Function", "id", 18),
            Column("Unit", "text", 16),
            Column("Target", "amount", 10),
            Column("Per", "text", 8),
            Column("Drives", "id", 28),
            Column("Success factor", "id", 24),
            *self._status_columns(),
            *_PLACE,
        )
        return Table("metrics", "Metrics", columns, rows)

    # --- sustainment ---------------------------------------------------------------------

    def budgets(self) -> Table:
        """Per function: its plans, those with a budget, the sum of the budgets written as
        numbers, and those written otherwise ("TBD"), which are not summed."""
        rows: list[tuple[Cell, ...]] = []
        functions = list(self.ladder.of_kind("function"))
        known = {f.id for f in functions}
        groups = [(f.id, f.title) for f in functions]
        groups += [(fid, fid) for fid in self._plans_by_function if fid not in known]
        for fid, title in groups:
            plans = self._plans_by_function.get(fid, [])
            written = [(p, p.record(kinds.Plan).budget) for p in plans]
            budgets = [b for _, b in written if b is not None]
            numbers = [b for b in budgets if isinstance(b, int | float)]
            others = [p.id for p, b in written if isinstance(b, str)]
            total = sum(numbers) if numbers else None
            rows.append((fid, title, len(plans), len(budgets), total, ", ".join(others)))
        columns = (
            Column("Function", "id", 20),
            Column("Name", "text", 24),
            Column("Plans", "whole", 7),
            Column("With a budget", "whole", 13),
            Column("Budget", "number", 14),
            Column("Not summed (plans)", "ids", 36),
        )
        return Table("budgets", "Budgets", columns, rows)

    # --- the demand waterfall ------------------------------------------------------------

    def _waterfall(self) -> Waterfall | None:
        return self.playbook.waterfalls[0] if self.playbook.waterfalls else None

    def waterfall(self) -> Table:
        """The first SLA's stages, top of the funnel first: what each must produce a period
        for the revenue target, what is committed, the gap."""
        w = self._waterfall()
        period = w.period if w else "period"
        stages: list[StageNeed] = w.stages if w else []
        last = len(stages) - 1
        rows: list[tuple[Cell, ...]] = []
        for i, s in enumerate(stages):
            d = s.stage.record(kinds.Stage)
            rows.append(
                (
                    s.stage.id,
                    d.name,
                    d.owner,
                    number(d.conversion) if d.conversion is not None and i != last else None,
                    s.needed,
                    number(s.committed) if s.committed is not None else None,
                    number(s.gap) if s.gap is not None else None,
                    d.definition,
                    d.entry,
                    d.exit,
                    d.system_of_record,
                )
            )
        columns = (
            Column("Stage", "id", 14),
            Column("Name", "text", 28),
            Column("Owner", "id", 16),
            Column("Conversion to next", "share", 12),
            Column(f"Needed a {period}", "whole", 12),
            Column(f"Committed a {period}", "number", 12),
            Column("Gap", "number", 10),
            Column("Definition", "text", 48),
            Column("Entry", "text", 40),
            Column("Exit", "text", 40),
            Column("System of record", "text", 22),
        )
        return Table("waterfall", "Waterfall", columns, rows)

    def commitments(self) -> Table:
        """Each commitment of the first SLA, converted to its period, beside what its stage
        needs and its stage's gap."""
        w = self._waterfall()
        period = w.period if w else "period"
        rows: list[tuple[Cell, ...]] = []
        for s in w.stages if w else []:
            for party, volume, per, converted in s.commitments:
                rows.append(
                    (
                        party,
                        s.stage.id,
                        number(volume),
                        per,
                        number(converted),
                        s.needed,
                        number(s.committed) if s.committed is not None else None,
                        number(s.gap) if s.gap is not None else None,
                    )
                )
        columns = (
            Column("Party", "id", 16),
            Column("Stage", "id", 14),
            Column("Volume", "number", 10),
            Column("Per", "text", 8),
            Column(f"A {period}", "number", 12),
            Column(f"Stage needs a {period}", "whole", 14),
            Column(f"Stage committed a {period}", "number", 14),
            Column("Stage gap", "number", 10),
        )
        return Table("commitments", "Commitments", columns, rows)

    # --- actuals -------------------------------------------------------------------------

    def _status_columns(self, whole: bool = True) -> tuple[Column, ...]:
        if not self.actuals:
            return ()
        return _STATUS if whole else _STATUS[:1]

    def _place(self, node: Node) -> tuple[str, int]:
        loc = node.loc()
        return project_file(self.playbook, loc.file), loc.line  # resolved once per file

    def _status(self, node: Node, whole: bool = True) -> tuple[Cell, ...]:
        if not self.actuals:
            return ()
        cells = _status_cells(self.playbook.status(node.id))
        return cells if whole else cells[:1]

    def funnel(self) -> Table:
        """The first SLA's funnel against its waterfall, period by period: each stage's
        volume, what the revenue target needs to date, the shortfall, the conversions planned
        and actual, and the need at the actual conversions. Empty without funnel actuals."""
        funnels = self.playbook.funnels
        rows: list[tuple[Cell, ...]] = []
        for period in funnels[0].periods if funnels else []:
            for s in period.stages:
                rows.append(
                    (
                        str(period.period),
                        s.stage.id,
                        s.owner,
                        s.volume,
                        s.needed,
                        s.short,
                        _fraction(s.planned_conversion, 4),
                        _fraction(s.actual_conversion, 4),
                        math.ceil(s.reforecast) if s.reforecast is not None else None,
                    )
                )
        columns = (
            Column("Period", "text", 9),
            Column("Stage", "id", 14),
            Column("Owner", "id", 16),
            Column("Volume", "whole", 10),
            Column("Needed to date", "whole", 12),
            Column("Short", "whole", 8),
            Column("Planned conversion", "share", 12),
            Column("Actual conversion", "share", 12),
            Column("Needed at actual conversions", "whole", 14),
        )
        return Table("funnel", "Funnel", columns, rows)

    # --- traceability --------------------------------------------------------------------

    def traceability(self) -> Table:
        """Key tasks × functions: how many supporting plans each function has against each
        key task (through its estimates)."""
        functions = list(self.ladder.of_kind("function"))
        rows: list[tuple[Cell, ...]] = []
        for task in self.ladder.of_kind("key_task"):
            counts: dict[str, set[str]] = defaultdict(set)
            for estimate in self.ladder.down(task):
                for plan in self.ladder.down(estimate):
                    counts[str(plan.function)].add(plan.id)
            total = len(set().union(*counts.values())) if counts else 0
            rows.append(
                (task.id, task.title, *(len(counts.get(f.id, ())) for f in functions), total)
            )
        columns = (
            Column("Key task", "id", 24),
            Column("Title", "text", 40),
            *(Column(f.title, "whole", max(8, min(20, len(f.title) + 2))) for f in functions),
            Column("Total", "whole", 7),
        )
        return Table("traceability", "Traceability", columns, rows)
