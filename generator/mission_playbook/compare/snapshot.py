"""A playbook as plain values: what comparing two versions of it needs, and nothing of the model's
classes, so that it can be kept as JSON (the "What changed" base, ``cache.BaseCache``).

``snapshot(playbook)`` takes one: per node its kind, id, title, the document holding it, its
function, its own fields as JSON values, its links as written, its parents on the ladder and a
mapping of derived facts; the coverage per rung; the findings. Each node is a dictionary entry
by id, so a comparison looks nodes up instead of scanning for them.

``NodeSnapshot.facts`` is where derived per-node facts go as they are added (a status from
actual results, an assumption's state): new keys, not a new shape. Field names are those of
``docs/model.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mission_playbook.model import records
from mission_playbook.model.diagnostics import Diagnostic
from mission_playbook.model.files import display_path
from mission_playbook.model.ladder import NESTED, Node
from mission_playbook.playbook import Playbook

Json = Any  # a JSON value: None, bool, number, str, list or dict of JSON values

#: Fields that are links to other nodes, by node kind (kept apart from the node's own fields).
LINK_FIELDS: dict[str, tuple[str, ...]] = {
    "key_task": ("supports",),
    "estimate": ("supports",),
    "plan": ("supports", "depends_on"),
    "metric": ("drives",),
}

#: The version of the JSON form; another one is not read back (a miss).
FORMAT = 1


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """One node as plain values. Its dictionaries and lists are shared: never change them."""

    kind: str
    id: str
    title: str
    owner: str | None  # the document node holding a nested node (metric, estimate, ...)
    owner_kind: str | None
    function: str | None  # the function a node belongs to (functions, estimates, plans, metrics)
    fields: dict[str, Json]  # own fields without id, kind, nested nodes and links
    links: dict[str, list[str]]  # each field of LINK_FIELDS: the ids, in order, no repeats
    parents: list[str]  # the nodes it hangs from on the ladder (resolved links, one rung up)
    facts: dict[str, Json] = field(default_factory=dict)  # derived facts, by name


@dataclass(frozen=True, slots=True)
class RungCoverage:
    """How many nodes a rung has and how many are linked into the ladder."""

    kind: str
    label: str
    total: int
    covered: int


@dataclass(frozen=True, slots=True)
class FindingRef:
    """A finding of the check, where it is on its side of a comparison."""

    code: str
    severity: str
    message: str
    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A playbook as plain values: nodes by id (in the playbook's order), coverage, findings."""

    root: str  # the plans folder as findings name it (relative to the working folder)
    nodes: dict[str, NodeSnapshot]
    coverage: list[RungCoverage]
    findings: list[FindingRef]

    def to_json(self) -> dict[str, Json]:
        """The snapshot as JSON values (``from_json`` reads them back)."""
        return {
            "format": FORMAT,
            "root": self.root,
            "nodes": [_as_json(n) for n in self.nodes.values()],
            "coverage": [_as_json(c) for c in self.coverage],
            "findings": [_as_json(f) for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: Json) -> Snapshot | None:
        """The snapshot ``to_json`` gave; None for anything else (another format, damage)."""
        try:
            if _want(data, dict).get("format") != FORMAT:
                return None
            nodes = [_record(NodeSnapshot, item) for item in _want(data["nodes"], list)]
            return cls(
                root=_want(data["root"], str),
                nodes={n.id: n for n in nodes},
                coverage=[_record(RungCoverage, c) for c in _want(data["coverage"], list)],
                findings=[_record(FindingRef, f) for f in _want(data["findings"], list)],
            )
        except (TypeError, ValueError, KeyError):
            return None


def _ids(values: Json) -> list[str]:
    """A link field's value as a list of ids, in order, without repeats."""
    if values is None:
        return []
    if isinstance(values, list):
        return list(dict.fromkeys(str(v) for v in values))
    return [str(values)]


#: Values that are JSON already (most fields): kept as they are, without ``records.dump``.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _own_keys(kind: str, cls: type[records.Record]) -> tuple[tuple[str, str], ...]:
    """(key, attribute) of a record's own fields: id, kind, links and nested nodes left out."""
    nested = {attrs[0] for attrs, _kind in NESTED.get(kind, ()) if len(attrs) == 1}
    left_out = {"id", "kind", *LINK_FIELDS.get(kind, ()), *nested}
    return tuple((f.key, f.name) for f in records.fields(cls) if f.key not in left_out)


#: ``_own_keys`` by node kind and record class, made once.
_OWN_KEYS: dict[tuple[str, type[records.Record]], tuple[tuple[str, str], ...]] = {}


def _fields(node: Node) -> dict[str, Json]:
    """A node's own fields as JSON values: id, kind, links and nested nodes left out."""
    record = node.data
    own = _OWN_KEYS.get((node.kind, type(record)))
    if own is None:
        own = _OWN_KEYS[node.kind, type(record)] = _own_keys(node.kind, type(record))
    data: dict[str, Json] = {}
    for key, name in own:
        value = getattr(record, name)
        data[key] = value if type(value) in _PLAIN else records.dump(value)
    review = data.get("review")
    if isinstance(review, dict):  # a stamp is compared by its date and reviewer, not its hashes
        review.pop("against", None)
    for attrs, _kind in NESTED.get(node.kind, ()):  # deeper ones: mission.environment.markets
        if len(attrs) > 1:
            holder = data
            for attr in attrs[:-1]:
                holder = holder.get(attr) or {}
            holder.pop(attrs[-1], None)
    return data


#: Each node's snapshot by its kind and record (``id``; the record is held, so that the id is
#: not reused while the entry lives), from one snapshot to the next of a process.
FieldsMemo = dict[tuple[str, int], tuple[Any, NodeSnapshot]]


def _node(
    node: Node, parents: list[Node], memo: FieldsMemo | None, now: FieldsMemo
) -> NodeSnapshot:
    key = (node.kind, id(node.data))
    found = memo.get(key) if memo is not None else None
    owner = node.owner
    if (
        found is not None
        and found[0] is node.data
        and found[1].id == node.id
        and found[1].owner == (owner.id if owner is not None else None)
        and found[1].parents == [p.id for p in parents]
    ):  # the same record: the same title, fields, links and function (the owner's record
        # is in the same file, so the same too)
        taken = found[1]
    else:
        taken = NodeSnapshot(
            kind=node.kind,
            id=node.id,
            title=node.title,
            owner=owner.id if owner is not None else None,
            owner_kind=owner.kind if owner is not None else None,
            function=node.function,
            fields=_fields(node),
            links={f: _ids(getattr(node.data, f, None)) for f in LINK_FIELDS.get(node.kind, ())},
            parents=[p.id for p in parents],
        )
    now[key] = (node.data, taken)
    return taken


def _finding(d: Diagnostic) -> FindingRef:
    loc = d.location
    return FindingRef(d.code, d.severity.value, d.message, loc.file, loc.line, loc.column)


def snapshot(playbook: Playbook, fields: FieldsMemo | None = None) -> Snapshot:
    """The playbook as plain values, in one walk over its nodes.

    ``fields`` keeps each node's snapshot from one call to the next (``mkdocs serve``, whose
    loads reuse the records of files that did not change: ``load``'s ``kept``): a node whose
    record is the same object, with the same owner and parents, is not taken again (records
    never change). It then holds this snapshot's.
    """
    parents = playbook.ladder.parents
    now: FieldsMemo = {}
    taken = Snapshot(
        root=display_path(playbook.root),
        nodes={i: _node(n, parents.get(i, []), fields, now) for i, n in playbook.nodes.items()},
        coverage=[RungCoverage(c.kind, c.label, c.total, c.covered) for c in playbook.coverage()],
        findings=[_finding(d) for d in playbook.diagnostics],
    )
    if fields is not None:
        fields.clear()
        fields.update(now)
    return taken


# --- the JSON form ---------------------------------------------------------------------------


def _as_json(record: NodeSnapshot | RungCoverage | FindingRef) -> dict[str, Json]:
    """A record as a JSON object, one key per field (its values are JSON values already)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def _want(value: Json, kind: type) -> Json:
    """``value`` when it is a ``kind`` (and not a bool standing for an int); else ValueError."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _optional_str(value: Json) -> str | None:
    return None if value is None else str(_want(value, str))


def _strings(value: Json) -> list[str]:
    return [_want(v, str) for v in _want(value, list)]


def _links(value: Json) -> dict[str, list[str]]:
    return {_want(k, str): _strings(v) for k, v in _want(value, dict).items()}


#: How each field of the records is read back from JSON: a check that raises ValueError.
_READERS: dict[str, Callable[[Json], Json]] = {
    "kind": lambda v: _want(v, str),
    "id": lambda v: _want(v, str),
    "title": lambda v: _want(v, str),
    "owner": _optional_str,
    "owner_kind": _optional_str,
    "function": _optional_str,
    "fields": lambda v: _want(v, dict),
    "links": _links,
    "parents": _strings,
    "facts": lambda v: _want(v, dict),
    "label": lambda v: _want(v, str),
    "total": lambda v: _want(v, int),
    "covered": lambda v: _want(v, int),
    "code": lambda v: _want(v, str),
    "severity": lambda v: _want(v, str),
    "message": lambda v: _want(v, str),
    "file": lambda v: _want(v, str),
    "line": lambda v: _want(v, int),
    "column": lambda v: _want(v, int),
}

R = TypeVar("R", NodeSnapshot, RungCoverage, FindingRef)


def _record(cls: type[R], item: Json) -> R:
    """The record a JSON object describes: every field present and of its type."""
    item = _want(item, dict)
    return cls(**{f.name: _READERS[f.name](item[f.name]) for f in dataclasses.fields(cls)})
