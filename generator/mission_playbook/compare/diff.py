"""``playbook diff``: what a change does to the plan, compared as models rather than text.

``diff_playbooks(base, head)`` compares two loaded playbooks: nodes added, removed, renamed
(same content under a new id) and changed field by field; links added and removed, nodes moved
to new parents; metric targets; coverage per rung; findings introduced and fixed. Every pass is
one walk over the nodes with dictionaries, so a diff is linear in the size of the playbooks.

``load_revision`` loads the plans folder of a git revision (through ``git archive``) or a
plans folder on disk; ``to_markdown`` and ``to_json`` present a diff.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mission_playbook.model import records
from mission_playbook.model.cache import BaseCache
from mission_playbook.model.config import ConfigError, Settings
from mission_playbook.model.diagnostics import Diagnostic, Location
from mission_playbook.model.files import display_path
from mission_playbook.model.ladder import LABELS, NESTED, Node
from mission_playbook.playbook import Playbook, load
from mission_playbook.views import textsafe

if TYPE_CHECKING:  # argparse names types in annotations only
    pass

#: Display and sort order of node kinds (the ladder from the top, then the rest).
KIND_ORDER = {kind: i for i, kind in enumerate(LABELS)}

#: Fields that are links to other nodes, by node kind (reported as links, not field changes).
LINK_FIELDS: dict[str, tuple[str, ...]] = {
    "key_task": ("supports",),
    "estimate": ("supports",),
    "plan": ("supports", "depends_on"),
    "metric": ("drives",),
}

#: Kinds whose metric target is reported as a target change rather than a field change.
TARGET_KINDS = frozenset({"metric", "success_factor"})

#: Longest value shown in Markdown before it is cut with an ellipsis.
MAX_SHOWN = 100

Json = Any  # a JSON value: None, bool, number, str, list or dict of JSON values


class RevisionError(ConfigError):
    """A revision or folder that cannot be loaded: one line for the user, exit code 2."""


# --- the diff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeRef:
    """A node as the diff names it: kind, id, title and the document holding a nested node."""

    kind: str
    id: str
    title: str
    owner: str | None = None
    owner_kind: str | None = None


@dataclass
class NodeEntry:
    """A node added or removed, with the ids it supports (where it hangs on the ladder)."""

    node: NodeRef
    supports: list[str] = field(default_factory=list)


@dataclass
class Rename:
    """A node whose content is unchanged under a new id."""

    old: NodeRef
    new: NodeRef


@dataclass
class FieldChange:
    """One field of a node, old value → new value; for lists, the items added and removed."""

    field: str
    old: Json
    new: Json
    added: list[Json] | None = None
    removed: list[Json] | None = None


@dataclass
class NodeChange:
    """A node present on both sides whose own fields changed."""

    node: NodeRef
    fields: list[FieldChange]


@dataclass
class Link:
    """A link from one node to another: ``supports``, ``depends_on`` or ``drives``."""

    source: NodeRef
    relation: str
    target: NodeRef


@dataclass
class Reparent:
    """A node moved up the ladder to other parents (``supports``) or another owner (``in``)."""

    node: NodeRef
    relation: str
    old: list[str]
    new: list[str]


@dataclass
class TargetChange:
    """The target of a plan's metric, or of a success factor's metric, changed."""

    owner: NodeRef
    metric: str | None  # the metric's id; None for a success factor's own metric
    name: str
    old: Json
    new: Json


@dataclass
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


@dataclass
class FindingRef:
    """A finding of the check, where it is on its side of the diff."""

    code: str
    severity: str
    message: str
    file: str
    line: int
    column: int


@dataclass
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


def _ref(node: Node) -> NodeRef:
    owner = node.owner
    return NodeRef(
        node.kind,
        node.id,
        node.title,
        owner.id if owner is not None else None,
        owner.kind if owner is not None else None,
    )


def _missing(node_id: str) -> NodeRef:
    return NodeRef("missing", node_id, node_id)


def _node_key(ref: NodeRef) -> tuple[int, str, str]:
    return (KIND_ORDER.get(ref.kind, len(KIND_ORDER)), ref.id, ref.kind)


def _dump(node: Node) -> dict[str, Json]:
    """A node's own fields as JSON values: nested nodes (reported on their own) left out."""
    data: dict[str, Json] = records.dump(node.data)
    data.pop("id", None)
    data.pop("kind", None)
    for attrs, _kind in NESTED.get(node.kind, ()):
        holder = data
        for attr in attrs[:-1]:
            holder = holder.get(attr) or {}
        holder.pop(attrs[-1], None)
    return data


def _ids(values: Json) -> list[str]:
    """A link field's value as a list of ids, in order, without repeats."""
    if values is None:
        return []
    if isinstance(values, list):
        return list(dict.fromkeys(str(v) for v in values))
    return [str(values)]


def _links_of(node: Node) -> dict[str, list[str]]:
    return {f: _ids(getattr(node.data, f, None)) for f in LINK_FIELDS.get(node.kind, ())}


def _content_key(node: Node, mapping: dict[str, str]) -> str:
    """The node's content without its id, links mapped through the renames found so far."""
    data = _dump(node)
    for name, ids in _links_of(node).items():
        data[name] = [mapping.get(i, i) for i in ids]
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _renames(
    removed: list[Node], added: list[Node], mapping: dict[str, str]
) -> list[tuple[Node, Node]]:
    """Pair removed and added nodes of the same kind whose content, id aside, is equal.

    Kinds are paired from the top of the ladder down, so a plan that follows its renamed
    estimate still matches (its ``supports`` is compared through the estimate's rename).
    """
    pairs: list[tuple[Node, Node]] = []
    by_kind: dict[str, list[Node]] = defaultdict(list)
    for node in added:
        by_kind[node.kind].append(node)
    gone: dict[str, list[Node]] = defaultdict(list)
    for node in removed:
        gone[node.kind].append(node)
    for kind in sorted(gone, key=lambda k: KIND_ORDER.get(k, len(KIND_ORDER))):
        buckets: dict[str, list[Node]] = defaultdict(list)
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
        change = FieldChange(path, a, b)
        if isinstance(a, list) and isinstance(b, list):
            keys_a = Counter(_canonical(v) for v in a)
            keys_b = Counter(_canonical(v) for v in b)
            change.added = [json.loads(k) for k in sorted((keys_b - keys_a).elements())]
            change.removed = [json.loads(k) for k in sorted((keys_a - keys_b).elements())]
        out.append(change)
    return out


def _split_targets(node: Node, data: dict[str, Json]) -> tuple[str | None, Json]:
    """Take the target out of a metric's (or success factor's metric's) fields."""
    if node.kind == "metric":
        return node.data.name, data.pop("target", None)
    if node.kind == "success_factor":
        metric = data.get("metric")
        if isinstance(metric, dict):
            return metric.get("name"), metric.pop("target", None)
    return None, None


def _diff_nodes(base: Node, head: Node, out: PlanDiff) -> None:
    """Own fields and metric targets of one node present on both sides."""
    old, new = _dump(base), _dump(head)
    for link_field in LINK_FIELDS.get(head.kind, ()):
        old.pop(link_field, None)
        new.pop(link_field, None)
    if head.kind in TARGET_KINDS:
        _, old_target = _split_targets(base, old)
        name, new_target = _split_targets(head, new)
        if _canonical(old_target) != _canonical(new_target):
            if head.kind == "metric" and head.owner is not None:
                owner, metric_id = _ref(head.owner), head.id
            else:
                owner, metric_id = _ref(head), None
            label = name or (head.id if metric_id else head.title)
            out.targets.append(TargetChange(owner, metric_id, str(label), old_target, new_target))
    fields = _field_changes(old, new)
    if fields:
        out.changed.append(NodeChange(_ref(head), fields))


def _diff_links(
    base: Node,
    head: Node,
    mapping: dict[str, str],
    inverse: dict[str, str],
    sides: tuple[dict[str, Node], dict[str, Node]],
    out: PlanDiff,
) -> None:
    """Links of one node present on both sides: re-parented, or links added and removed."""
    ref = _ref(head)
    base_nodes, head_nodes = sides
    old_links, new_links = _links_of(base), _links_of(head)
    for relation, new_ids in new_links.items():
        old_ids = [mapping.get(i, i) for i in old_links.get(relation, [])]
        gone = [i for i in old_ids if i not in new_ids]
        came = [i for i in new_ids if i not in old_ids]
        if relation == "supports" and gone and came:
            out.reparented.append(Reparent(ref, relation, old_ids, new_ids))
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


def _diff_owner(base: Node, head: Node, mapping: dict[str, str], out: PlanDiff) -> None:
    """A nested node (metric, estimate, ...) moved to another document."""
    if base.owner is not None and head.owner is not None:
        old_owner = mapping.get(base.owner.id, base.owner.id)
        if old_owner != head.owner.id:
            out.reparented.append(Reparent(_ref(head), "in", [old_owner], [head.owner.id]))


_YAML_POSITION = re.compile(r"(\.ya?ml):\d+(?::\d+)?")
_SUGGESTION = re.compile(r"; did you mean .*\?$")


def _finding_key(d: Diagnostic, root: str) -> tuple[str, str]:
    """A finding as compared across revisions: code and message, without positions or hints."""
    message = _SUGGESTION.sub("", d.message.replace(root + "/", ""))
    return d.code, _YAML_POSITION.sub(r"\1", message)


def _finding(d: Diagnostic) -> FindingRef:
    loc = d.location
    return FindingRef(d.code, d.severity.value, d.message, loc.file, loc.line, loc.column)


def _findings(base: Playbook, head: Playbook, out: PlanDiff) -> None:
    """Findings only one side has, compared by (code, message) regardless of positions."""
    base_root, head_root = display_path(base.root), display_path(head.root)
    base_keys = Counter(_finding_key(d, base_root) for d in base.diagnostics)
    head_keys = Counter(_finding_key(d, head_root) for d in head.diagnostics)
    for d in head.diagnostics:
        key = _finding_key(d, head_root)
        if base_keys[key] > 0:
            base_keys[key] -= 1
        else:
            out.introduced.append(_finding(d))
    for d in base.diagnostics:
        key = _finding_key(d, base_root)
        if head_keys[key] > 0:
            head_keys[key] -= 1
        else:
            out.fixed.append(_finding(d))


def diff_playbooks(base: Playbook, head: Playbook) -> PlanDiff:
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
    out.renamed = [Rename(_ref(old), _ref(new)) for old, new in pairs]
    out.removed = [
        NodeEntry(_ref(n), _links_of(n).get("supports", []))
        for n in removed
        if n.id not in paired_old
    ]
    out.added = [
        NodeEntry(_ref(n), _links_of(n).get("supports", []))
        for n in added
        if n.id not in paired_new
    ]
    common = [(n, head_nodes[n.id]) for n in base_nodes.values() if same(n.id)]
    common += pairs
    inverse = {new: old for old, new in mapping.items()}
    for old, new in common:
        same_data = old.data == new.data  # the common case, cheaper than dumping both
        if not same_data:
            _diff_nodes(old, new, out)
        if not same_data or mapping:
            _diff_links(old, new, mapping, inverse, (base_nodes, head_nodes), out)
        _diff_owner(old, new, mapping, out)
    for before, after in zip(base.coverage(), head.coverage(), strict=True):
        out.coverage.append(
            CoverageChange(
                after.kind, after.label, before.covered, before.total, after.covered, after.total
            )
        )
    _findings(base, head, out)
    _sort(out)
    return out


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


# --- JSON ----------------------------------------------------------------------------------


def to_json(diff: PlanDiff) -> str:
    """A stable JSON document: sorted keys, sorted lists, a summary of the counts."""
    data = asdict(diff)
    coverage = data.pop("coverage")
    document = {
        "summary": {
            "added": len(diff.added),
            "removed": len(diff.removed),
            "renamed": len(diff.renamed),
            "changed": len(diff.changed),
            "reparented": len(diff.reparented),
            "links_added": len(diff.links_added),
            "links_removed": len(diff.links_removed),
            "targets": len(diff.targets),
            "findings_introduced": len(diff.introduced),
            "findings_fixed": len(diff.fixed),
        },
        "nodes": {k: data[k] for k in ("added", "removed", "renamed", "changed")},
        "links": {
            "added": data["links_added"],
            "removed": data["links_removed"],
            "reparented": data["reparented"],
        },
        "targets": data["targets"],
        "coverage": [{**c, "changed": diff.coverage[i].changed} for i, c in enumerate(coverage)],
        "findings": {"introduced": data["introduced"], "fixed": data["fixed"]},
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- Markdown ------------------------------------------------------------------------------

LinkFn = Callable[[str], str | None]


def _plural(label: str, n: int) -> str:
    if n == 1:
        return label
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


def _count(n: int, label: str) -> str:
    return f"{n} {_plural(label, n)}"


def _kinds(entries: Iterable[NodeEntry]) -> str:
    counts = Counter(e.node.kind for e in entries)
    parts = [
        _count(counts[k], LABELS.get(k, k))
        for k in sorted(counts, key=lambda k: KIND_ORDER.get(k, 99))
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1].rstrip() + "…"


def _value(value: Json) -> str:
    """A field value for one line of Markdown, cut when long."""
    if value is None or value == [] or value == {}:
        return "*none*"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return textsafe.number(value)
    if isinstance(value, dict):
        text = "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, [], {}))
        return textsafe.markdown_inline(_cut(text))
    if isinstance(value, list):
        return textsafe.markdown_inline(_cut(", ".join(str(v) for v in value)))
    return textsafe.markdown_inline(_cut(str(value)))


def _code(text: str) -> str:
    return f"`{textsafe.code(text)}`"


class _Writer:
    """Builds the Markdown of a diff, linking nodes through ``link``."""

    def __init__(self, link: LinkFn | None, fold: bool) -> None:
        self.link = link
        self.fold = fold
        self.lines: list[str] = []

    def node(self, ref: NodeRef, *, linked: bool = True, label: bool = True) -> str:
        title = textsafe.markdown_inline(ref.title)
        target = self.link(ref.id) if self.link is not None and linked else None
        shown = f"[{title}]({target})" if target else f"**{title}**"
        if ref.title == ref.id:
            shown = f"[{_code(ref.id)}]({target})" if target else _code(ref.id)
        else:
            shown += f" {_code(ref.id)}"
        if ref.kind == "missing":
            return f"{_code(ref.id)} (no such node)"
        text = f"{LABELS.get(ref.kind, ref.kind)} {shown}" if label else shown
        if ref.owner is not None and ref.owner_kind is not None:
            owner = self.id(ref.owner, linked=linked)
            text += f" of {LABELS.get(ref.owner_kind, ref.owner_kind)} {owner}"
        return text

    def id(self, node_id: str, *, linked: bool = True) -> str:
        target = self.link(node_id) if self.link is not None and linked else None
        return f"[{_code(node_id)}]({target})" if target else _code(node_id)

    def ids(self, node_ids: Sequence[str], *, linked: bool = True) -> str:
        if not node_ids:
            return "*nothing*"
        return ", ".join(self.id(i, linked=linked) for i in node_ids)

    def section(self, title: str, items: list[str]) -> None:
        if not items:
            return
        if self.fold:
            self.lines += ["", f"<details><summary>{title}</summary>", ""]
        else:
            self.lines += ["", f"## {title}", ""]
        self.lines += items
        if self.fold:
            self.lines += ["", "</details>"]


def _summary(diff: PlanDiff) -> str:
    parts: list[str] = []
    if diff.added:
        parts.append(f"{_kinds(diff.added)} added")
    if diff.removed:
        parts.append(f"{_kinds(diff.removed)} removed")
    for items, text in (
        (diff.renamed, "renamed"),
        (diff.changed, "changed"),
        (diff.reparented, "re-parented"),
    ):
        if items:
            parts.append(f"{len(items)} {text}")
    if diff.links_added:
        parts.append(f"{_count(len(diff.links_added), 'link')} added")
    if diff.links_removed:
        parts.append(f"{_count(len(diff.links_removed), 'link')} removed")
    if diff.targets:
        parts.append(f"{_count(len(diff.targets), 'metric target')} changed")
    model = ", ".join(parts) if parts else "no change to the model"
    rungs = [
        f"{c.label} {c.before_covered}/{c.before_total} → {c.after_covered}/{c.after_total}"
        for c in diff.coverage
        if c.changed
    ]
    coverage = "coverage: " + ", ".join(rungs) if rungs else "coverage unchanged"
    found = []
    if diff.introduced:
        found.append(f"{_count(len(diff.introduced), 'finding')} introduced")
    if diff.fixed:
        found.append(
            f"{len(diff.fixed)} fixed" if found else f"{_count(len(diff.fixed), 'finding')} fixed"
        )
    findings = ", ".join(found) if found else "findings unchanged"
    return f"**Plan changes:** {model} · {coverage} · {findings}"


def _field_line(change: FieldChange) -> str:
    name = _code(change.field)
    if change.added is not None and change.removed is not None:
        if not change.added and not change.removed:
            return f"  - {name}: reordered: {_value(change.old)} → {_value(change.new)}"
        parts = []
        if change.added:
            parts.append("added " + "; ".join(_value(v) for v in change.added))
        if change.removed:
            parts.append("removed " + "; ".join(_value(v) for v in change.removed))
        return f"  - {name}: " + ", ".join(parts)
    return f"  - {name}: {_value(change.old)} → {_value(change.new)}"


def _finding_line(f: FindingRef) -> str:
    where = f"{f.file}:{f.line}:{f.column}" if f.line else f.file
    return f"- {f.severity} {f.code} {textsafe.markdown_inline(f.message)} ({_code(where)})"


def to_markdown(diff: PlanDiff, link: LinkFn | None = None, *, fold: bool = True) -> str:
    """A pull-request comment: a one-line summary, then each category folded in <details>.

    ``link(node_id)`` returns a Markdown link target for a node's page, or None (no link);
    removed nodes are never linked. ``fold=False`` uses headings instead of <details>, for
    Markdown renderers that do not read Markdown inside HTML blocks.
    """
    w = _Writer(link, fold)
    w.lines.append(_summary(diff))
    w.section(
        f"Added ({len(diff.added)})",
        [
            f"- {w.node(e.node)}" + (f", supports {w.ids(e.supports)}" if e.supports else "")
            for e in diff.added
        ],
    )
    w.section(
        f"Removed ({len(diff.removed)})",
        [f"- {w.node(e.node, linked=False)}" for e in diff.removed],
    )
    w.section(
        f"Renamed ({len(diff.renamed)})",
        [f"- {w.node(r.new)}: {_code(r.old.id)} → {_code(r.new.id)}" for r in diff.renamed],
    )
    changed: list[str] = []
    for c in diff.changed:
        changed.append(f"- {w.node(c.node)}")
        changed += [_field_line(f) for f in c.fields]
    w.section(f"Changed ({len(diff.changed)})", changed)
    links = [
        f"- {w.node(r.node)}: supports {w.ids(r.old, linked=False)} → {w.ids(r.new)}"
        if r.relation == "supports"
        else f"- {w.node(r.node)}: moved from {w.ids(r.old, linked=False)} to {w.ids(r.new)}"
        for r in diff.reparented
    ]
    links += [
        f"- added: {w.node(lk.source)} {_code(lk.relation)} {w.node(lk.target)}"
        for lk in diff.links_added
    ]
    links += [
        f"- removed: {w.node(lk.source)} {_code(lk.relation)} {w.node(lk.target, linked=False)}"
        for lk in diff.links_removed
    ]
    total = len(diff.reparented) + len(diff.links_added) + len(diff.links_removed)
    w.section(f"Links ({total})", links)
    w.section(
        f"Metric targets ({len(diff.targets)})",
        [
            f"- metric **{textsafe.markdown_inline(t.name)}**"
            + (f" {_code(t.metric)}" if t.metric else "")
            + f" of {w.node(t.owner)}: target {_value(t.old)} → {_value(t.new)}"
            for t in diff.targets
        ],
    )
    if any(c.changed for c in diff.coverage):
        rows = ["| Rung | Before | After |", "|---|---:|---:|"]
        rows += [
            f"| {c.label.capitalize()} | {c.before_covered}/{c.before_total} "
            f"| {c.after_covered}/{c.after_total} |"
            for c in diff.coverage
        ]
        w.section("Coverage", rows)
    w.section(
        f"Findings introduced ({len(diff.introduced)})", [_finding_line(f) for f in diff.introduced]
    )
    w.section(f"Findings fixed ({len(diff.fixed)})", [_finding_line(f) for f in diff.fixed])
    return "\n".join(w.lines) + "\n"


# --- loading a revision --------------------------------------------------------------------


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc.strerror}") from None


def find_repo_root(cwd: Path | None = None) -> Path:
    """The top folder of the git work tree holding ``cwd``."""
    done = _git(["rev-parse", "--show-toplevel"], cwd or Path.cwd())
    if done.returncode != 0:
        raise RevisionError("not inside a git repository: give plans folders to compare instead")
    return Path(done.stdout.decode().strip())


def plans_path_in(repo: Path, plans: Path) -> str:
    """The plans folder as a path relative to the repository root (POSIX, '.' for the root)."""
    try:
        rel = plans.resolve().relative_to(repo.resolve())
    except ValueError:
        raise RevisionError(
            f"the plans folder {plans} is not inside the git repository {repo}"
        ) from None
    return rel.as_posix() or "."


def _extract(archive: bytes, rel: str, dest: Path) -> None:
    """Unpack a ``git archive`` of the plans folder, refusing anything outside it."""
    import tarfile

    if not hasattr(tarfile, "data_filter"):  # pragma: no cover - Python before 3.11.4
        raise RevisionError("reading a git revision needs Python 3.11.4 or later")
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        members = tar.getmembers()
        for member in members:
            name = posixpath.normpath(member.name)
            inside = rel == "." or name == rel or name.startswith(rel + "/")
            inside = inside or (member.isdir() and rel.startswith(name + "/"))  # its parents
            if name.startswith(("/", "../")) or name == ".." or not inside:
                raise RevisionError(f"refusing '{member.name}': it is outside '{rel}'")
        try:
            tar.extractall(dest, members=members, filter="data")
        except tarfile.TarError as exc:
            raise RevisionError(f"refusing the archive of '{rel}': {exc}") from None


def _relocate(playbook: Playbook, old_root: str, new_root: str, root: Path) -> Playbook:
    """Make a playbook loaded from a temporary folder name its files as in the repository."""

    def move(file: str) -> str:
        if file == old_root:
            return new_root
        if file.startswith(old_root + "/"):
            return new_root + file[len(old_root) :]
        return file

    def loc(location: Location) -> Location:
        return location.replace(file=move(location.file))

    docs = {id(n.doc): n.doc for n in playbook.nodes.values()}
    for doc in docs.values():
        doc.file = move(doc.file)
    playbook.diagnostics = [
        d.replace(
            message=d.message.replace(old_root + "/", new_root + "/"),
            location=loc(d.location),
            related=tuple(loc(r) for r in d.related),
        )
        for d in playbook.diagnostics
    ]
    playbook.files = [move(f) for f in playbook.files]
    playbook.root = root
    return playbook


def load_revision(
    rev_or_folder: str,
    plans_rel: str | Path,
    repo_root: Path | None = None,
    settings: Settings | None = None,
) -> Playbook:
    """Load a plans folder on disk, or the folder ``plans_rel`` of a git revision.

    An existing folder wins over a revision of the same name. A revision whose tree has no
    plans folder gives an empty playbook (everything in the other side is then added).
    """
    settings = settings or Settings()
    folder = Path(rev_or_folder)
    if folder.is_dir():
        return load(folder, settings.replace(plans=folder))
    root = repo_root if repo_root is not None else find_repo_root()
    rel = Path(plans_rel).as_posix().strip("/") or "."
    if rev_or_folder.startswith("-") or not rev_or_folder:
        raise RevisionError(f"'{rev_or_folder}' is neither a plans folder nor a git revision")
    done = _git(["rev-parse", "--verify", "--quiet", f"{rev_or_folder}^{{commit}}"], root)
    if done.returncode != 0:
        raise RevisionError(f"'{rev_or_folder}' is neither a plans folder nor a git revision")
    commit = done.stdout.decode().strip()
    spec = "" if rel == "." else rel
    exists = _git(["cat-file", "-e", f"{commit}:{spec}"], root).returncode == 0
    with tempfile.TemporaryDirectory(prefix="playbook-diff-") as tmp:
        dest = Path(tmp)
        if exists:
            archived = _git(
                ["--literal-pathspecs", "archive", "--format=tar", commit, "--", rel], root
            )
            if archived.returncode != 0:
                message = archived.stderr.decode(errors="replace").strip().splitlines()
                raise RevisionError(
                    f"git archive {rev_or_folder} failed: {message[-1] if message else ''}"
                )
            _extract(archived.stdout, rel, dest)
        plans = dest / rel
        plans.mkdir(parents=True, exist_ok=True)
        playbook = load(plans, settings.replace(plans=plans, cache=False))
        return _relocate(playbook, display_path(plans), display_path(root / rel), root / rel)


# --- the "What changed" page ----------------------------------------------------------------


def previous_version(repo: Path) -> str | None:
    """The git tag of the newest published version that is not the commit being built.

    Published versions are read from ``versions.json`` on the ``gh-pages`` branch (mike); a
    version ``2027.1`` matches a tag ``2027.1`` or ``v2027.1``. Without published versions,
    the newest tag before ``HEAD`` is used.
    """
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], repo).stdout.decode().strip()
    listed = _git(["show", "gh-pages:versions.json"], repo)
    names: list[str] = []
    if listed.returncode == 0:
        try:
            entries = json.loads(listed.stdout.decode())
            names = [str(e["version"]) for e in entries if isinstance(e, dict) and "version" in e]
        except (ValueError, KeyError, TypeError):
            names = []
    for name in names:
        for tag in (name, f"v{name}"):
            found = _git(["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], repo)
            commit = found.stdout.decode().strip()
            if found.returncode == 0 and commit and commit != head:
                return tag
    described = _git(["describe", "--tags", "--abbrev=0", "HEAD^"], repo)
    if described.returncode != 0:
        return None
    return described.stdout.decode().strip() or None


#: Base playbooks loaded from git, by what they depend on (``cache.BaseCache.key``).
Bases = dict[str, Playbook]


def changes_since(
    head: Playbook,
    base_spec: str,
    settings: Settings,
    link: LinkFn,
    bases: Bases | None = None,
    write: Callable[[PlanDiff], str] | None = None,
) -> tuple[str, str] | None:
    """(base, Markdown of the changes since it) for the site, or None when there is no base;
    ``write`` turns the diff into Markdown (default: as ``playbook diff`` writes it).

    ``base_spec`` is a git revision, a plans folder, ``auto`` (the previous published
    version, see :func:`previous_version`) or ``off``. A git revision's playbook is loaded
    once per commit: kept in ``bases`` (the plugin keeps it across the rebuilds of ``mkdocs
    serve``) and in the cache (``cache.BaseCache``) for the next build. A plans folder is
    always read again.
    """
    if base_spec == "off":
        return None
    try:
        root = find_repo_root(settings.plans.resolve())
    except RevisionError:
        return None
    base_name = previous_version(root) if base_spec == "auto" else base_spec
    if base_name is None:
        return None
    rel = plans_path_in(root, settings.plans)
    base = _base(base_name, rel, root, settings, {} if bases is None else bases)
    found = diff_playbooks(base, head)
    return base_name, write(found) if write is not None else to_markdown(found, link, fold=False)


def _base(base_name: str, rel: str, root: Path, settings: Settings, bases: Bases) -> Playbook:
    """The playbook at ``base_name``, from ``bases`` or the cache when it is a git commit
    loaded before."""
    commit = _commit_of(base_name, root)
    if commit is None:  # a plans folder (it can change), or not a revision: say why
        return load_revision(base_name, rel, root, settings)
    key = BaseCache.key(commit, rel, settings)
    base = bases.get(key)
    if base is not None:
        return base
    store = BaseCache(settings.plans, settings.cache_dir) if settings.cache else None
    base = store.get(key) if store is not None else None
    if base is None:
        base = load_revision(commit, rel, root, settings)  # the commit the key names
        if store is not None:
            store.put(key, base)
    bases.clear()  # only the latest base is kept
    bases[key] = base
    return base


def _commit_of(base_name: str, root: Path) -> str | None:
    """The commit a git revision names; None for a plans folder or a name git does not know."""
    if Path(base_name).is_dir() or base_name.startswith("-"):
        return None
    done = _git(["rev-parse", "--verify", "--quiet", f"{base_name}^{{commit}}"], root)
    commit = done.stdout.decode().strip()
    return commit if done.returncode == 0 and commit else None
