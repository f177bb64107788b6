"""Loading a playbook: plan files in, a model and its diagnostics out.

``load`` is a pure function of the files: it reads every plan file, checks each node on its
own, indexes ids, resolves the ladder, then checks the links. It reads or writes a cache only
when its caller passes one (the command line and the MkDocs plugin do, as the settings say).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mission_playbook.checks import (
    assumptions,
    checkins,
    coverage,
    funnel,
    links,
    metrics,
    review,
    schedule,
    waterfall,
)
from mission_playbook.checks import status as rollup
from mission_playbook.checks.assumptions import Assumptions, AssumptionState
from mission_playbook.checks.coverage import Coverage
from mission_playbook.model import kinds as model
from mission_playbook.model import ladder as ladder_mod
from mission_playbook.model.cache import FileCache, ParsedFile
from mission_playbook.model.config import Settings, read_plans
from mission_playbook.model.diagnostics import (
    CATALOGUE,
    Diagnostic,
    Findings,
    Location,
    Severity,
    apply_severities,
)
from mission_playbook.model.files import Sources, display_path
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.model.source import Document, parse_bytes
from mission_playbook.model.validate import PLACEHOLDER, check_placeholders, validate


@dataclass
class Playbook:
    """A loaded playbook: the ladder of nodes, derived views and all diagnostics."""

    root: Path
    ladder: Ladder
    diagnostics: list[Diagnostic]
    files: list[str] = field(default_factory=list)
    waterfalls: list[waterfall.Waterfall] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    # actuals (docs/model.md, "Actuals"): empty when there is no check-in
    actuals: checkins.Actuals = field(default_factory=checkins.Actuals)
    statuses: rollup.Statuses = field(default_factory=rollup.Statuses)
    funnels: list[funnel.Funnel] = field(default_factory=list)
    # assumptions and decisions (docs/model.md): every assumption node untested without check-ins
    assumptions: Assumptions = field(default_factory=Assumptions)
    # each plan file as the project names it, once asked (export/tables.py, project_file)
    file_names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def nodes(self) -> dict[str, Node]:
        return self.ladder.nodes

    @property
    def mission(self) -> Node | None:
        return next(self.ladder.of_kind("mission"), None)

    @property
    def intent(self) -> Node | None:
        return next(self.ladder.of_kind("intent"), None)

    def of_kind(self, kind: str) -> list[Node]:
        return list(self.ladder.of_kind(kind))

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def as_of(self) -> dt.date | None:
        """The date the actuals are true: the latest check-in's ``as_of`` (never the clock);
        None when there is no check-in."""
        return self.actuals.as_of

    def status(self, node_id: str) -> rollup.NodeStatus | None:
        """The status of a metric, plan, success factor, estimate, key task or function with
        the figures behind it; None without check-ins (or for a node of another kind)."""
        return self.statuses.of(node_id)

    def assumption(self, node_id: str) -> AssumptionState | None:
        """The state of an assumption node (holding, tripped or untested) with the actual
        behind it; None for any other id."""
        return self.assumptions.of(node_id)

    def coverage(self) -> list[Coverage]:
        """Per rung, its nodes and how many are linked (``checks/coverage.py``)."""
        return coverage.coverage(self.ladder)


@dataclass(frozen=True, slots=True)
class FileResult:
    """One plan file checked on its own: its documents, their models and its findings."""

    documents: list[Document]
    models: list[model.Document | None]
    findings: list[Diagnostic]


def validate_file(
    documents: list[Document], findings: Findings, placeholders: bool = True
) -> FileResult:
    """Check each document of a file on its own: schema (PB002), placeholders (PB014)."""
    models = []
    for doc in documents:
        data, doc.set_aside = validate(doc, findings)
        models.append(data)
        if placeholders:
            check_placeholders(doc, findings)
    return FileResult(documents, models, findings.items)


def read_all(
    sources: Sources,
    findings: Findings,
    cache: FileCache | None = None,
    kept: dict[str, FileResult] | None = None,
) -> tuple[list[FileResult], list[str]]:
    """Every plan file, parsed or taken from ``cache``, then checked on its own.

    ``kept`` holds the results of the last read in this process (``mkdocs serve``), by each
    file's name, place and bytes: a file that did not change is neither parsed nor checked
    again, and ``kept`` becomes this read's. The disk cache is then read only when ``kept``
    is empty (the first build), and a file that changed is parsed without it.
    """
    cache = cache if not kept else None
    findings.extend(sources.findings.items)
    results: list[FileResult] = []
    now: dict[str, FileResult] = {}
    for source in sources.files:
        raw, file = source.raw, source.file
        if raw is None:
            continue
        origin = source.path.absolute()
        known = f"{FileCache.key(file, raw)}\0{origin}" if kept is not None else ""
        result = kept.get(known) if kept else None
        if result is None:
            result = _check_file(raw, file, origin, cache)
        if kept is not None:
            now[known] = result
        results.append(result)
        findings.extend(result.findings)
    if cache:
        cache.save()
    if kept is not None:
        kept.clear()
        kept.update(now)
    return results, [source.file for source in sources.files]


def _check_file(raw: bytes, file: str, origin: Path, cache: FileCache | None) -> FileResult:
    """One file parsed (or taken from the cache) and checked on its own."""
    key = cache.key(file, raw) if cache else ""
    parsed = cache.get(key) if cache else None
    if parsed is None:
        parse_findings = Findings()
        documents = parse_bytes(raw, file, parse_findings, origin=origin)
        if cache:
            cache.put(key, ParsedFile.of(documents, parse_findings.items))
    else:
        documents = parsed.documents(file, origin)
        parse_findings = Findings()
        parse_findings.extend(parsed.findings)
    has_todo = PLACEHOLDER.encode() in raw  # most files have none: skip the walk
    return validate_file(documents, parse_findings, has_todo)


def build(root: Path, results: list[FileResult], findings: Findings) -> Ladder:
    """Index the nodes of every valid document and resolve the ladder."""
    typed = []
    singletons: dict[str, Document] = {}
    pairs = ((d, m) for r in results for d, m in zip(r.documents, r.models, strict=True))
    for doc, data in pairs:
        if data is None:
            continue
        kind = str(data.kind)
        if kind == "checkin":  # not a node of the ladder: read by ``judge``
            continue
        if kind in ("mission", "intent"):
            first = singletons.get(kind)
            if first is not None:
                findings.add(
                    "PB002",
                    f"a second {kind}; a playbook has exactly one (the first is at {first.loc()})",
                    doc.loc(("kind",)),
                    related=[first.loc()],
                )
                continue
            singletons[kind] = doc
        typed.append((doc, data))
    for kind in ("mission", "intent"):
        if kind not in singletons:
            findings.add(
                "PB002",
                f"the playbook has no {kind}: add a file with 'kind: {kind}'",
                Location(display_path(root)),
            )
    ladder = ladder_mod.index(typed, findings)
    ladder_mod.link(ladder)
    return ladder


def check(ladder: Ladder, findings: Findings) -> tuple[list[waterfall.Waterfall], list[list[str]]]:
    """Every link check, in one pass each (coverage and orphans after the branch plans'
    dormancy is known: ``Ladder.dormant``)."""
    links.check_references(ladder, findings)
    links.check_orphans(ladder, findings)
    links.check_coverage(ladder, findings)
    links.check_functions(ladder, findings)
    mission = next(ladder.of_kind("mission"), None)
    if mission is not None:
        data = mission.record(model.Mission)
        links.check_lifecycle(ladder, data.lifecycle, findings)
        horizon = data.horizon
        bounds = (horizon.start, horizon.end) if horizon else (None, None)
    else:
        bounds = (None, None)
    cycles = schedule.check_cycles(ladder, findings)
    schedule.check_schedule(ladder, bounds, findings)
    metrics.check(ladder, findings)
    rollup.check_measures(ladder, findings)
    review.check(ladder, findings)
    assumptions.check(ladder, findings)
    return waterfall.check(ladder, findings), cycles


def collect(
    ladder: Ladder,
    results: list[FileResult],
    findings: Findings,
    derived: dict[str, Any] | None = None,
) -> tuple[checkins.Actuals, Assumptions]:
    """The actuals of every check-in (PB018 and their references), then the state of every
    assumption, which decides which branch plans are dormant (``Ladder.dormant``).
    ``derived``: what the last load of this process collected (``checkins.Collected``)."""
    pairs = ((d, m) for r in results for d, m in zip(r.documents, r.models, strict=True))
    horizon = checkins.horizon_of(ladder)
    documents = checkins.checkin_documents(pairs)
    actuals = checkins.collect(ladder, documents, horizon, findings, derived)
    states = assumptions.judge(ladder, actuals)
    ladder.dormant = states.dormant()
    return actuals, states


def judge(
    ladder: Ladder,
    actuals: checkins.Actuals,
    states: Assumptions,
    waterfalls: list[waterfall.Waterfall],
    settings: Settings,
    findings: Findings,
    derived: dict[str, Any] | None = None,
) -> tuple[rollup.Statuses, list[funnel.Funnel]]:
    """The status of every node and the funnel against the SLA, with their findings (PB015,
    PB016), and the decisions overdue (PB017)."""
    assumptions.check_decisions(states, findings)
    if actuals.as_of is None:
        return rollup.Statuses(), []
    horizon = checkins.horizon_of(ladder)
    thresholds = rollup.Thresholds.of(settings.at_risk, settings.tolerance)
    statuses = rollup.judge(ladder, actuals, horizon, thresholds, derived)
    rollup.check_stale(ladder, actuals, horizon, findings)
    if settings.severity.get("PB016", CATALOGUE["PB016"].severity) is not Severity.OFF:
        rollup.check_off_track(statuses, findings)  # off by default: its places cost parses
    return statuses, funnel.compare(waterfalls, actuals)


def load(
    plans: str | Path = "plans",
    settings: Settings | None = None,
    sources: Sources | None = None,
    cache: FileCache | None = None,
    kept: dict[str, FileResult] | None = None,
    derived: dict[str, Any] | None = None,
) -> Playbook:
    """Load and check the playbook in ``plans``: a model and every finding, all in one run.

    ``sources`` are the plan files when the caller has read them already; ``cache`` keeps
    parsed files between runs (``model/cache.py``'s ``file_cache``). Without one, every file
    is parsed and no cache is read or written, whatever the settings say. ``kept``: the files
    checked by the last load of this process (see ``read_all``); ``derived``: what it
    derived that a load may reuse (the check-ins' actuals: ``checkins.collect``).
    """
    settings = settings or Settings(plans=Path(plans))
    root = Path(plans)
    sources = sources or read_plans(root, settings.max_file_size)
    findings = Findings()
    results, files = read_all(sources, findings, cache, kept)
    ladder = build(root, results, findings)
    actuals, states = collect(ladder, results, findings, derived)
    waterfalls, cycles = check(ladder, findings)
    statuses, funnels = judge(ladder, actuals, states, waterfalls, settings, findings, derived)
    diagnostics = apply_severities(findings.items, settings.severity)
    return Playbook(
        root, ladder, diagnostics, files, waterfalls, cycles, actuals, statuses, funnels, states
    )
