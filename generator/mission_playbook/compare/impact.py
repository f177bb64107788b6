"""Impact: who must re-read what, after a change above the plans (the catchball).

For every node added, removed, renamed or changed at a rung above the plans (a success factor,
key task or estimate, the SLA, one of its stages or commitments, an assumption), the nodes
beneath it that now rest on a change, down to the plans, grouped by who answers for them
(``model/people.py``), with their handles, so that each owner sees what to re-read:

- beneath a success factor, key task or estimate: the key tasks, estimates and plans below it
  on the ladder (for a node removed, those that hung from it and are still there);
- beneath an SLA stage: the plans of the function that owns it and of the parties that commit
  to it; beneath a change to the SLA itself, the plans of the parties whose commitments
  changed, or of every party and stage owner when a number of the waterfall changed;
- beneath an assumption: its branch plan, and the estimates and plans of the function whose
  analysis holds it.

Nodes added by the same change are left out (they were written against it). A change with
nothing beneath it is listed as such. Everything is read from the snapshots of both sides
(``compare/snapshot.py``), so the same walk serves the pull-request comment and the site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mission_playbook.compare.snapshot import Json, NodeSnapshot, Snapshot
from mission_playbook.model.people import Someone

#: Kinds above the plans whose change reaches the nodes beneath them.
ABOVE = frozenset({"success_factor", "key_task", "estimate", "sla", "stage", "assumption"})
#: Kinds listed as resting on a change: the rungs from key tasks down to plans.
BENEATH = ("key_task", "estimate", "plan")
#: Fields of the SLA whose change moves what every stage needs.
WATERFALL = frozenset(
    {"period", "revenue_target", "run_rate_share", "marketing_share", "average_deal"}
)


@dataclass(frozen=True, slots=True)
class Cause:
    """A node changed above the plans, and how: added, removed, renamed, changed."""

    kind: str
    id: str
    title: str
    how: str


@dataclass(frozen=True, slots=True)
class Affected:
    """A node that rests on changes above it (the ids of those changes)."""

    kind: str
    id: str
    title: str
    function: str | None
    causes: list[str]


@dataclass(frozen=True, slots=True)
class OwnerImpact:
    """One owner and what they should re-read; no name when nobody is named."""

    name: str | None
    handle: str | None
    nodes: list[Affected] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Impact:
    """The changes above the plans, what rests on them by owner, and those with nothing
    beneath."""

    causes: list[Cause] = field(default_factory=list)
    owners: list[OwnerImpact] = field(default_factory=list)
    nothing_beneath: list[Cause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.causes)

    @property
    def count(self) -> int:
        return sum(len(o.nodes) for o in self.owners)


def _children(nodes: dict[str, NodeSnapshot]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for node in nodes.values():
        for parent in node.parents:
            out[parent].append(node.id)
    return out


def _down(start: str, children: dict[str, list[str]]) -> list[str]:
    """Every node below ``start`` on the ladder, nearest first, without repeats."""
    seen = {start}
    out: list[str] = []
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for node_id in frontier:
            for child in children.get(node_id, ()):
                if child not in seen:
                    seen.add(child)
                    out.append(child)
                    nxt.append(child)
        frontier = nxt
    return out


class _Sides:
    """Both snapshots, with what the walk looks up on each, made once."""

    def __init__(self, base: Snapshot, head: Snapshot) -> None:
        self.base, self.head = base, head
        self.children = {"base": _children(base.nodes), "head": _children(head.nodes)}
        self.plans_of: dict[str, list[str]] = defaultdict(list)
        self.estimates_of: dict[str, list[str]] = defaultdict(list)
        for node in head.nodes.values():
            if node.kind == "plan" and node.function:
                self.plans_of[node.function].append(node.id)
            elif node.kind == "estimate" and node.function:
                self.estimates_of[node.function].append(node.id)

    def node(self, side: str, node_id: str) -> NodeSnapshot | None:
        return (self.head if side == "head" else self.base).nodes.get(node_id)

    def functions_of_sla(self, node: NodeSnapshot, changed: Iterable[str]) -> list[str]:
        """The functions whose plans rest on a change to the SLA's own fields."""
        fields = node.fields
        commitments = [c for c in fields.get("commitments") or [] if isinstance(c, dict)]
        stages = [self.node("head", s) or self.node("base", s) for s in self._stages(node)]
        everyone = [str(p) for p in fields.get("parties") or []]
        everyone += [str(s.fields.get("owner")) for s in stages if s is not None]
        everyone += [str(c.get("party")) for c in commitments]
        if set(changed) & WATERFALL:
            return list(dict.fromkeys(everyone))
        if "commitments" in changed:
            other = self.node("base", node.id)
            written = other.fields.get("commitments") if other is not None else None
            before = [c for c in written or [] if isinstance(c, dict)]
            moved = [c for c in commitments if c not in before]
            moved += [c for c in before if c not in commitments]
            return list(dict.fromkeys(str(c.get("party")) for c in moved))
        if "parties" in changed:
            return list(dict.fromkeys(everyone))
        return []

    def _stages(self, sla: NodeSnapshot) -> list[str]:
        return [n.id for n in self.head.nodes.values() if n.owner == sla.id and n.kind == "stage"]

    def functions_of_stage(self, stage: NodeSnapshot) -> list[str]:
        out = [str(stage.fields.get("owner"))]
        sla = self.node("head", stage.owner or "") or self.node("base", stage.owner or "")
        for c in (sla.fields.get("commitments") or []) if sla is not None else []:
            if isinstance(c, dict) and c.get("stage") == stage.id:
                out.append(str(c.get("party")))
        return list(dict.fromkeys(out))

    def beneath(self, cause: Cause, side: str, changed: Iterable[str]) -> list[str]:
        """The ids (in ``head``) of the nodes that rest on a change."""
        node = self.node(side, cause.id)
        if node is None:
            return []
        if node.kind in ("success_factor", "key_task", "estimate"):
            found = _down(node.id, self.children[side])
            return [i for i in found if i in self.head.nodes]
        if node.kind == "stage":
            return [p for f in self.functions_of_stage(node) for p in self.plans_of.get(f, [])]
        if node.kind == "sla":
            functions = self.functions_of_sla(node, changed)
            return [p for f in functions for p in self.plans_of.get(f, [])]
        if node.kind == "assumption":
            out = [str(node.fields["branch"])] if node.fields.get("branch") else []
            if node.owner_kind == "function" and node.owner is not None:
                out += self.estimates_of.get(node.owner, []) + self.plans_of.get(node.owner, [])
            return [i for i in dict.fromkeys(out) if i in self.head.nodes]
        return []


def _someone(value: Json, nodes: dict[str, NodeSnapshot]) -> Someone | None:
    """An owner as a snapshot holds it (text, a person, or a person by id)."""
    if isinstance(value, str) and value.strip():
        return Someone(" ".join(value.split()))
    if not isinstance(value, dict):
        return None
    if "person" in value:
        person = nodes.get(str(value["person"]))
        if person is None or person.kind != "person":
            return None
        value = {**person.fields, "id": person.id}
    name = value.get("name")
    if not isinstance(name, str):
        return None
    return Someone(
        name, value.get("role"), value.get("handle"), value.get("email"), value.get("id")
    )


def owner_of(node: NodeSnapshot, nodes: dict[str, NodeSnapshot]) -> Someone | None:
    """Who answers for a node of a snapshot (as ``model.people.owner_of`` for a playbook)."""
    if node.kind == "plan":
        own = _someone(node.fields.get("owner"), nodes)
        if own is not None:
            return own
    if node.kind in ("plan", "estimate", "function") and node.function:
        function = nodes.get(node.function)
        if function is not None and function.kind == "function":
            return _someone(function.fields.get("leader"), nodes)
        return None
    if node.kind in ("key_task", "success_factor", "mission", "intent"):
        mission = next((n for n in nodes.values() if n.kind == "mission"), None)
        return _someone(mission.fields.get("commander"), nodes) if mission is not None else None
    return None


def impact_of(
    base: Snapshot,
    head: Snapshot,
    causes: list[tuple[Cause, str, list[str]]],
    added: set[str],
    out: Impact,
) -> Impact:
    """Fill ``out`` with what rests on each change: ``causes`` are (cause, the side it is
    read on, the fields that changed); ``added`` the ids added by the change (left out of
    what rests)."""
    sides = _Sides(base, head)
    resting: dict[str, list[str]] = {}  # node id → the causes above it, in order
    for cause, side, changed in causes:
        out.causes.append(cause)
        found = [i for i in sides.beneath(cause, side, changed) if i not in added]
        found = [i for i in found if head.nodes[i].kind in BENEATH and i != cause.id]
        if not found:
            out.nothing_beneath.append(cause)
        for node_id in found:
            resting.setdefault(node_id, [])
            if cause.id not in resting[node_id]:
                resting[node_id].append(cause.id)
    by_owner: dict[str, OwnerImpact] = {}
    for node_id, above in resting.items():
        node = head.nodes[node_id]
        someone = owner_of(node, head.nodes)
        key = someone.key if someone is not None else ""
        group = by_owner.get(key)
        if group is None:
            name = someone.name if someone is not None else None
            group = by_owner[key] = OwnerImpact(name, someone.handle if someone else None)
        group.nodes.append(Affected(node.kind, node.id, node.title, node.function, above))
    order = {kind: i for i, kind in enumerate(BENEATH)}
    for group in by_owner.values():
        group.nodes.sort(key=lambda a: (order[a.kind], a.id))
    out.owners.extend(
        sorted(
            by_owner.values(),
            key=lambda g: (g.name is None, (g.name or "").lower(), g.handle or ""),
        )
    )
    return out
