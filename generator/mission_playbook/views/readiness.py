"""Alignment readiness: the five prerequisites of Marketing and Sales alignment.

Each prerequisite is judged only from what the playbook holds, by a rule stated in its
``rule`` text (shown on the site and in the README), with the evidence found and what is
missing. The parties are the SLA's parties (Marketing and Sales), or every function when
there is no SLA.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mission_playbook.model.kinds import Function, Glossary, Intent, Mission, Plan, Sla
from mission_playbook.model.ladder import Ladder, Node

MET, PARTLY, MISSING = "met", "partly met", "not met"


@dataclass
class Prerequisite:
    """One prerequisite: its verdict, the rule applied, the evidence and the gaps."""

    name: str
    rule: str
    evidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.missing:
            return MET
        return PARTLY if self.evidence else MISSING


def _parties(ladder: Ladder) -> list[Node]:
    sla = next(ladder.of_kind("sla"), None)
    functions = {n.id: n for n in ladder.of_kind("function")}
    parties = sla.record(Sla).parties if sla is not None else []
    if parties:
        return [functions[p] for p in parties if p in functions]
    return list(functions.values())


def shared_vision(ladder: Ladder) -> Prerequisite:
    p = Prerequisite(
        "Shared vision",
        "The mission has a statement, the commander's intent has a purpose and a vision, and "
        "every party states its role in the mission.",
    )
    mission = next(ladder.of_kind("mission"), None)
    intent = next(ladder.of_kind("intent"), None)
    if mission is not None and mission.record(Mission).statement:
        p.evidence.append("the mission statement")
    else:
        p.missing.append("a mission statement")
    if intent is not None and intent.record(Intent).vision:
        p.evidence.append("the commander's vision")
    else:
        p.missing.append("a vision in the commander's intent")
    for party in _parties(ladder):
        if party.record(Function).role:
            p.evidence.append(f"{party.title}'s role")
        else:
            p.missing.append(f"a role for {party.title}")
    return p


def shared_strategy(ladder: Ladder) -> Prerequisite:
    p = Prerequisite(
        "Shared strategy",
        "Every party has a strategic concept and estimates that answer key tasks, and the "
        "parties answer at least one key task together.",
    )
    parties = _parties(ladder)
    answered: list[set[str]] = []
    for party in parties:
        tasks = {t.id for e in ladder.of_kind("estimate") if e.owner is party for t in ladder.up(e)}
        answered.append(tasks)
        if party.record(Function).concept:
            p.evidence.append(f"{party.title}'s strategic concept")
        else:
            p.missing.append(f"a strategic concept for {party.title}")
        if not tasks:
            p.missing.append(f"estimates by {party.title} that answer key tasks")
    if len(answered) > 1:
        common = set.intersection(*answered)
        if common:
            shared = "a key task" if len(common) == 1 else f"{len(common)} key tasks"
            p.evidence.append(f"{shared} answered by every party")
        else:
            p.missing.append("a key task that every party answers")
    return p


def integrated_process(ladder: Ladder) -> Prerequisite:
    p = Prerequisite(
        "Integrated process",
        "An SLA defines the funnel's stages, each with a definition, entry and exit criteria "
        "(the qualification gates) and an owner, with stages owned by more than one party.",
    )
    sla = next(ladder.of_kind("sla"), None)
    if sla is None:
        p.missing.append("an SLA (kind: sla) with the stages of the funnel")
        return p
    owners = set()
    for stage in sla.record(Sla).stages:
        owners.add(stage.owner)
        gaps = [f for f in ("definition", "entry", "exit") if not getattr(stage, f)]
        if gaps:
            p.missing.append(f"{' and '.join(gaps)} for stage '{stage.id}'")
        else:
            p.evidence.append(f"stage '{stage.id}' defined with its gates")
    if len(owners) < 2:
        p.missing.append("stages owned by both Marketing and Sales")
    else:
        p.evidence.append(f"stages owned by {', '.join(sorted(owners))}")
    return p


def shared_methodologies(ladder: Ladder) -> Prerequisite:
    p = Prerequisite(
        "Shared methodologies",
        "The glossary defines every stage of the funnel, and every party plans along the same "
        "customer lifecycle (its plans name lifecycle stages).",
    )
    terms = {
        w.lower()
        for g in ladder.of_kind("glossary")
        for t in g.record(Glossary).terms
        for w in (t.term, *t.aliases)
    }
    sla = next(ladder.of_kind("sla"), None)
    for stage in sla.record(Sla).stages if sla is not None else []:
        names = {stage.id.lower(), (stage.name or "").lower()}
        if names & terms:
            p.evidence.append(f"a glossary entry for '{stage.name or stage.id}'")
        else:
            p.missing.append(f"a glossary entry for the stage '{stage.name or stage.id}'")
    for party in _parties(ladder):
        staged = [
            n
            for n in ladder.of_kind("plan")
            if n.function == party.id and n.record(Plan).lifecycle_stage
        ]
        if staged:
            plans = "plan" if len(staged) == 1 else "plans"
            p.evidence.append(f"{len(staged)} {party.title} {plans} on the customer lifecycle")
        else:
            p.missing.append(f"{party.title} plans placed on the customer lifecycle")
    return p


def shared_technologies(ladder: Ladder) -> Prerequisite:
    p = Prerequisite(
        "Shared technologies",
        "Every stage of the funnel names its system of record, so that both parties read the "
        "same numbers.",
    )
    sla = next(ladder.of_kind("sla"), None)
    if sla is None:
        p.missing.append("an SLA whose stages name their systems of record")
        return p
    systems = set()
    for stage in sla.record(Sla).stages:
        if stage.system_of_record:
            systems.add(stage.system_of_record)
        else:
            p.missing.append(f"a system of record for stage '{stage.id}'")
    if systems:
        p.evidence.append("systems of record: " + ", ".join(sorted(systems)))
    return p


def assess(ladder: Ladder) -> list[Prerequisite]:
    """The five prerequisites, in the order docs/model.md and the README list them."""
    return [
        shared_vision(ladder),
        shared_strategy(ladder),
        integrated_process(ladder),
        shared_methodologies(ladder),
        shared_technologies(ladder),
    ]


def summary(prerequisites: list[Prerequisite]) -> str:
    """``readiness 4/5 (not met: shared technologies)``."""
    met = [p for p in prerequisites if p.status == MET]
    text = f"readiness {len(met)}/{len(prerequisites)}"
    gaps = [p.name.lower() for p in prerequisites if p.status != MET]
    return text + (f" (open: {', '.join(gaps)})" if gaps else "")
