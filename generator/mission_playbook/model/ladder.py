"""The ladder: every node indexed by id, and the ``supports`` links resolved both ways.

Built in one pass over the documents (an id index), then one pass over the links (parents
and children): linear in the number of nodes, never a scan of all nodes per node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mission_playbook.model.diagnostics import Findings, Location
from mission_playbook.model.kinds import Estimate, KeyTask, Plan
from mission_playbook.model.records import Record
from mission_playbook.model.source import Document, PathKey
from mission_playbook.model.validate import ID_FORM, check_id

#: Rungs from the top; ``supports`` always points one rung up.
RUNGS = ("mission", "success_factor", "key_task", "estimate", "plan")

LABELS = {
    "mission": "mission",
    "success_factor": "success factor",
    "intent": "intent",
    "key_task": "key task",
    "function": "function",
    "estimate": "estimate",
    "plan": "plan",
    "metric": "metric",
    "market": "market",
    "customer": "customer",
    "sla": "SLA",
    "stage": "stage",
    "glossary": "glossary",
    "people": "people",
    "person": "person",
    "checkin": "check-in",
    "assumption": "assumption",
}

#: The kind a node's ``supports`` must name, by the node's kind.
SUPPORTS = {"key_task": "success_factor", "estimate": "key_task", "plan": "estimate"}

#: Nested collections that hold nodes: (document kind, attribute path, node kind).
NESTED: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "mission": (
        (("success_factors",), "success_factor"),
        (("environment", "markets"), "market"),
        (("environment", "customers"), "customer"),
        (("environment", "assumptions"), "assumption"),
    ),
    "intent": ((("key_tasks",), "key_task"),),
    "function": (
        (("estimates",), "estimate"),
        (("mission_analysis", "assumptions"), "assumption"),
    ),
    "plan": ((("metrics",), "metric"),),
    "sla": ((("stages",), "stage"),),
    "glossary": (),
    "people": ((("people",), "person"),),
}

R = TypeVar("R", bound=Record)
T = TypeVar("T")


@dataclass(eq=False, slots=True)
class Node:
    """A node of the playbook: its kind, id, typed data and where it was written."""

    kind: str
    id: str
    data: Record
    doc: Document
    path: PathKey = ()
    owner: Node | None = None  # the document node holding a nested node

    def record(self, cls: type[R]) -> R:
        """The node's data as a ``cls`` (its kind's record class); TypeError if it is not."""
        data = self.data
        if isinstance(data, cls):
            return data
        raise TypeError(
            f"the {self.kind} node '{self.id}' holds a {type(data).__name__}, not a {cls.__name__}"
        )

    def loc(self, *sub: str | int) -> Location:
        """The location of this node's field ``sub`` (or of the node itself)."""
        return self.doc.loc(self.path + sub)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def title(self) -> str:
        for attr in ("title", "name"):
            value = getattr(self.data, attr, None)
            if value:
                return str(value)
        return self.id

    @property
    def function(self) -> str | None:
        """The function a node belongs to (estimates, plans and their metrics)."""
        if self.kind == "function":
            return self.id
        if self.kind == "plan":
            return self.record(Plan).function
        if self.owner is not None:
            return self.owner.function
        return None

    @property
    def supports(self) -> list[str]:
        """The ids a key task, estimate or plan lists in ``supports`` (none for other kinds)."""
        data = self.data
        return data.supports if isinstance(data, (KeyTask, Estimate, Plan)) else []

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id}>"


@dataclass
class Ladder:
    """The id index and the resolved ``supports`` graph."""

    nodes: dict[str, Node] = field(default_factory=dict)
    parents: dict[str, list[Node]] = field(default_factory=dict)
    children: dict[str, list[Node]] = field(default_factory=dict)
    #: Branch plans waiting on an assumption that has not tripped (``checks/assumptions.py``):
    #: on the ladder, but neither orphans nor counted in coverage (``checks/coverage.py``).
    dormant: set[str] = field(default_factory=set)
    #: nodes by kind, made on the first ``of_kind`` after a node was added (nodes are added,
    #: never removed, so the count tells whether it is current)
    _kinds: dict[str, list[Node]] = field(default_factory=dict, repr=False, compare=False)
    _kinds_of: int = field(default=-1, repr=False, compare=False)
    #: values derived from the whole ladder once (``derived``), for as many nodes as counted
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _derived_of: int = field(default=-1, repr=False, compare=False)

    def of_kind(self, kind: str) -> Iterator[Node]:
        """The nodes of one kind, in file order."""
        if self._kinds_of != len(self.nodes):
            self._kinds = {}
            for node in self.nodes.values():
                self._kinds.setdefault(node.kind, []).append(node)
            self._kinds_of = len(self.nodes)
        return iter(self._kinds.get(kind, ()))

    def derived(self, name: str, make: Callable[[Ladder], T]) -> T:
        """``make(self)``, made once while no node is added (the checks and the views ask
        for the same whole-ladder values: the metric ladder)."""
        if self._derived_of != len(self.nodes):
            self._derived, self._derived_of = {}, len(self.nodes)
        if name not in self._derived:
            self._derived[name] = make(self)
        found: T = self._derived[name]
        return found

    def up(self, node: Node) -> list[Node]:
        """The nodes this node supports (one rung up); the mission for a success factor."""
        return self.parents.get(node.id, [])

    def down(self, node: Node) -> list[Node]:
        """The nodes that support this node (one rung down)."""
        return self.children.get(node.id, [])

    def trace(self, node: Node) -> list[Node]:
        """One path up to the mission, first parent at each rung: the breadcrumb."""
        path = [node]
        seen = {node.id}
        current = node
        while True:
            ups = self.up(current)
            if not ups or ups[0].id in seen:
                return list(reversed(path))
            current = ups[0]
            seen.add(current.id)
            path.append(current)

    def ancestors(self, node: Node) -> list[Node]:
        """Every node above this one on the ladder, nearest first, without repeats."""
        out: list[Node] = []
        seen = {node.id}
        frontier = [node]
        while frontier:
            nxt: list[Node] = []
            for n in frontier:
                for p in self.up(n):
                    if p.id not in seen:
                        seen.add(p.id)
                        out.append(p)
                        nxt.append(p)
            frontier = nxt
        return out

    def descendants(self, node: Node) -> list[Node]:
        """Every node below this one on the ladder, nearest first, without repeats."""
        out: list[Node] = []
        seen = {node.id}
        frontier = [node]
        while frontier:
            nxt: list[Node] = []
            for n in frontier:
                for c in self.down(n):
                    if c.id not in seen:
                        seen.add(c.id)
                        out.append(c)
                        nxt.append(c)
            frontier = nxt
        return out


def index(documents: Sequence[tuple[Document, Any]], findings: Findings) -> Ladder:
    """Index every node by id: PB013 for a malformed id, PB003 for a duplicate (both places)."""
    ladder = Ladder()
    for doc, data in documents:
        set_aside = doc.set_aside
        kind = str(data.kind)
        top = Node(kind, str(data.id), data, doc)
        _register(ladder, top, findings, ("id",) in set_aside)
        for attrs, nested_kind in NESTED[kind]:
            items: Any = data
            for attr in attrs:
                items = getattr(items, attr)
            for i, item in enumerate(items):
                if isinstance(item, str):  # an assumption written as text is no node
                    continue
                path: PathKey = (*attrs, i)
                if path in set_aside or (*path, "id") in set_aside:
                    continue
                _register(ladder, Node(nested_kind, item.id, item, doc, path, top), findings, False)
    return ladder


def _register(ladder: Ladder, node: Node, findings: Findings, placeholder: bool) -> None:
    if placeholder:
        return
    if not ID_FORM.fullmatch(node.id):
        check_id(node.id, node.loc("id"), findings, node.label)
    first = ladder.nodes.get(node.id)
    if first is None:
        ladder.nodes[node.id] = node
        return
    report_duplicate(node, first, findings)


def report_duplicate(node: Node, first: Node, findings: Findings) -> None:
    """PB003 at both places: ``node`` reuses the id of ``first``."""
    here, there = node.loc("id"), first.loc("id")
    findings.add(
        "PB003",
        f"the id '{node.id}' of this {node.label} is already used by the {first.label} at "
        f"{there}; ids are unique across the whole playbook",
        here,
        related=[there],
    )
    findings.add(
        "PB003",
        f"the id '{node.id}' of this {first.label} is used again by the {node.label} at {here}",
        there,
        related=[here],
    )


def link(ladder: Ladder) -> None:
    """Resolve ``supports`` into parents and children (only links of the right kind)."""
    mission = next(ladder.of_kind("mission"), None)
    for node in ladder.nodes.values():
        if node.kind == "success_factor" and mission is not None:
            ladder.parents[node.id] = [mission]
            ladder.children.setdefault(mission.id, []).append(node)
        want = SUPPORTS.get(node.kind)
        if want is None:
            continue
        ups: list[Node] = []
        for ref in dict.fromkeys(node.supports):
            target = ladder.nodes.get(ref)
            if target is not None and target.kind == want:
                ups.append(target)
                ladder.children.setdefault(target.id, []).append(node)
        ladder.parents[node.id] = ups


def drop_nodes(data: dict[str, Any], attrs: tuple[str, ...]) -> None:
    """Take the nodes nested at ``attrs`` out of a node's fields as plain values (each node is
    compared on its own); items written as text (assumptions) stay, so that a playbook without
    assumption nodes compares as it did before they existed."""
    holder = data
    for attr in attrs[:-1]:
        holder = holder.get(attr) or {}
    items = holder.get(attrs[-1])
    kept = [item for item in items if not isinstance(item, dict)] if isinstance(items, list) else []
    if kept:
        holder[attrs[-1]] = kept
    else:
        holder.pop(attrs[-1], None)
