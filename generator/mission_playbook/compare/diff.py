"""The plan diff: what a change does to the plan, compared as models rather than text.

``diff_snapshots(base, head)`` compares two snapshots of a playbook (``compare/snapshot.py``):
nodes added, removed, renamed (same content under a new id) and changed field by field; links
added and removed, nodes moved to new parents; metric targets; coverage per rung; findings
introduced and fixed. Every pass is one walk over the nodes with dictionaries, so a diff is
linear in the size of the playbooks. ``diff_playbooks`` takes two loaded playbooks.

The result is plain values; ``views/changes.py`` writes it as Markdown or JSON, and
``compare/revisions.py`` finds the other version in git.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mission_playbook.compare.impact import ABOVE, Cause, Impact, impact_of
from mission_playbook.compare.snapshot import (
    FindingRef,
    Json,
    NodeSnapshot,
    Snapshot,
    snapshot,
)
from mission_playbook.model.ladder import LABELS
from mission_playbook.playbook import Playbook

#: Display and sort order of node kinds (the ladder from the top, then the rest).
KIND_ORDER = {kind: i for i, kind in enumerate(LABELS)}

#: Kinds whose metric target is reported as a target change rather than a field change.
TARGET_KINDS = frozenset({"metric", "success_factor"})


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node as the diff names it: kind, id, title and the document holding a nested node."""

    kind: str
    id: str
    title: str
    owner: str | None = None
    owner_kind: str | None = None


@dataclass(frozen=True, slots=True)
class NodeEntry:
    """A node added or removed, with the ids it supports (where it hangs on the ladder)."""

    node: NodeRef
    supports: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rename:
    """A node whose content is unchanged under a new id."""

    old: NodeRef
    new: NodeRef


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a node, old value → new value; for lists, the items added and removed."""

    field: str
    old: Json
    new: Json
    added: list[Json] | None = None
    removed: list[Json] | None = None


@dataclass(frozen=True, slots=True)
class NodeChange:
    """A node present on both sides whose own fields changed."""

    node: NodeRef
    fields: list[FieldChange]


@dataclass(frozen=True, slots=True)
class Link:
    """A link from one node to another: ``supports``, ``depends_on`` or ``drives``."""

    source: NodeRef
    relation: str
    target: NodeRef


@dataclass(frozen=True, slots=True)
class Reparent:
    """A node moved up the ladder to other parents (``supports``) or another owner (``in``)."""

    node: NodeRef
    relation: str
    old: list[str]
    new: list[str]


@dataclass(frozen=True, slots=True)
class TargetChange:
    """The target of a plan's metric, or of a success factor's metric, changed."""

    owner: NodeRef
    metric: str | None  # the metric's id; None for a success factor's own metric
    name: str
    old: Json
    new: Json


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """One rung's coverage before and after."""

    kind: str
    label: str
    before_covered: int
    before_total: int
    after_covered: int
    after_total: int

    @property
    def changed(self) -> bool:
        return (self.before_covered, self.before_total) != (self.after_covered, self.after_total)


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Everything a change does to the plan; every list is sorted."""

    added: list[NodeEntry] = field(default_factory=list)
    removed: list[NodeEntry] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    reparented: list[Reparent] = field(default_factory=list)
    links_added: list[Link] = field(default_factory=list)
    links_removed: list[Link] = field(default_factory=list)
    targets: list[TargetChange] = field(default_factory=list)
    coverage: list[CoverageChange] = field(default_factory=list)
    introduced: list[FindingRef] = field(default_factory=list)
    fixed: list[FindingRef] = field(default_factory=list)
    impact: Impact = field(default_factory=Impact)  # who must re-read what (compare/impact.py)

    @property
    def model_changed(self) -> bool:
        """Whether any node, link or target differs."""
        return any(
            (
                self.added,
                self.removed,
                self.renamed,
                self.changed,
                self.reparented,
                self.links_added,
                self.links_removed,
                self.targets,
            )
        )


def _ref(node: NodeSnapshot) -> NodeRef:
    return NodeRef(node.kind, node.id, node.title, node.owner, node.owner_kind)


def _missing(node_id: str) -> NodeRef:
    return NodeRef("missing", node_id, node_id)


def _node_key(ref: NodeRef) -> tuple[int, str, str]:
    return (KIND_ORDER.get(ref.kind, len(KIND_ORDER)), ref.id, ref.kind)


def _content_key(node: NodeSnapshot, mapping: dict[str, str]) -> str:
    """The node's content without its id, links mapped through the renames found so far."""
    data = dict(node.fields)
    for name, ids in node.links.items():
        data[name] = [mapping.get(i, i) for i in ids]
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _renames(
    removed: list[NodeSnapshot], added: list[NodeSnapshot], mapping: dict[str, str]
) -> list[tuple[NodeSnapshot, NodeSnapshot]]:
    """Pair removed and added nodes of the same kind whose content, id aside, is equal.

    Kinds are paired from the top of the ladder down, so a plan that follows its renamed
    estimate still matches (its ``supports`` is compared through the estimate's rename).
    """
    pairs: list[tuple[NodeSnapshot, NodeSnapshot]] = []
    by_kind: dict[str, list[NodeSnapshot]] = defaultdict(list)
    for node in added:
        by_kind[node.kind].append(node)
    gone: dict[str, list[NodeSnapshot]] = defaultdict(list)
    for node in removed:
        gone[node.kind].append(node)
    for kind in sorted(gone, key=lambda k: KIND_ORDER.get(k, len(KIND_ORDER))):
        buckets: dict[str, list[NodeSnapshot]] = defaultdict(list)
        for node in sorted(by_kind.get(kind, []), key=lambda n: n.id, reverse=True):
            buckets[_content_key(node, {})].append(node)
        for old in sorted(gone[kind], key=lambda n: n.id):
            candidates = buckets.get(_content_key(old, mapping))
            if candidates:
                new = candidates.pop()
                mapping[old.id] = new.id
                pairs.append((old, new))
    return pairs


def _flatten(data: Json, prefix: str = "") -> dict[str, Json]:
    """Nested mappings as dotted paths; lists and scalars are leaves."""
    if not isinstance(data, dict):
        return {prefix: data}
    out: dict[str, Json] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def _canonical(value: Json) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _field_changes(old: dict[str, Json], new: dict[str, Json]) -> list[FieldChange]:
    """Field by field; for two lists, also the items added and removed."""
    flat_old, flat_new = _flatten(old), _flatten(new)
    out: list[FieldChange] = []
    for path in sorted(flat_old.keys() | flat_new.keys()):
        a, b = flat_old.get(path), flat_new.get(path)
        if _canonical(a) == _canonical(b):
            continue
        if isinstance(a, list) and isinstance(b, list):
            keys_a = Counter(_canonical(v) for v in a)
            keys_b = Counter(_canonical(v) for v in b)
            added = [json.loads(k) for k in sorted((keys_b - keys_a).elements())]
            removed = [json.loads(k) for k in sorted((keys_a - keys_b).elements())]
            out.append(FieldChange(path, a, b, added, removed))
        else:
            out.append(FieldChange(path, a, b))
    return out


def _without_target(node: NodeSnapshot) -> tuple[dict[str, Json], str | None, Json]:
    """A metric's (or a success factor's metric's) fields without the target; its name and
    target. The snapshot's own dictionaries are left as they are."""
    data = dict(node.fields)
    if node.kind == "metric":
        return data, data.get("name"), data.pop("target", None)
    metric = data.get("metric")
    if node.kind == "success_factor" and isinstance(metric, dict):
        metric = data["metric"] = dict(metric)
        return data, metric.get("name"), metric.pop("target", None)
    return data, None, None


def _owner_ref(node: NodeSnapshot, nodes: dict[str, NodeSnapshot]) -> NodeRef:
    """The document holding a nested node, as the diff names it."""
    assert node.owner is not None and node.owner_kind is not None
    owner = nodes.get(node.owner)
    if owner is None or owner.kind != node.owner_kind:  # the id is another node's (PB003)
        return NodeRef(node.owner_kind, node.owner, node.owner)
    return _ref(owner)


def _diff_nodes(
    base: NodeSnapshot, head: NodeSnapshot, head_nodes: dict[str, NodeSnapshot], out: PlanDiff
) -> None:
    """Own fields and metric targets of one node present on both sides."""
    old, new = base.fields, head.fields
    if head.kind in TARGET_KINDS:
        old, _, old_target = _without_target(base)
        new, name, new_target = _without_target(head)
        if _canonical(old_target) != _canonical(new_target):
            if head.kind == "metric" and head.owner is not None:
                owner, metric_id = _owner_ref(head, head_nodes), head.id
            else:
                owner, metric_id = _ref(head), None
            label = name or (head.id if metric_id else head.title)
            out.targets.append(TargetChange(owner, metric_id, str(label), old_target, new_target))
    fields = _field_changes(old, new)
    if fields:
        out.changed.append(NodeChange(_ref(head), fields))


def _diff_links(
    base: NodeSnapshot,
    head: NodeSnapshot,
    mapping: dict[str, str],
    inverse: dict[str, str],
    sides: tuple[dict[str, NodeSnapshot], dict[str, NodeSnapshot]],
    out: PlanDiff,
) -> None:
    """Links of one node present on both sides: re-parented, or links added and removed."""
    ref = _ref(head)
    base_nodes, head_nodes = sides
    for relation, new_ids in head.links.items():
        old_ids = [mapping.get(i, i) for i in base.links.get(relation, [])]
        gone = [i for i in old_ids if i not in new_ids]
        came = [i for i in new_ids if i not in old_ids]
        if relation == "supports" and gone and came:
            out.reparented.append(Reparent(ref, relation, old_ids, list(new_ids)))
            continue
        for target in came:
            node = head_nodes.get(target)
            out.links_added.append(
                Link(ref, relation, _ref(node) if node is not None else _missing(target))
            )
        for target in gone:
            node = base_nodes.get(inverse.get(target, target))
            out.links_removed.append(
                Link(ref, relation, _ref(node) if node is not None else _missing(target))
            )


def _diff_owner(
    base: NodeSnapshot, head: NodeSnapshot, mapping: dict[str, str], out: PlanDiff
) -> None:
    """A nested node (metric, estimate, ...) moved to another document."""
    if base.owner is not None and head.owner is not None:
        old_owner = mapping.get(base.owner, base.owner)
        if old_owner != head.owner:
            out.reparented.append(Reparent(_ref(head), "in", [old_owner], [head.owner]))


_YAML_POSITION = re.compile(r"(\.ya?ml):\d+(?::\d+)?")
_SUGGESTION = re.compile(r"; did you mean .*\?$")


def _finding_key(f: FindingRef, root: str) -> tuple[str, str]:
    """A finding as compared across revisions: code and message, without positions or hints."""
    message = _SUGGESTION.sub("", f.message.replace(root + "/", ""))
    return f.code, _YAML_POSITION.sub(r"\1", message)


def _findings(base: Snapshot, head: Snapshot, out: PlanDiff) -> None:
    """Findings only one side has, compared by (code, message) regardless of positions."""
    base_keys = Counter(_finding_key(f, base.root) for f in base.findings)
    head_keys = Counter(_finding_key(f, head.root) for f in head.findings)
    for f in head.findings:
        key = _finding_key(f, head.root)
        if base_keys[key] > 0:
            base_keys[key] -= 1
        else:
            out.introduced.append(f)
    for f in base.findings:
        key = _finding_key(f, base.root)
        if head_keys[key] > 0:
            head_keys[key] -= 1
        else:
            out.fixed.append(f)


def diff_snapshots(base: Snapshot, head: Snapshot) -> PlanDiff:
    """What changes from ``base`` to ``head``: nodes, links, targets, coverage, findings."""
    out = PlanDiff()
    base_nodes, head_nodes = base.nodes, head.nodes

    def same(node_id: str) -> bool:
        other = head_nodes.get(node_id)
        return other is not None and other.kind == base_nodes[node_id].kind

    removed = [n for n in base_nodes.values() if not same(n.id)]
    removed_ids = {n.id for n in removed}
    added = [
        n for n in head_nodes.values() if n.id not in base_nodes or n.id in removed_ids
    ]  # a reused id of another kind is a removal and an addition
    mapping: dict[str, str] = {}
    pairs = _renames(removed, added, mapping)
    paired_old = {old.id for old, _new in pairs}
    paired_new = {new.id for _old, new in pairs}
    out.renamed.extend(Rename(_ref(old), _ref(new)) for old, new in pairs)
    out.removed.extend(
        NodeEntry(_ref(n), list(n.links.get("supports", [])))
        for n in removed
        if n.id not in paired_old
    )
    out.added.extend(
        NodeEntry(_ref(n), list(n.links.get("supports", [])))
        for n in added
        if n.id not in paired_new
    )
    common = [(n, head_nodes[n.id]) for n in base_nodes.values() if same(n.id)]
    common += pairs
    inverse = {new: old for old, new in mapping.items()}
    for old, new in common:
        same_data = old.fields == new.fields and old.links == new.links  # the common case
        if not same_data:
            _diff_nodes(old, new, head_nodes, out)
        if not same_data or mapping:
            _diff_links(old, new, mapping, inverse, (base_nodes, head_nodes), out)
        _diff_owner(old, new, mapping, out)
    for before, after in zip(base.coverage, head.coverage, strict=True):
        out.coverage.append(
            CoverageChange(
                after.kind, after.label, before.covered, before.total, after.covered, after.total
            )
        )
    _findings(base, head, out)
    _sort(out)
    impact_of(base, head, _causes(out), {e.node.id for e in out.added}, out.impact)
    return out


def _causes(out: PlanDiff) -> list[tuple[Cause, str, list[str]]]:
    """The changes at a rung above the plans, one a node: (how it changed, the side to read
    it on, the fields that changed)."""
    found: dict[str, tuple[Cause, str, list[str]]] = {}

    def add(ref: NodeRef, how: str, side: str = "head", fields: Iterable[str] = ()) -> None:
        if ref.kind not in ABOVE:
            return
        known = found.get(ref.id)
        if known is None:
            found[ref.id] = (Cause(ref.kind, ref.id, ref.title, how), side, list(fields))
            return
        cause, side, changed = known
        if how not in cause.how.split(", "):
            cause = Cause(cause.kind, cause.id, cause.title, f"{cause.how}, {how}")
        found[ref.id] = (cause, side, [*changed, *(f for f in fields if f not in changed)])

    for entry in out.added:
        add(entry.node, "added")
    for entry in out.removed:
        add(entry.node, "removed", "base")
    for rename in out.renamed:
        add(rename.new, f"renamed from {rename.old.id}")
    for change in out.changed:
        add(change.node, "changed", fields=(f.field.split(".")[0] for f in change.fields))
    for target in out.targets:
        if target.metric is None:
            add(target.owner, "target changed", fields=("metric",))
    for moved in out.reparented:
        add(moved.node, "re-linked")
    for link in (*out.links_added, *out.links_removed):
        add(link.source, "re-linked")
    return sorted(found.values(), key=lambda c: (KIND_ORDER.get(c[0].kind, 99), c[0].id))


def diff_playbooks(base: Playbook, head: Playbook) -> PlanDiff:
    """What changes from ``base`` to ``head``, two loaded playbooks (see ``diff_snapshots``)."""
    return diff_snapshots(snapshot(base), snapshot(head))


def _sort(out: PlanDiff) -> None:
    out.added.sort(key=lambda e: _node_key(e.node))
    out.removed.sort(key=lambda e: _node_key(e.node))
    out.renamed.sort(key=lambda r: _node_key(r.new))
    out.changed.sort(key=lambda c: _node_key(c.node))
    out.reparented.sort(key=lambda r: (_node_key(r.node), r.relation))
    for links in (out.links_added, out.links_removed):
        links.sort(key=lambda lk: (_node_key(lk.source), lk.relation, lk.target.id))
    out.targets.sort(key=lambda t: (_node_key(t.owner), t.metric or ""))

    def finding_key(f: FindingRef) -> tuple[str, int, int, str, str]:
        return (f.file, f.line, f.column, f.code, f.message)

    out.introduced.sort(key=finding_key)
    out.fixed.sort(key=finding_key)
