"""``playbook review ID``: record on a node that its owner reviewed it (a review stamp).

The stamp says when, who, and what the node's parents held then, one short hash a field
(``checks/review.py``)::

    review:
      date: 2027-02-01
      by: "@rnguyen"
      against:
        est-mkt-demand-capacity:
          title: 3f2a9c1
          situation: 9c1e0b7

It is written into the node's own YAML: an existing stamp's lines are replaced, else the stamp
is added after the node's last field, at its indentation. The rest of the file stays byte for
byte as it was (comments, layout, line ends), the result is read back and must hold the same
values with only the stamp changed, and the file is replaced atomically. A node written in
flow style (``{id: x, ...}``) is refused: ``playbook fmt`` lays it out first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mission_playbook.authoring.fmt import (
    AuthoringError,
    bodies,
    inside,
    last_line,
    normalise_breaks,
    scan,
)
from mission_playbook.authoring.scaffold import scalar
from mission_playbook.checks.review import REVIEWED, stamp_against
from mission_playbook.model import writing as output
from mission_playbook.model.config import Settings
from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.ladder import LABELS, Ladder
from mission_playbook.model.ladder import Node as LadderNode
from mission_playbook.model.people import owner_of
from mission_playbook.model.source import PathKey, decode, parse_text
from mission_playbook.playbook import load

KEY = "review"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What ``playbook review`` wrote, and where."""

    node: LadderNode
    path: Path
    line: int  # 1-based line of the stamp's key
    by: str
    date: dt.date
    against: dict[str, dict[str, str]]
    replaced: bool  # an earlier stamp was replaced


def render(by: str, date: dt.date, against: dict[str, dict[str, str]], indent: str) -> list[str]:
    """The stamp's lines, its key at ``indent``."""
    lines = [f"{KEY}:", f"  date: {date.isoformat()}", f"  by: {scalar(by)}", "  against:"]
    for parent, fields in against.items():
        lines.append(f"    {scalar(parent)}:")
        lines += [f"      {scalar(name)}: {scalar(value)}" for name, value in fields.items()]
    if not against:
        lines[-1] += " {}"
    return [indent + line for line in lines]


def _child(node: Node, part: str | int) -> Node | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                return value  # type: ignore[no-any-return]
    if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _mapping_at(root: Node, path: PathKey) -> Node | None:
    node: Node | None = root
    for part in path:
        node = _child(node, part) if node is not None else None
    return node


def splice(
    text: str, index: int, path: PathKey, stamp: Callable[[str], list[str]]
) -> tuple[str, int, bool]:
    """``text`` (LF-only) with a stamp put into the mapping at ``path`` of document ``index``;
    ``stamp(indent)`` gives its lines. (New text, 0-based line of the stamp's key, whether an
    earlier stamp was replaced.)"""
    lay = scan(text)
    found = [b for b in bodies(text, lay) if b[0] == index]
    mapping = _mapping_at(found[0][1], path) if found and found[0][1] is not None else None
    if not isinstance(mapping, MappingNode) or not mapping.value:
        raise AuthoringError("the node is not written as a mapping of fields")
    if mapping.flow_style:
        raise AuthoringError(
            "the node is written in flow style ({...}); lay it out with `playbook fmt` first"
        )
    lines = text.split("\n")
    column = int(mapping.value[0][0].start_mark.column)
    new = stamp(" " * column)
    existing = [(k, v) for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == KEY]
    if existing:
        key, value = existing[0]
        start, end = int(key.start_mark.line), last_line(value)
        while end > start and not lines[end].strip():
            end -= 1
        lines[start : end + 1] = [lines[start][:column] + new[0][column:], *new[1:]]
        return "\n".join(lines), start, True
    at = last_line(mapping)
    while at > int(mapping.start_mark.line) and not lines[at].strip():
        at -= 1  # a block scalar's trailing blank lines stay after the stamp
    lines[at + 1 : at + 1] = new
    return "\n".join(lines), at + 1, False


def _set(data: Any, path: PathKey, value: Any) -> None:
    for part in path:
        data = data[part]
    data[KEY] = value


def write_stamp(
    node: LadderNode, by: str, date: dt.date, against: dict[str, dict[str, str]], plans: Path
) -> tuple[Path, int, bool]:
    """Write the stamp into the node's file: (path, 1-based line, replaced)."""
    path = inside(Path(node.doc.file), plans)
    raw = path.read_bytes()
    findings = Findings()
    original = decode(raw, node.doc.file, findings)
    if original is None:
        raise AuthoringError(f"{node.doc.file}: the file is not UTF-8 text")
    nl = "\r\n" if "\r\n" in original else "\n"
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = normalise_breaks(original)
    try:
        result, line, replaced = splice(
            text, node.doc.index, node.path, lambda indent: render(by, date, against, indent)
        )
    except AuthoringError as exc:
        raise AuthoringError(f"{node.doc.file}: {node.label} '{node.id}': {exc}") from None
    before = parse_text(text, node.doc.file, findings)
    after = parse_text(result, node.doc.file, findings)
    expected = [d.data for d in before]
    if not findings.items:
        doc = next(d for d in before if d.index == node.doc.index)
        _set(doc.data, node.path, {"date": date, "by": by, "against": against})
    if findings.items or [d.data for d in after] != expected:
        raise AuthoringError(
            f"{node.doc.file}: the review stamp could not be written without changing the rest "
            "of the file; nothing written"
        )
    output.write_file_atomic(path, bom + result.replace("\n", nl))
    return path, line + 1, replaced


def default_reviewer(node: LadderNode, ladder: Ladder) -> str | None:
    """Who reviews a node when ``--by`` is not given: its owner, by handle when known."""
    someone = owner_of(node, ladder)
    if someone is None:
        return None
    return someone.handle or someone.name


def review(
    plans: Path,
    settings: Settings,
    node_id: str,
    by: str | None = None,
    date: dt.date | None = None,
) -> Stamp:
    """Stamp ``node_id`` as reviewed; refuse (``AuthoringError``) with nothing written."""
    playbook = load(plans, settings)
    node = playbook.nodes.get(node_id)
    if node is None:
        reviewable = [n.id for n in playbook.nodes.values() if n.kind in REVIEWED]
        raise AuthoringError(f"no node has the id '{node_id}'" + did_you_mean(node_id, reviewable))
    if node.kind not in REVIEWED:
        kinds = ", ".join(LABELS[k] + "s" for k in REVIEWED)
        raise AuthoringError(
            f"'{node_id}' is {_a(node.label)}: only what supports something is reviewed ({kinds})"
        )
    broken = [d for d in playbook.diagnostics if d.code == "PB001"]
    if any(d.location.file == node.doc.file for d in broken):
        raise AuthoringError(f"{node.doc.file} does not parse; fix it first (playbook check)")
    if not playbook.ladder.up(node):
        raise AuthoringError(
            f"{node.label} '{node_id}' supports nothing yet: there is nothing to review it against"
        )
    who = by if by is not None else default_reviewer(node, playbook.ladder)
    if who is None or not who.strip():
        raise AuthoringError(f"{node.label} '{node_id}' names no owner: say who reviews, --by NAME")
    when = date or dt.date.today()
    against = stamp_against(node, playbook.ladder)
    path, line, replaced = write_stamp(node, " ".join(who.split()), when, against, plans)
    return Stamp(node, path, line, " ".join(who.split()), when, against, replaced)


def _a(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
