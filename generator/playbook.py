"""Loading a playbook: plan files in, a model and its diagnostics out.

``load`` is a pure function of the files (it writes nothing): it reads every plan file,
checks each node on its own, indexes ids, resolves the ladder, then checks the links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator import ladder as ladder_mod
from generator import links, metrics, schedule, waterfall
from generator.config import ConfigError, Settings
from generator.diagnostics import Diagnostic, Findings, Location, Severity, apply_severities
from generator.ladder import Ladder, Node
from generator.source import Document, display_path, plan_files, read_file
from generator.validate import validate

#: Rungs counted in the summary: (kind, plural label, what "covered" means).
COVERAGE_RUNGS = (
    ("success_factor", "success factors"),
    ("key_task", "key tasks"),
    ("estimate", "estimates"),
    ("plan", "plans"),
)


@dataclass
class Coverage:
    """How many nodes a rung has and how many are linked into the ladder."""

    kind: str
    label: str
    total: int
    covered: int

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 1.0


@dataclass
class Playbook:
    """A loaded playbook: the ladder of nodes, derived views and all diagnostics."""

    root: Path
    ladder: Ladder
    diagnostics: list[Diagnostic]
    files: list[str] = field(default_factory=list)
    waterfalls: list[waterfall.Waterfall] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)

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

    def coverage(self) -> list[Coverage]:
        """Per rung: success factors, key tasks and estimates with something below them,
        plans with something above them."""
        out = []
        for kind, label in COVERAGE_RUNGS:
            nodes = self.of_kind(kind)
            if kind == "plan":
                covered = sum(1 for n in nodes if self.ladder.parents.get(n.id))
            else:
                covered = sum(1 for n in nodes if self.ladder.children.get(n.id))
            out.append(Coverage(kind, label, len(nodes), covered))
        return out


def read_documents(
    root: Path, settings: Settings, findings: Findings
) -> tuple[list[Document], list[str]]:
    """Every document of every plan file under ``root``."""
    if not root.is_dir():
        raise ConfigError(f"{root}: the plans folder does not exist")
    documents: list[Document] = []
    files: list[str] = []
    for path in plan_files(root):
        files.append(display_path(path))
        documents.extend(read_file(path, findings, settings.max_file_size))
    return documents, files


def build(root: Path, documents: list[Document], findings: Findings) -> Ladder:
    """Validate each document, index the nodes and resolve the ladder."""
    typed = []
    singletons: dict[str, Document] = {}
    for doc in documents:
        data, set_aside = validate(doc, findings)
        if data is None:
            continue
        doc.set_aside = set_aside
        kind = str(data.kind)
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
    return waterfall.check(ladder, findings), cycles


def load(plans: str | Path = "plans", settings: Settings | None = None) -> Playbook:
    """Load and check the playbook in ``plans``: a model and every finding, all in one run."""
    settings = settings or Settings(plans=Path(plans))
    root = Path(plans)
    findings = Findings()
    documents, files = read_documents(root, settings, findings)
    ladder = build(root, documents, findings)
    waterfalls, cycles = check(ladder, findings)
    diagnostics = apply_severities(findings.items, settings.severity)
    return Playbook(root, ladder, diagnostics, files, waterfalls, cycles)
