"""``playbook new``: a new node in its conventional place, linked up the ladder.

=================  ===============================================  =====================
kind               where it is written                              links
=================  ===============================================  =====================
success-factor     appended to the mission's success_factors        (the mission)
key-task           appended to the intent's key_tasks               --supports factors
function           a new file ``functions/<id>.yaml``               none
estimate           appended to the function's estimates             --function, --supports
plan               a new file ``functions/<function>/<id>.yaml``    --supports, --function
=================  ===============================================  =====================

Required fields are filled with the placeholder ``TODO`` and a comment saying what goes there
(``title: TODO  # what this plan achieves``). ``TODO`` is valid text for the schema, so the
check passes on the result; the command lists the placeholders left to fill in.

A new plan and a new function check clean. A node added on a higher rung is linked up but has
nothing below it yet, so the check reports it as uncovered (PB007) until the rung below is
written: a success factor until a key task supports it, a key task until an estimate does, an
estimate until a plan does. The command says which ``playbook new`` to run next.

It refuses (exit 1, nothing written) an id that is not of the required form or already used
anywhere in the playbook, a link that names no node or a node of the wrong kind, a file that
already exists and a place outside the plans folder.

Inserting into an existing file keeps that file byte for byte: the new item's lines are
spliced in after the list's last line, at the list's own indentation, found from ruamel.yaml's
node graph of the file. Only when the list is empty or written in flow style (``[]``) is the
document's body loaded and dumped with ruamel.yaml's round trip (``typ='rt'``), which keeps its
comments and blank lines. Either way the result is read back and must hold exactly the old
values plus the new item.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from mission_playbook.authoring.fmt import (
    AuthoringError,
    bodies,
    dump_rt,
    inside,
    key_order,
    last_line,
    normalise_breaks,
    rt_yaml,
    scan,
    sort_keys,
)
from mission_playbook.model import kinds as model
from mission_playbook.model import writing as output
from mission_playbook.model.cache import FileCache
from mission_playbook.model.config import Settings
from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.files import display_path, plan_files
from mission_playbook.model.ladder import LABELS, SUPPORTS, Ladder, Node
from mission_playbook.model.source import Document, decode, parse_text, read_file
from mission_playbook.model.validate import ID_FORM, PLACEHOLDER, walk_ids
from mission_playbook.playbook import Playbook, load

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$", re.M)

#: Command-line kind → node kind.
KINDS: dict[str, str] = {
    "success-factor": "success_factor",
    "key-task": "key_task",
    "function": "function",
    "estimate": "estimate",
    "plan": "plan",
}

#: Where an inserted node goes: (document kind, list field).
PLACES = {
    "success_factor": ("mission", "success_factors"),
    "key_task": ("intent", "key_tasks"),
    "estimate": ("function", "estimates"),
}


@dataclass
class Line:
    """One line of a new node: its indentation step, text and comment."""

    depth: int
    text: str
    comment: str = ""


@dataclass
class Result:
    """What ``new`` wrote."""

    path: Path
    created: bool
    text: str
    first_line: int  # 1-based line of the new node in the file
    placeholders: list[int] = field(default_factory=list)  # 1-based lines holding TODO
    next_step: str = ""


# --- text of values --------------------------------------------------------------------------


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when it reads back as the same text, else quoted."""
    plain = (
        text
        and text == text.strip()
        and not re.search(r"[#:\[\]{},&*!|>'\"%@`]|^[-?]", text)
        and "\n" not in text
    )
    if plain:
        value = YAML(typ="safe", pure=True).load(f"k: {text}\n")
        if isinstance(value, dict) and value.get("k") == text:
            return text
    return json.dumps(text, ensure_ascii=False)


def _todo(comment: str, key: str, value: str | None = None) -> Line:
    return Line(0, f"{key}: {scalar(value) if value else PLACEHOLDER}", "" if value else comment)


# --- templates -------------------------------------------------------------------------------


def _ids(key: str, ids: Sequence[str]) -> list[Line]:
    return [Line(0, f"{key}:")] + [Line(1, f"- {scalar(i)}") for i in ids]


def success_factor(node_id: str, title: str | None) -> list[Line]:
    return [
        Line(0, f"id: {scalar(node_id)}"),
        _todo("the business outcome the commander sets", "title", title),
        _todo("why it matters to the mission", "description"),
        Line(0, "metric:"),
        Line(1, f"name: {PLACEHOLDER}", "what is measured"),
        Line(1, f"target: {PLACEHOLDER}", "the value to reach by the end of the horizon"),
    ]


def key_task(node_id: str, title: str | None, supports: Sequence[str]) -> list[Line]:
    return [
        Line(0, f"id: {scalar(node_id)}"),
        _todo("what every function must achieve together", "title", title),
        _todo("what done looks like", "description"),
        *_ids("supports", supports),
    ]


def estimate(node_id: str, title: str | None, supports: Sequence[str]) -> list[Line]:
    return [
        Line(0, f"id: {scalar(node_id)}"),
        _todo("how the function answers the key tasks it supports", "title", title),
        *_ids("supports", supports),
        _todo("where the function stands today", "situation"),
        _todo("what it has to work with", "capabilities"),
        _todo("what it lacks", "shortfalls"),
        _todo("what it can achieve", "conclusion"),
        _todo("what it should do", "recommendation"),
    ]


def function(node_id: str, title: str | None) -> list[Line]:
    return [
        Line(0, "kind: function"),
        Line(0, f"id: {scalar(node_id)}"),
        _todo("the function's name, as readers know it", "name", title),
        _todo("name and role of the functional leader", "leader"),
        _todo("its purpose within the mission", "role"),
        Line(0, "estimates: []"),
        _todo("the strategic concept: how the function will win its part", "concept"),
    ]


def plan(
    node_id: str, title: str | None, func: str, supports: Sequence[str], drives: str | None
) -> list[Line]:
    lines = [
        Line(0, "kind: plan"),
        Line(0, f"id: {scalar(node_id)}"),
        _todo("what this plan achieves", "title", title),
        Line(0, f"function: {scalar(func)}"),
        _todo("who is accountable: name and role", "owner"),
        *_ids("supports", supports),
        _todo("the result it delivers, in numbers where you can", "objective"),
        Line(0, "metrics:"),
        Line(1, f"- id: {scalar(metric_id(node_id))}"),
        Line(2, f"name: {PLACEHOLDER}", "the business outcome this plan moves"),
        Line(2, "type: outcome"),
    ]
    if drives:
        lines.append(Line(2, f"drives: {scalar(drives)}", "the success factor it serves"))
    return lines


def metric_id(plan_id: str) -> str:
    return f"{plan_id[:56]}-outcome"


def lines_text(lines: Sequence[Line], first: str = "", indent: str = "", nl: str = "\n") -> str:
    """Lines as text: the first prefixed by ``first`` (a list's ``- ``), the others by
    ``indent`` plus two spaces a step."""
    out = []
    for i, line in enumerate(lines):
        lead = first if i == 0 else indent
        text = f"{lead}{'  ' * line.depth}{line.text}"
        if line.comment:
            text += f"  # {line.comment}"
        out.append(text + nl)
    return "".join(out)


# --- the playbook as it is -------------------------------------------------------------------


@dataclass
class State:
    """The loaded playbook, every document and every id already used."""

    playbook: Playbook
    documents: list[Document]
    ids: set[str]

    @property
    def ladder(self) -> Ladder:
        return self.playbook.ladder


def read_state(plans: Path, settings: Settings, cache: FileCache | None = None) -> State:
    """The playbook in ``plans`` (parsed files kept in ``cache``, if given) and its ids."""
    playbook = load(plans, settings, cache=cache)
    documents: list[Document] = []
    findings = Findings()
    for path in plan_files(plans):
        documents.extend(read_file(path, findings, settings.max_file_size))
    ids = {str(v) for doc in documents for _, v in walk_ids(doc.data)}
    ids.update(playbook.nodes)
    return State(playbook, documents, ids)


def _refuse_unknown(state: State, refs: Sequence[str], want: str, field_name: str) -> None:
    for ref in refs:
        node = state.ladder.nodes.get(ref)
        if node is None:
            known = [n.id for n in state.ladder.of_kind(want)]
            raise AuthoringError(
                f"--{field_name} names '{ref}', but no {LABELS[want]} has that id"
                + did_you_mean(ref, known)
            )
        if node.kind != want:
            raise AuthoringError(
                f"--{field_name} names '{ref}', which is {_a(node.label)}, not {_a(LABELS[want])}"
            )


def _a(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _single(state: State, kind: str) -> Node:
    node = next(state.ladder.of_kind(kind), None)
    if node is None:
        raise AuthoringError(f"the playbook has no {kind} to add to; write one first")
    return node


# --- writing -----------------------------------------------------------------------------------


def _modeline(state: State, target: Path) -> str | None:
    """The schema line for a new file, pointing where the playbook's files already point."""
    for doc in sorted(state.documents, key=lambda d: (d.file.count("/"), d.file)):
        path = Path(doc.file)
        try:
            head = path.read_text(encoding="utf-8").split("\n", 1)[0]
        except OSError:
            continue
        match = MODELINE.match(head)
        if match:
            schema = (path.parent / match.group(1)).resolve()
            rel = os.path.relpath(schema, target.parent.resolve())
            return f"# yaml-language-server: $schema={Path(rel).as_posix()}"
    return None


def _placeholders(text: str, start: int, count: int) -> list[int]:
    lines = text.split("\n")
    return [
        n + 1
        for n in range(start - 1, min(start - 1 + count, len(lines)))
        if re.search(rf":\s+{PLACEHOLDER}(\s|$)", lines[n])
    ]


def create_file(
    state: State, plans: Path, target: Path, header: list[str], body: list[Line]
) -> Result:
    if target.exists():
        raise AuthoringError(f"{display_path(target)} already exists; nothing written")
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    inside(existing, plans)
    lines = [line for line in [_modeline(state, target), *header] if line]
    text = "".join(f"{line}\n" for line in lines) + lines_text(body)
    findings = Findings()
    parse_text(text, display_path(target), findings)
    if findings.items:  # pragma: no cover - the templates always parse
        raise AuthoringError(f"internal error: the new file does not parse: {findings.items[0]}")
    target.parent.mkdir(parents=True, exist_ok=True)
    inside(target, plans)
    output.write_file_atomic(target, text)
    first = len(lines) + 1
    return Result(target, True, text, first, _placeholders(text, first, len(body)))


def insert_item(path: Path, doc: Document, key: str, item: list[Line]) -> Result:
    """Append ``item`` to the list ``key`` of document ``doc`` in ``path``."""
    raw = path.read_bytes()
    findings = Findings()
    original = decode(raw, doc.file, findings)
    if original is None:  # pragma: no cover - the file was read just before
        raise AuthoringError(f"{doc.file}: the file is not UTF-8 text")
    nl = "\r\n" if "\r\n" in original else "\n"
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = normalise_breaks(original)
    lay = scan(text)
    found = [b for b in bodies(text, lay) if b[0] == doc.index]
    if not found or not isinstance(found[0][1], MappingNode):
        raise AuthoringError(f"{doc.file}: the {doc.data.get('kind')} is not a mapping")
    _, root, first, last = found[0]
    assert isinstance(root, MappingNode)
    value = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == key), None)
    lines = text.split("\n")
    if isinstance(value, SequenceNode) and value.value and not value.flow_style:
        items = value.value
        start = items[0].start_mark
        row = lines[start.line]
        dash = row.rfind("-", 0, start.column)
        if dash < 0 or row[dash + 1 : start.column].strip():
            raise AuthoringError(f"{doc.file}: cannot find where '{key}' lists its items")
        at = last_line(value)
        while at > start.line and not lines[at].strip():
            at -= 1  # a block scalar's trailing blank lines stay after the new item
        at += 1
        new = lines_text(
            item, " " * dash + "-" + " " * (start.column - dash - 1), " " * start.column
        )
        lines[at:at] = new.rstrip("\n").split("\n")
        first_new = at + 1
    else:
        body = "\n".join(lines[first : last + 1]) + "\n"
        data = rt_yaml().load(body)
        # rendered where the dump puts it, so that its comments keep their columns
        column = int(root.start_mark.column) + 2
        seq = rt_yaml().load(lines_text(item, " " * column + "- ", " " * (column + 2)))
        existing = data.get(key)
        if isinstance(existing, CommentedSeq):
            existing.extend(seq)
        elif key in data:
            data[key] = seq
        else:
            order = key_order(_cls(data))
            position = sum(1 for k in data if k in order and order.index(k) < order.index(key))
            data.insert(position, key, seq)
        new_body = sort_keys(dump_rt(data))
        lines[first : last + 1] = new_body
        first_new = first + 1 + _find_item(new_body, item)
    result = "\n".join(lines)
    _verify_insert(text, result, doc, key, lines_text(item, "- ", "  "))
    final = bom + result.replace("\n", nl)
    output.write_file_atomic(path, final)
    return Result(path, False, result, first_new, _placeholders(result, first_new, len(item)))


def _cls(data: CommentedMap) -> Any:
    return model.KINDS[str(data["kind"])]


def _find_item(lines: list[str], item: list[Line]) -> int:
    head = item[0].text
    for n in range(len(lines) - 1, -1, -1):
        if lines[n].strip().startswith(f"- {head}"):
            return n
    return 0  # pragma: no cover


def _verify_insert(before: str, after: str, doc: Document, key: str, item_text: str) -> None:
    """The file after must hold the same values as before, plus the new item."""
    findings = Findings()
    old = parse_text(before, doc.file, findings)
    new = parse_text(after, doc.file, findings)
    added = Findings()
    item = parse_text(item_text, doc.file, added)
    for d in old:
        if d.index == doc.index and isinstance(d.data, dict) and item:
            d.data[key] = [*(d.data.get(key) or []), *item[0].data]
    if findings.items or added.items or [d.data for d in new] != [d.data for d in old]:
        raise AuthoringError(
            f"{doc.file}: the new item could not be inserted without changing the rest of the "
            "file; nothing written (add it by hand)"
        )


# --- the command -------------------------------------------------------------------------------


def _drives(state: State, supports: Sequence[str]) -> str | None:
    """The first success factor above the estimates a new plan supports."""
    for est in supports:
        node = state.ladder.nodes.get(est)
        if node is None:
            continue
        for up in state.ladder.ancestors(node):
            if up.kind == "success_factor":
                return up.id
    return None


def new(
    plans: Path,
    settings: Settings,
    kind_arg: str,
    node_id: str,
    func: str | None = None,
    supports: Sequence[str] = (),
    title: str | None = None,
    cache: FileCache | None = None,
) -> Result:
    """Write a new node; refuse (``AuthoringError``) with nothing written when it cannot.

    ``cache`` keeps parsed files for the playbook it loads first (see ``load``)."""
    kind = KINDS[kind_arg]
    if not ID_FORM.fullmatch(node_id):
        raise AuthoringError(
            f"'{node_id}' is not an id: an id is 1 to 64 lower case letters, digits and '-', "
            "starting with a letter or digit"
        )
    state = read_state(plans, settings, cache)
    if node_id in state.ids:
        where = state.ladder.nodes.get(node_id)
        at = f" (the {where.label} at {where.loc('id')})" if where else ""
        raise AuthoringError(f"the id '{node_id}' is already used{at}; ids are unique")
    broken = [d for d in state.playbook.diagnostics if d.code == "PB001"]
    want = SUPPORTS.get(kind)
    if want and not supports:
        raise AuthoringError(
            f"{_a(LABELS[kind])} supports at least one {LABELS[want]}: give --supports ID"
        )
    if not want and supports:
        raise AuthoringError(f"{_a(LABELS[kind])} supports nothing: leave out --supports")
    if want:
        _refuse_unknown(state, supports, want, "supports")
    if kind == "plan" and func is None:
        owners = {state.ladder.nodes[s].function for s in supports}
        if len(owners) != 1:
            raise AuthoringError("the estimates belong to several functions: give --function")
        func = owners.pop()
    if kind in ("plan", "estimate"):
        if func is None:
            raise AuthoringError(f"{_a(LABELS[kind])} belongs to a function: give --function ID")
        _refuse_unknown(state, [func], "function", "function")
    elif func is not None:
        raise AuthoringError(f"{_a(LABELS[kind])} belongs to no function: leave out --function")
    if kind == "plan" and metric_id(node_id) in state.ids:
        raise AuthoringError(f"the id '{metric_id(node_id)}' for the plan's metric is used")
    functions = plans / "functions"
    if kind == "function":
        target = functions / f"{node_id}.yaml"
        name = " ".join((title or node_id).split())
        header = [
            f"# {name} (kind: function): mission analysis, estimates and strategic concept.",
            f"# Its supporting plans live in functions/{node_id}/.",
        ]
        result = create_file(state, plans, target, header, function(node_id, title))
        result.next_step = f"playbook new estimate ID --function {node_id} --supports KEY-TASK"
        return result
    if kind == "plan":
        assert func is not None
        owner = state.ladder.nodes[func]
        target = functions / func / f"{node_id}.yaml"
        name = " ".join(owner.title.split())
        header = [
            f"# Supporting plan (kind: plan) for {name}. It may support only {name} estimates."
        ]
        body = plan(node_id, title, func, supports, _drives(state, supports))
        return create_file(state, plans, target, header, body)
    doc_kind, key = PLACES[kind]
    holder = state.ladder.nodes[func] if kind == "estimate" and func else _single(state, doc_kind)
    path = inside(Path(holder.doc.file), plans)
    if any(d.location.file == holder.doc.file for d in broken):
        raise AuthoringError(f"{holder.doc.file} does not parse; fix it first (playbook check)")
    if kind == "success_factor":
        item = success_factor(node_id, title)
        step = f"playbook new key-task ID --supports {node_id}"
    elif kind == "key_task":
        item = key_task(node_id, title, supports)
        step = f"playbook new estimate ID --function FUNCTION --supports {node_id}"
    else:
        item = estimate(node_id, title, supports)
        step = f"playbook new plan ID --function {func} --supports {node_id}"
    result = insert_item(path, holder.doc, key, item)
    result.next_step = step
    return result
