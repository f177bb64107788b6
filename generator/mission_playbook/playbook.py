"""Loading a playbook: plan files in, a model and its diagnostics out.

``load`` is a pure function of the files (it writes nothing): it reads every plan file,
checks each node on its own, indexes ids, resolves the ladder, then checks the links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from mission_playbook.checks import checkins, coverage, funnel, links, metrics, schedule, waterfall
from mission_playbook.checks import status as rollup
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

    def coverage(self) -> list[Coverage]:
        """Per rung, its nodes and how many are linked (``checks/coverage.py``)."""
        return coverage.coverage(self.ladder)


@dataclass
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
    sources: Sources, settings: Settings, findings: Findings
) -> tuple[list[FileResult], list[str]]:
    """Every plan file, parsed or taken from the cache, then checked on its own."""
    cache = FileCache(sources.root, settings.cache_dir) if settings.cache else None
    findings.extend(sources.findings.items)
    results: list[FileResult] = []
    for source in sources.files:
        raw, file = source.raw, source.file
        if raw is None:
            continue
        key = cache.key(file, raw) if cache else ""
        parsed = cache.get(key) if cache else None
        if parsed is None:
            parse_findings = Findings()
            documents = parse_bytes(raw, file, parse_findings, origin=source.path.absolute())
            if cache:
                cache.put(key, ParsedFile.of(documents, parse_findings.items))
        else:
            documents = parsed.documents(file, source.path.absolute())
            parse_findings = Findings()
            parse_findings.extend(parsed.findings)
        has_todo = PLACEHOLDER.encode() in raw  # most files have none: skip the walk
        results.append(validate_file(documents, parse_findings, has_todo))
        findings.extend(results[-1].findings)
    if cache:
        cache.save()
    return results, [source.file for source in sources.files]


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
    """Every link check, in one pass each."""
    links.check_references(ladder, findings)
    links.check_orphans(ladder, findings)
    links.check_coverage(ladder, findings)
    links.check_functions(ladder, findings)
    mission = next(ladder.of_kind("mission"), None)
    if mission is not None:
        links.check_lifecycle(ladder, mission.data.lifecycle, findings)
        horizon = mission.data.horizon
        bounds = (horizon.start, horizon.end) if horizon else (None, None)
    else:
        bounds = (None, None)
    cycles = schedule.check_cycles(ladder, findings)
    schedule.check_schedule(ladder, bounds, findings)
    metrics.check(ladder, findings)
    rollup.check_measures(ladder, findings)
    return waterfall.check(ladder, findings), cycles


def judge(
    ladder: Ladder,
    results: list[FileResult],
    waterfalls: list[waterfall.Waterfall],
    settings: Settings,
    findings: Findings,
) -> tuple[checkins.Actuals, rollup.Statuses, list[funnel.Funnel]]:
    """The actuals of every check-in, the status of every node and the funnel against the SLA,
    with their findings (PB015, PB016, PB018)."""
    pairs = ((d, m) for r in results for d, m in zip(r.documents, r.models, strict=True))
    horizon = checkins.horizon_of(ladder)
    actuals = checkins.collect(ladder, checkins.checkin_documents(pairs), horizon, findings)
    if actuals.as_of is None:
        return actuals, rollup.Statuses(), []
    thresholds = rollup.Thresholds.of(settings.at_risk, settings.tolerance)
    statuses = rollup.judge(ladder, actuals, horizon, thresholds)
    rollup.check_stale(ladder, actuals, horizon, findings)
    if settings.severity.get("PB016", CATALOGUE["PB016"].severity) is not Severity.OFF:
        rollup.check_off_track(statuses, findings)  # off by default: its places cost parses
    return actuals, statuses, funnel.compare(waterfalls, actuals)


def load(
    plans: str | Path = "plans", settings: Settings | None = None, sources: Sources | None = None
) -> Playbook:
    """Load and check the playbook in ``plans``: a model and every finding, all in one run.

    ``sources`` are the plan files when the caller has read them already.
    """
    settings = settings or Settings(plans=Path(plans), cache=False)
    root = Path(plans)
    sources = sources or read_plans(root, settings.max_file_size)
    findings = Findings()
    results, files = read_all(sources, settings, findings)
    ladder = build(root, results, findings)
    waterfalls, cycles = check(ladder, findings)
    actuals, statuses, funnels = judge(ladder, results, waterfalls, settings, findings)
    diagnostics = apply_severities(findings.items, settings.severity)
    return Playbook(
        root, ladder, diagnostics, files, waterfalls, cycles, actuals, statuses, funnels
    )
