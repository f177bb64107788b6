"""Review stamps and suspect links (PB019).

``playbook review ID`` writes a stamp on a node: the date, who reviewed it, and for each node
it supports (its parents on the ladder) a short hash of each field that matters, as it was
then. A node is **suspect** when a parent's content has changed since: a field's hash differs,
a field was added or removed, or the node now supports a parent its review did not cover.

What matters of a parent is its content as values: the model's fields, not the formatting,
quotes, comments or key order of the file. Left out are the parent's id and kind, the nodes
nested in it (reported on their own), its own review stamp (reviewing an estimate must not
make its plans suspect), who owns it, and fields that name other nodes (``supports``,
``markets``, the mission's ``lifecycle``): a rename changes those, never the content. Text is
compared without the white space at its ends and at the end of each line; a number written
as text is the number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mission_playbook.model import records
from mission_playbook.model.diagnostics import Findings
from mission_playbook.model.ladder import NESTED, Ladder, Node, drop_nodes

#: Kinds that may carry a review stamp: the rungs that support something.
REVIEWED = ("success_factor", "key_task", "estimate", "plan")

#: Characters of each field's hash (hexadecimal): 28 bits, like a short git hash.
HASH_LENGTH = 7

#: Fields of a parent that are not its content: links to other nodes, and who owns it.
NOT_CONTENT: dict[str, frozenset[str]] = {
    "mission": frozenset({"lifecycle", "commander"}),
    "key_task": frozenset({"supports", "markets"}),
    "estimate": frozenset({"supports"}),
}
_ALWAYS_LEFT_OUT = frozenset({"id", "kind", "review"})


def _normal(value: Any) -> Any:
    """A value as compared: text trimmed, whole numbers as integers, empty values dropped."""
    if isinstance(value, str):
        text = "\n".join(line.rstrip() for line in value.strip().split("\n"))
        number = _number(text)
        return text if number is None else number
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        out = {str(k): _normal(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if not _empty(v)}
    return value


def _number(text: str) -> int | float | None:
    if not text or not text.isascii() or text[0] not in "+-.0123456789":
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def content(node: Node) -> dict[str, Any]:
    """What matters of a node when something below it was reviewed, field by field."""
    data: dict[str, Any] = records.dump(node.data)
    for attrs, _kind in NESTED.get(node.kind, ()):
        drop_nodes(data, attrs)
    left_out = _ALWAYS_LEFT_OUT | NOT_CONTENT.get(node.kind, frozenset())
    out = {k: _normal(v) for k, v in data.items() if k not in left_out}
    return {k: v for k, v in out.items() if not _empty(v)}


def short_hash(value: Any) -> str:
    """A short, stable hash of a value."""
    import hashlib  # here: a check of a playbook without stamps never needs them (OpenSSL)
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()[:HASH_LENGTH]


def fingerprint(node: Node) -> dict[str, str]:
    """Field → short hash of a parent's content, in the order of its fields."""
    return {name: short_hash(value) for name, value in content(node).items()}


def stamp_against(node: Node, ladder: Ladder) -> dict[str, dict[str, str]]:
    """What a review of ``node`` today records: each parent's fingerprint, by parent id."""
    return {parent.id: fingerprint(parent) for parent in ladder.up(node)}


@dataclass(frozen=True, slots=True)
class Suspicion:
    """A parent that changed since the review: the fields that differ, or the whole parent
    when the review did not cover it (``uncovered``)."""

    parent: Node
    fields: tuple[str, ...] = ()
    uncovered: bool = False

    @property
    def what(self) -> str:
        """The fields that changed, as a reader reads them: ``'title' and 'conclusion'``."""
        names = [f"'{f}'" for f in self.fields]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]


def suspicions(node: Node, ladder: Ladder) -> list[Suspicion]:
    """The parents of a reviewed node that changed since its review (none when it has no
    review stamp)."""
    review = getattr(node.data, "review", None)
    if review is None:
        return []
    out = []
    for parent in ladder.up(node):
        then = review.against.get(parent.id)
        if then is None:
            out.append(Suspicion(parent, uncovered=True))
            continue
        now = fingerprint(parent)
        changed = [f for f in now if then.get(f) != now[f]]
        changed += [f for f in then if f not in now]
        if changed:
            out.append(Suspicion(parent, tuple(changed)))
    return out


def check(ladder: Ladder, findings: Findings) -> None:
    """PB019: a reviewed node whose parent changed since its review, one finding a parent."""
    for node in ladder.nodes.values():
        review = getattr(node.data, "review", None) if node.kind in REVIEWED else None
        if review is None:
            continue
        for s in suspicions(node, ladder):
            parent = f"{s.parent.label} '{s.parent.id}'"
            if s.uncovered:
                why = f"it now supports {parent}, which its review on {review.date} did not cover"
            else:
                why = f"the {s.what} of {parent} changed since its review on {review.date}"
            findings.add(
                "PB019",
                f"{node.label} '{node.id}' is suspect: {why}; read it again, then run "
                f"`playbook review {node.id}`",
                node.doc.key_loc((*node.path, "review")),
                related=[s.parent.loc("id")],
            )
