"""The plan diff as reviewers and tools read it: a pull-request comment in Markdown (with links
to the node pages when asked) and a stable JSON document. The site's "What changed" page
tells the same diff in sentences for readers (``views/changes_page.py``).

The diff itself is ``compare/diff.py``; every text that comes from a plan is escaped here
(``views/textsafe.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict

from mission_playbook.compare.diff import KIND_ORDER, FieldChange, NodeEntry, NodeRef, PlanDiff
from mission_playbook.compare.impact import Cause, Impact
from mission_playbook.compare.snapshot import FindingRef, Json
from mission_playbook.model.ladder import LABELS
from mission_playbook.views import textsafe

#: Longest value shown in Markdown before it is cut with an ellipsis.
MAX_SHOWN = 100
#: Nodes listed for one owner in the Impact section before "… and N more".
MAX_IMPACT = 30


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
            "impacted": diff.impact.count,
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
        "impact": data["impact"],
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
    summary = f"**Plan changes:** {model} · {coverage} · {findings}"
    impact = diff.impact
    if impact.count:
        owners = _count(len(impact.owners), "owner")
        summary += f" · {_count(impact.count, 'node')} to re-read ({owners})"
    elif impact:
        summary += " · nothing beneath the changes above the plans"
    return summary


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


def _impact(w: _Writer, impact: Impact) -> list[str]:
    """The Impact section: the changes above the plans, then what rests on them, by owner."""
    if not impact:
        return []

    def cause(c: Cause, linked: bool = True) -> str:
        ref = NodeRef(c.kind, c.id, c.title)
        return f"{w.node(ref, linked=linked and 'removed' not in c.how)} ({c.how})"

    lines = ["Changed above the plans: " + "; ".join(cause(c) for c in impact.causes) + "."]
    if impact.owners:
        lines += ["", "Resting on those changes, by owner (each owner re-reads what is listed):"]
        lines.append("")
    for group in impact.owners:
        who = f"**{textsafe.markdown_inline(group.name)}**" if group.name else "*No owner named*"
        if group.handle:
            who += f" {_code(group.handle)}"
        lines.append(f"- {who}")
        for node in group.nodes[:MAX_IMPACT]:
            ref = NodeRef(node.kind, node.id, node.title)
            lines.append(f"  - {w.node(ref)}, on {w.ids(node.causes)}")
        if len(group.nodes) > MAX_IMPACT:
            lines.append(f"  - … and {len(group.nodes) - MAX_IMPACT} more")
    if impact.nothing_beneath:
        if impact.owners:
            lines.append("")
        lines.append(
            "Nothing beneath: " + "; ".join(cause(c) for c in impact.nothing_beneath) + "."
        )
    return lines


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
    owners = f"{_count(len(diff.impact.owners), 'owner')}, " if diff.impact.owners else ""
    w.section(f"Impact ({owners}{_count(diff.impact.count, 'node')})", _impact(w, diff.impact))
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
