"""Check-ins: the actual results of ``kind: checkin`` documents, checked and indexed.

A check-in reports metric values (a plan metric or a success factor, for a period when the
metric has ``per``, else true on the check-in's ``as_of``) and funnel volumes (an SLA stage and a
period). ``collect`` checks each of them where it is written: an unknown id is PB004 (with "did
you mean"), an id of another kind PB005, a period that is malformed, of the wrong length, outside
the mission horizon or not yet begun on ``as_of`` PB018. It keeps those it can use: a later
check-in's value for the same metric and period replaces an earlier one, and the same value twice
in check-ins of the same date is PB018. The playbook's as-of date is the latest ``as_of`` of any
check-in, never the clock: the same files give the same statuses (docs/model.md, "Actuals").

Check-ins are not nodes of the ladder (they get no page), but their ids share its namespace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from mission_playbook.model import periods
from mission_playbook.model.diagnostics import Findings, Location, did_you_mean
from mission_playbook.model.kinds import ActualValue, Checkin, FunnelVolume, Mission
from mission_playbook.model.ladder import Ladder, Node, report_duplicate
from mission_playbook.model.periods import Period
from mission_playbook.model.source import Document, PathKey
from mission_playbook.model.validate import ID_FORM, check_id

#: The mission's horizon: (start, end), either None when not given.
Horizon = tuple[dt.date | None, dt.date | None]


@dataclass(frozen=True, slots=True)
class Reading:
    """One actual value of a plan metric or success factor, as a check-in reports it."""

    metric: str
    value: Fraction  # exactly as written: 0.15 is 3/20
    period: Period | None  # for a metric with ``per``; None for a level
    as_of: dt.date  # the date the value is true: its check-in's ``as_of``
    confidence: str | None  # the owner's call: on-track, at-risk or off-track
    note: str | None
    checkin: str  # the check-in's id
    doc: Document = field(compare=False, repr=False)
    path: PathKey = field(compare=False, repr=False)

    def location(self) -> Location:
        """Where the value is written."""
        return self.doc.loc(self.path)


@dataclass(frozen=True, slots=True)
class Volume:
    """How many reached one stage of the funnel in one period, as a check-in reports it."""

    stage: str
    period: Period
    volume: int
    as_of: dt.date
    checkin: str
    doc: Document = field(compare=False, repr=False)
    path: PathKey = field(compare=False, repr=False)

    def location(self) -> Location:
        """Where the volume is written."""
        return self.doc.loc(self.path)


@dataclass
class Actuals:
    """Every usable actual of a playbook, and its as-of date (None without check-ins)."""

    as_of: dt.date | None = None
    checkins: list[Node] = field(default_factory=list)  # in order of as_of, then file order
    readings: dict[str, list[Reading]] = field(default_factory=dict)  # metric id → oldest first
    volumes: dict[str, list[Volume]] = field(default_factory=dict)  # stage id → by period

    def latest(self, metric: str) -> Reading | None:
        """The most recent actual of a metric (its latest period, or its latest date)."""
        found = self.readings.get(metric)
        return found[-1] if found else None

    def volume(self, stage: str, period: Period) -> Volume | None:
        """The volume reported for a stage and period, if any."""
        return next((v for v in self.volumes.get(stage, ()) if v.period == period), None)


def metric_spec(node: Node) -> Any:
    """What a value of ``node`` is measured against: a plan metric's own fields, a success
    factor's ``metric`` (None when it has none)."""
    return node.data if node.kind == "metric" else getattr(node.data, "metric", None)


@dataclass
class Collected:
    """One collection of the check-ins, with what it read: kept by ``mkdocs serve`` so that
    a rebuild whose check-ins and reported metrics did not change reuses it."""

    documents: list[tuple[Document, Checkin]]  # the very objects (a changed file: new ones)
    horizon: Horizon
    targets: dict[str, tuple[str, Any]]  # each id reported: (its node's kind, its metric)
    actuals: Actuals

    def same(
        self, ladder: Ladder, documents: list[tuple[Document, Checkin]], horizon: Horizon
    ) -> bool:
        """Whether collecting now would give the same actuals and no finding."""
        if horizon != self.horizon or len(documents) != len(self.documents):
            return False
        for (doc, data), (last_doc, last_data) in zip(documents, self.documents, strict=True):
            if doc is not last_doc or data is not last_data or str(data.id) in ladder.nodes:
                return False
        for ref, (kind, spec) in self.targets.items():
            node = ladder.nodes.get(ref)
            if node is None or node.kind != kind or _spec(node) != spec:
                return False
        return True


def collect(
    ladder: Ladder,
    documents: Iterable[tuple[Document, Checkin]],
    horizon: Horizon,
    findings: Findings,
    kept: dict[str, Any] | None = None,
) -> Actuals:
    """Check every check-in and index the actuals it reports (see the module docstring).

    ``kept``: under ``mkdocs serve``, the last collection of this process (``Collected``),
    reused while its check-ins are the same objects (their files did not change), the ids
    they report name nodes of the same kinds with equal metrics, and it found nothing.
    """
    documents = list(documents)
    last = kept.get("checkins") if kept is not None else None
    if isinstance(last, Collected) and last.same(ladder, documents, horizon):
        return last.actuals
    count = len(findings.items)
    targets: dict[str, tuple[str, Any]] = {}
    actuals = _collect(ladder, documents, horizon, findings, targets)
    if kept is not None:
        kept.pop("checkins", None)
        if len(findings.items) == count:  # found nothing: nothing to report again
            kept["checkins"] = Collected(documents, horizon, targets, actuals)
    return actuals


def _spec(node: Node) -> Any:
    """What a collection reads of a node it reports on: its metric (or none)."""
    return metric_spec(node) if node.kind in ("metric", "success_factor") else None


def _collect(
    ladder: Ladder,
    documents: list[tuple[Document, Checkin]],
    horizon: Horizon,
    findings: Findings,
    targets: dict[str, tuple[str, Any]],
) -> Actuals:
    actuals = Actuals()
    seen: dict[str, Node] = {}
    for doc, data in documents:
        node = Node("checkin", str(data.id), data, doc)
        if ("id",) not in doc.set_aside:
            _register(ladder, seen, node, findings)
        if ("as_of",) not in doc.set_aside:  # a bad date stood in by a placeholder
            actuals.checkins.append(node)
    if not actuals.checkins:
        return actuals
    # stable: file order among equal dates
    actuals.checkins.sort(key=lambda n: n.record(Checkin).as_of)
    actuals.as_of = actuals.checkins[-1].record(Checkin).as_of
    reader = _Reader(ladder, horizon, findings, targets)
    for node in actuals.checkins:
        reader.read(node)
    for reading in sorted(reader.values.values(), key=_reading_order):
        actuals.readings.setdefault(reading.metric, []).append(reading)
    for volume in sorted(reader.volumes.values(), key=lambda v: v.period):
        actuals.volumes.setdefault(volume.stage, []).append(volume)
    return actuals


def _reading_order(reading: Reading) -> tuple[dt.date, dt.date]:
    return (reading.period.start if reading.period else reading.as_of, reading.as_of)


def _register(ladder: Ladder, seen: dict[str, Node], node: Node, findings: Findings) -> None:
    """PB013 for a malformed id, PB003 (both places) for one used by a node or check-in."""
    if not ID_FORM.fullmatch(node.id):
        check_id(node.id, node.loc("id"), findings, node.label)
    first = ladder.nodes.get(node.id) or seen.get(node.id)
    if first is not None:
        report_duplicate(node, first, findings)
    else:
        seen[node.id] = node


class _Reader:
    """Reads the entries of check-ins, oldest first, into the latest value of each key."""

    def __init__(
        self,
        ladder: Ladder,
        horizon: Horizon,
        findings: Findings,
        targets: dict[str, tuple[str, Any]],
    ) -> None:
        self.ladder = ladder
        self.targets = targets  # what was read of each node named (``Collected``)
        self.horizon = horizon
        self.findings = findings
        self.values: dict[tuple[str, Period | dt.date], Reading] = {}
        self.volumes: dict[tuple[str, Period], Volume] = {}
        self._candidates: dict[str, list[str]] = {}

    def read(self, node: Node) -> None:
        data = node.record(Checkin)
        aside = {path[:2] for path in node.doc.set_aside if len(path) >= 2}
        for i, item in enumerate(data.values):
            if ("values", i) not in aside:
                reading = self._reading(node, i, item)
                if reading is not None:
                    key = (reading.metric, reading.period or reading.as_of)
                    self._keep(self.values, key, reading, node, ("values", i))
        for i, entry in enumerate(data.funnel):
            if ("funnel", i) not in aside:
                volume = self._volume(node, i, entry)
                if volume is not None:
                    key2 = (volume.stage, volume.period)
                    self._keep(self.volumes, key2, volume, node, ("funnel", i))

    def _keep(
        self, index: dict[Any, Any], key: Any, item: Reading | Volume, node: Node, path: PathKey
    ) -> None:
        """Keep ``item`` under ``key`` (it replaces an earlier check-in's); the same key twice
        on one date is PB018."""
        earlier = index.get(key)
        if earlier is not None and earlier.as_of == item.as_of:
            what = f"'{key[0]}' for {key[1]}" if isinstance(key[1], Period) else f"'{key[0]}'"
            self.findings.add(
                "PB018",
                f"{what} is reported twice as of {item.as_of} (also at {earlier.location()}); "
                "keep one value",
                node.loc(*path),
                related=[earlier.location()],
            )
            return
        index[key] = item

    def _candidates_of(self, kinds: tuple[str, ...]) -> list[str]:
        key = ",".join(kinds)
        if key not in self._candidates:
            self._candidates[key] = [n.id for n in self.ladder.nodes.values() if n.kind in kinds]
        return self._candidates[key]

    def _target(
        self, node: Node, path: PathKey, ref: str, kinds: tuple[str, ...], what: str
    ) -> Node | None:
        """The node ``ref`` names, if it is of one of ``kinds``; else PB004 or PB005."""
        target = self.ladder.nodes.get(ref)
        if target is not None and ref not in self.targets:
            self.targets[ref] = (target.kind, _spec(target))
        if target is None:
            self.findings.add(
                "PB004",
                f"check-in '{node.id}' reports '{ref}', but no {what} has that id"
                + did_you_mean(ref, self._candidates_of(kinds)),
                node.loc(*path),
            )
            return None
        if target.kind not in kinds:
            self.findings.add(
                "PB005",
                f"check-in '{node.id}' reports '{ref}', which is a {target.label}; "
                f"it reports values for a {what}",
                node.loc(*path),
            )
            return None
        return target

    def _period(
        self, node: Node, path: PathKey, text: str | int, per: str | None, subject: str
    ) -> Period | None:
        """The period written at ``path``: of length ``per`` when given, begun on the
        check-in's ``as_of``, inside the mission horizon; else PB018."""
        period = periods.parse(text)
        if period is None:
            self.findings.add(
                "PB018",
                f"'{text}' is not a period: write a month (2027-03), a quarter (2027-Q1) or a "
                "year (2027)",
                node.loc(*path),
            )
            return None
        if per is not None and period.per != per:
            self.findings.add(
                "PB018",
                f"{subject} is counted per {per}: its period is a {per} such as "
                f"{periods.EXAMPLES[per]}, not '{text}'",
                node.loc(*path),
            )
            return None
        return period if self._within(node, path, period) else None

    def _within(self, node: Node, path: PathKey, period: Period) -> bool:
        """Whether ``period`` has begun on the check-in's ``as_of`` and overlaps the horizon;
        else PB018 at ``path`` (located only then: positions cost a parse of the file)."""
        as_of = node.record(Checkin).as_of
        if period.start > as_of:
            self.findings.add(
                "PB018",
                f"the period {period} has not begun on this check-in's as_of ({as_of}); "
                "report it once it has",
                node.loc(*path),
            )
            return False
        start, end = self.horizon
        if not period.overlaps(start, end):
            self.findings.add(
                "PB018",
                f"the period {period} is outside the mission horizon "
                f"({start or 'open'} to {end or 'open'})",
                node.loc(*path),
            )
            return False
        return True

    def _reading(self, node: Node, i: int, item: ActualValue) -> Reading | None:
        path: PathKey = ("values", i)
        target = self._target(
            node,
            (*path, "metric"),
            item.metric,
            ("metric", "success_factor"),
            "plan metric or success factor",
        )
        if target is None:
            return None
        spec = metric_spec(target)
        if spec is None:
            self.findings.add(
                "PB018",
                f"success factor '{target.id}' has no metric to report against: give it a "
                "'metric' with a name and a target first",
                node.loc(*path, "metric"),
            )
            return None
        as_of = node.record(Checkin).as_of
        per = spec.per
        period: Period | None = None
        if item.period is not None:
            if per is None:
                self.findings.add(
                    "PB018",
                    f"'{target.id}' has no 'per': its value is true on the check-in's as_of "
                    f"({as_of}); leave out 'period', or give the metric a 'per'",
                    node.loc(*path, "period"),
                )
                return None
            period = self._period(node, (*path, "period"), item.period, per, f"'{target.id}'")
            if period is None:
                return None
        elif per is not None:
            period = periods.containing(as_of, per)
            if not self._within(node, (*path, "metric"), period):
                return None
        value = item.value
        return Reading(
            target.id,
            Fraction(value) if type(value) is int else Fraction(str(value)),  # as written
            period,
            as_of,
            item.confidence,
            item.note,
            node.id,
            node.doc,
            (*path, "value"),
        )

    def _volume(self, node: Node, i: int, entry: FunnelVolume) -> Volume | None:
        path: PathKey = ("funnel", i)
        stage = self._target(node, (*path, "stage"), entry.stage, ("stage",), "SLA stage")
        if stage is None:
            return None
        period = self._period(node, (*path, "period"), entry.period, None, "")
        if period is None:
            return None
        if entry.volume < 0:
            self.findings.add(
                "PB018",
                f"a volume is how many reached the stage '{stage.id}': 0 or more, "
                f"not {entry.volume}",
                node.loc(*path, "volume"),
            )
            return None
        as_of = node.record(Checkin).as_of
        return Volume(stage.id, period, entry.volume, as_of, node.id, node.doc, (*path, "volume"))


def checkin_documents(
    pairs: Iterable[tuple[Document, Any]],
) -> list[tuple[Document, Checkin]]:
    """The check-in documents among (document, model) pairs."""
    return [(doc, data) for doc, data in pairs if isinstance(data, Checkin)]


def horizon_of(ladder: Ladder) -> Horizon:
    """The mission's horizon (start, end); (None, None) when it has none."""
    mission = next(ladder.of_kind("mission"), None)
    horizon = mission.record(Mission).horizon if mission is not None else None
    return (horizon.start, horizon.end) if horizon is not None else (None, None)
