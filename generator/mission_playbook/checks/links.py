"""Checks of links between nodes: PB004 unknown ids, PB005 wrong rungs, PB006 orphans,
PB007 uncovered nodes (both as ``checks/coverage.py`` defines them), PB011 plans serving
another function's estimate. References of assumptions (``tripwire.metric``, ``branch``, a
decider by id) and a plan's ``branch_of`` are checked here with the others.

Every check is one pass over the nodes with dictionary look-ups into the id index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from mission_playbook.checks import coverage
from mission_playbook.model import kinds as k
from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.ladder import LABELS, SUPPORTS, Ladder, Node
from mission_playbook.model.people import owner_field


@dataclass(frozen=True, slots=True)
class Reference:
    """One id written in a field, and the kinds of node that field may name."""

    node: Node
    path: tuple[str | int, ...]
    target: str
    kinds: tuple[str, ...]

    @property
    def field(self) -> str:
        """The field as messages name it: ``supports``, ``tripwire.metric``."""
        if self.path[0] in ("tripwire", "decision"):
            return ".".join(str(p) for p in self.path if isinstance(p, str))
        return str(self.path[0])


def _listed(
    node: Node, field: str, values: list[str], kinds: tuple[str, ...]
) -> Iterator[Reference]:
    for i, value in enumerate(values):
        yield Reference(node, (field, i), value, kinds)


def references(node: Node) -> Iterator[Reference]:
    """Every id reference a node makes (commitments are the waterfall's concern)."""
    d = node.data
    kind = node.kind
    who = owner_field(node)
    if who is not None and isinstance(getattr(d, who), k.PersonRef):
        yield Reference(node, (who, "person"), getattr(d, who).person, ("person",))
    if isinstance(d, k.KeyTask | k.Estimate | k.Plan):
        yield from _listed(node, "supports", d.supports, (SUPPORTS[kind],))
    if isinstance(d, k.KeyTask):
        yield from _listed(node, "markets", d.markets, ("market",))
    elif isinstance(d, k.Plan):
        yield Reference(node, ("function",), d.function, ("function",))
        yield from _listed(node, "depends_on", d.depends_on, ("plan",))
        yield from _listed(node, "markets", d.markets, ("market",))
        yield from _listed(node, "customers", d.customers, ("customer",))
        if d.branch_of is not None:
            yield Reference(node, ("branch_of",), d.branch_of, ("assumption",))
    elif isinstance(d, k.Metric):
        if d.drives is not None:
            yield Reference(node, ("drives",), d.drives, ("success_factor", "metric"))
    elif isinstance(d, k.Customer):
        if d.market is not None:
            yield Reference(node, ("market",), d.market, ("market",))
    elif isinstance(d, k.Intent):
        for i, end in enumerate(d.end_state):
            if end.measured_by is not None:
                yield Reference(
                    node, ("end_state", i, "measured_by"), end.measured_by, ("success_factor",)
                )
    elif isinstance(d, k.Function):
        for i, task in enumerate(d.mission_analysis.specified_tasks):
            if task.from_ is not None:
                yield Reference(
                    node,
                    ("mission_analysis", "specified_tasks", i, "from"),
                    task.from_,
                    ("key_task",),
                )
    elif isinstance(d, k.Sla):
        yield from _listed(node, "parties", d.parties, ("function",))
    elif isinstance(d, k.Stage):
        yield Reference(node, ("owner",), d.owner, ("function",))
    elif isinstance(d, k.Assumption):
        if d.tripwire is not None:
            metric = d.tripwire.metric
            yield Reference(node, ("tripwire", "metric"), metric, ("metric", "success_factor"))
        if d.decision is not None and isinstance(d.decision.decider, k.PersonRef):
            who = d.decision.decider.person
            yield Reference(node, ("decision", "decider", "person"), who, ("person",))
        if d.branch is not None:
            yield Reference(node, ("branch",), d.branch, ("plan",))


def _kinds_text(kinds: tuple[str, ...]) -> str:
    return " or ".join(("an " if LABELS[i][0] in "aeiou" else "a ") + LABELS[i] for i in kinds)


def check_references(ladder: Ladder, findings: Findings) -> None:
    """PB004 for an id that does not exist, PB005 for an id of the wrong kind."""
    by_kind: dict[str, list[str]] | None = None
    for node in list(ladder.nodes.values()):
        for ref in references(node):
            if (*node.path, *ref.path) in node.doc.set_aside:
                continue  # a bad value the schema check reported (PB002) and replaced
            target = ladder.nodes.get(ref.target)
            if target is not None and target.kind in ref.kinds:
                continue
            where = node.loc(*ref.path)
            field = ref.field
            if target is None:
                if by_kind is None:  # built once, only when a reference is broken
                    by_kind = defaultdict(list)
                    for n in ladder.nodes.values():
                        by_kind[n.kind].append(n.id)
                candidates = [i for k in ref.kinds for i in by_kind.get(k, [])]
                findings.add(
                    "PB004",
                    f"{node.label} '{node.id}' names '{ref.target}' in '{field}', but no "
                    f"{' or '.join(LABELS[k] for k in ref.kinds)} has that id"
                    + did_you_mean(ref.target, candidates),
                    where,
                )
            else:
                findings.add("PB005", _wrong_rung(ladder, node, ref, target), where)


def _wrong_rung(ladder: Ladder, node: Node, ref: Reference, target: Node) -> str:
    text = (
        f"{node.label} '{node.id}' names the {target.label} '{target.id}' in '{ref.field}', "
        f"which must name {_kinds_text(ref.kinds)}"
    )
    if ref.path[0] != "supports":
        return text
    want = ref.kinds[0]
    text += (
        f"; the ladder is mission → success factor → key task → estimate → plan, and a "
        f"{node.label} supports the rung just above it"
    )
    suggestions = [c.id for c in ladder.down(target) if c.kind == want]
    if target.kind == "success_factor" and want == "estimate":
        suggestions = [e.id for kt in ladder.down(target) for e in ladder.down(kt)]
    if node.kind == "plan":
        own = node.function
        suggestions = [s for s in suggestions if ladder.nodes[s].function == own] or suggestions
    if suggestions:
        shown = ", ".join(f"'{s}'" for s in suggestions[:3])
        text += f" (the {LABELS[want]}s under '{target.id}' are {shown})"
    return text


def check_orphans(ladder: Ladder, findings: Findings) -> None:
    """PB006 for every orphan (``checks/coverage.py``): a key task, estimate or plan that
    supports nothing on the ladder. One whose ``supports`` the schema check set aside is left
    to that finding (PB002): its value was never read."""
    for node in coverage.orphans(ladder):
        if (*node.path, "supports") in node.doc.set_aside:
            continue
        want = SUPPORTS[node.kind]
        if node.supports:  # every entry names an unknown id (PB004) or another kind (PB005)
            findings.add(
                "PB006",
                f"{node.label} '{node.id}' supports nothing: no id in its 'supports' is "
                f"{_kinds_text((want,))}, so it does not trace up to the mission",
                node.loc("supports"),
            )
            continue
        written = node.doc.has_value((*node.path, "supports"))
        where = node.loc("supports") if written else node.loc("id")
        findings.add(
            "PB006",
            f"{node.label} '{node.id}' supports nothing: list in 'supports' the "
            f"{LABELS[want]} it serves, so that it traces up to the mission",
            where,
        )


_UNCOVERED = {
    "success_factor": "no key task of the commander's intent supports it",
    "key_task": "no function's estimate supports it",
    "estimate": "no supporting plan supports it",
}


def check_coverage(ladder: Ladder, findings: Findings) -> None:
    """PB007 for every uncovered node (``checks/coverage.py``): a success factor, key task or
    estimate that nothing below supports."""
    for node in coverage.uncovered(ladder):
        findings.add(
            "PB007",
            f"{node.label} '{node.id}' is uncovered: {_UNCOVERED[node.kind]}, so nothing is "
            "planned to achieve it",
            node.loc("id"),
        )


def check_functions(ladder: Ladder, findings: Findings) -> None:
    """PB011: a plan supporting an estimate of another function."""
    for node in ladder.nodes.values():
        plan = node.data
        if not isinstance(plan, k.Plan):
            continue
        own = ladder.nodes.get(plan.function)
        if own is None or own.kind != "function":
            continue  # an unknown function (PB004) or another kind of node (PB005)
        for i, ref in enumerate(plan.supports):
            target = ladder.nodes.get(ref)
            if target is None or target.kind != "estimate" or target.function == node.function:
                continue
            findings.add(
                "PB011",
                f"plan '{node.id}' of {node.function} supports '{ref}', an estimate of "
                f"{target.function}; a function plans against its own estimates (ask "
                f"{target.function} to adopt the plan, or add an estimate to {node.function})",
                node.loc("supports", i),
            )


def check_lifecycle(ladder: Ladder, lifecycle: list[str], findings: Findings) -> None:
    """PB004 for a plan's lifecycle stage that the mission's lifecycle does not list."""
    known = set(lifecycle)
    for node in ladder.of_kind("plan"):
        stage = node.record(k.Plan).lifecycle_stage
        if stage is not None and stage not in known:
            findings.add(
                "PB004",
                f"plan '{node.id}' names the lifecycle stage '{stage}', which the mission's "
                f"lifecycle ({', '.join(lifecycle)}) does not have"
                + did_you_mean(stage, lifecycle),
                node.loc("lifecycle_stage"),
            )
