"""The site's "What changed" page: a plan diff told node by node, in sentences.

``views/changes.py`` writes a change for reviewers (``playbook diff``: categories, field
paths, list items added and removed). A reader of the published playbook wants to know what
happened to each part of the plan: "Marketing's commitment at Marketing qualified lead (MQL):
225 → 150 a month; now 217 short of the 667 a quarter the revenue target needs". This module
writes that, from the same diff and the new playbook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mission_playbook.checks.waterfall import Waterfall
from mission_playbook.compare.diff import KIND_ORDER, FieldChange, NodeRef, PlanDiff
from mission_playbook.model.ladder import LABELS
from mission_playbook.playbook import Playbook
from mission_playbook.views import textsafe

LinkFn = Callable[[str], str | None]

#: Longest value quoted in a sentence before it is cut.
MAX_QUOTED = 100


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1].rstrip() + "…"


def _value(value: Any) -> str:
    """A value in a sentence (Markdown, made safe)."""
    if value is None or value == [] or value == {}:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return textsafe.number(value)
    if isinstance(value, dict):
        text = ", ".join(f"{k} {v}" for k, v in value.items() if v not in (None, [], {}))
        return textsafe.markdown_inline(_cut(text))
    if isinstance(value, list):
        return textsafe.markdown_inline(_cut(", ".join(str(v) for v in value)))
    return f"“{textsafe.markdown_inline(_cut(str(value)))}”"


def _field(path: str) -> str:
    """``metric.baseline`` → ``Baseline of the metric``, ``lifecycle_stage`` → ``Lifecycle
    stage``."""
    parts = [p.replace("_", " ") for p in path.split(".")]
    text = parts[-1] if len(parts) == 1 else f"{parts[-1]} of the {' '.join(parts[:-1])}"
    return text[:1].upper() + text[1:]


class _Sentences:
    """Sentences about each node, in the order of the ladder."""

    def __init__(self, head: Playbook, link: LinkFn) -> None:
        self.head = head
        self.link = link
        self.nodes: dict[tuple[int, str], tuple[NodeRef, list[str]]] = {}

    def about(self, ref: NodeRef, sentence: str) -> None:
        key = (KIND_ORDER.get(ref.kind, len(KIND_ORDER)), ref.id)
        self.nodes.setdefault(key, (ref, []))[1].append(sentence)

    def name(self, node_id: str, linked: bool = True) -> str:
        node = self.head.nodes.get(node_id)
        title = textsafe.markdown_inline(node.title if node is not None else node_id)
        target = self.link(node_id) if linked and node is not None else None
        return f"[{title}]({target})" if target else f"*{title}*"

    def names(self, ids: list[str], linked: bool = True) -> str:
        shown = [self.name(i, linked) for i in ids]
        if not shown:
            return "nothing"
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]

    def heading(self, ref: NodeRef, removed: bool) -> str:
        title = textsafe.markdown_inline(ref.title)
        target = None if removed else self.link(ref.id)
        shown = f"[{title}]({target})" if target else f"**{title}**"
        label = LABELS.get(ref.kind, ref.kind)
        if ref.owner is not None and ref.owner_kind is not None:
            label += f" of {self.name(ref.owner, not removed)}"
        return f"{shown} ({label})"

    def markdown(self, removed: set[str]) -> list[str]:
        return [
            f"- {self.heading(ref, ref.id in removed)}: " + " ".join(sentences)
            for _key, (ref, sentences) in sorted(self.nodes.items())
        ]


def _commitments(change: FieldChange, waterfall: Waterfall | None, s: _Sentences) -> list[str]:
    """Sentences for an SLA's commitments: each (party, stage) old → new, and where the stage
    stands now."""

    def key(item: Any) -> tuple[str, str]:
        if not isinstance(item, dict):
            return ("", "")
        return (str(item.get("party")), str(item.get("stage")))

    before = {key(c): c for c in change.removed or []}
    after = {key(c): c for c in change.added or []}
    needs = {n.stage.id: n for n in waterfall.stages} if waterfall is not None else {}
    period = waterfall.period if waterfall is not None else ""
    out = []
    for party, stage in sorted(before.keys() | after.keys()):
        old, new = before.get((party, stage)), after.get((party, stage))
        what = f"{s.name(party)}'s commitment at {s.name(stage)}"
        if old and new:
            text = f"{what}: {_value(old.get('volume'))} a {old.get('per')} → "
            text += f"{_value(new.get('volume'))} a {new.get('per')}"
        elif new:
            text = f"new: {what}, {_value(new.get('volume'))} a {new.get('per')}"
        else:
            assert old is not None
            text = f"{what} ({_value(old.get('volume'))} a {old.get('per')}) was withdrawn"
        need = needs.get(stage)
        if need is not None and need.committed is not None:
            if need.gap:
                text += f"; now {textsafe.number(need.gap)} short of the "
                text += f"{need.needed:,} a {period} the revenue target needs"
            else:
                text += f"; it now covers the {need.needed:,} a {period} the revenue target needs"
        out.append(text + ".")
    return out


def sentences(diff: PlanDiff, head: Playbook, link: LinkFn) -> str:
    """The diff as Markdown for the site: a line on the whole, then one item per node."""
    s = _Sentences(head, link)
    waterfall = head.waterfalls[0] if head.waterfalls else None
    for entry in diff.added:
        text = f"new {LABELS.get(entry.node.kind, entry.node.kind)}"
        if entry.supports:
            text += f"; it supports {s.names(entry.supports)}"
        s.about(entry.node, text[:1].upper() + text[1:] + ".")
    for entry in diff.removed:
        s.about(entry.node, "Removed from the plan.")
    for rename in diff.renamed:
        s.about(rename.new, f"Its id changed from `{rename.old.id}` to `{rename.new.id}`.")
    for change in diff.changed:
        for f in change.fields:
            if change.node.kind == "sla" and f.field == "commitments":
                for text in _commitments(f, waterfall, s):
                    s.about(change.node, text[:1].upper() + text[1:])
            elif f.added is not None and f.removed is not None and (f.added or f.removed):
                parts = []
                if f.added:
                    parts.append("added " + "; ".join(_value(v) for v in f.added))
                if f.removed:
                    parts.append("removed " + "; ".join(_value(v) for v in f.removed))
                s.about(change.node, f"{_field(f.field)}: {', '.join(parts)}.")
            else:
                s.about(change.node, f"{_field(f.field)}: {_value(f.old)} → {_value(f.new)}.")
    for move in diff.reparented:
        if move.relation == "supports":
            text = f"It now supports {s.names(move.new)} (before: {s.names(move.old, False)})."
        else:
            text = f"It moved from {s.names(move.old, False)} to {s.names(move.new)}."
        s.about(move.node, text)
    verbs = {"supports": "supports", "depends_on": "depends on", "drives": "drives"}
    for link_ in diff.links_added:
        verb = verbs.get(link_.relation, link_.relation)
        s.about(link_.source, f"It now {verb} {s.name(link_.target.id)}.")
    for link_ in diff.links_removed:
        verb = verbs.get(link_.relation, link_.relation)
        s.about(link_.source, f"It no longer {verb} {s.name(link_.target.id, False)}.")
    for t in diff.targets:
        owner = t.owner
        what = f"Target of {textsafe.markdown_inline(t.name)}" if t.metric else "Target"
        s.about(owner, f"{what}: {_value(t.old)} → {_value(t.new)}.")
    removed = {e.node.id for e in diff.removed}
    lines = s.markdown(removed)
    if not lines:
        lines = ["Nothing in the plan itself changed."]
    coverage = [
        f"{c.label} {c.before_covered} of {c.before_total} → {c.after_covered} of {c.after_total}"
        for c in diff.coverage
        if c.changed
    ]
    if coverage:
        lines += ["", "**Linked to the level above or below:** " + "; ".join(coverage) + "."]
    for title, found in (("New findings of the check", diff.introduced), ("Fixed", diff.fixed)):
        if found:
            items = "; ".join(textsafe.markdown_inline(f.message) for f in found[:10])
            more = f"; and {len(found) - 10} more" if len(found) > 10 else ""
            lines += ["", f"**{title}:** {items}{more}."]
    return "\n".join(lines) + "\n"
