"""``playbook rename OLD NEW``: change an id and every reference to it, and nothing else.

Where ids are written is known from the model: the ``id`` of each document and nested node,
the fields that name a node (``supports``, ``function``, ``depends_on``, ``drives``,
``measured_by``, ``from``, ``markets``, ``customers``, ``market``, the SLA's ``parties``,
stage ``owner``, commitment ``party`` and ``stage``, a check-in's ``metric`` and ``stage``,
a person named as ``owner``, ``leader`` or ``commander``), and the keys of review stamps (the
parents they were written against). The lifecycle stages of the mission are a vocabulary of
their own, named by plans' ``lifecycle_stage``: OLD is renamed there when it is a lifecycle
stage and no node has that id, or with ``--lifecycle``.

The files are edited at the exact position of each value, as the loader records it
(``Document.values``): the rest of every file stays byte for byte as it was, comments, layout
and line ends included. A value in quotes keeps its quotes. Each changed file is read back and
must hold the same values with OLD replaced at those places, or nothing is written.

It refuses (exit 1, nothing written) an invalid NEW, a NEW already in use, an OLD that nothing
has, and a playbook with a file that does not parse (a reference in it could be missed).
``--dry-run`` prints the unified diff instead of writing.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from mission_playbook.authoring.fmt import AuthoringError, inside
from mission_playbook.model import writing as output
from mission_playbook.model.config import ConfigError, Settings
from mission_playbook.model.diagnostics import Findings, did_you_mean
from mission_playbook.model.files import display_path, plan_files
from mission_playbook.model.kinds import DEFAULT_LIFECYCLE
from mission_playbook.model.source import Document, PathKey, decode, parse_text
from mission_playbook.model.validate import ID_FORM, walk_ids

Pattern = tuple[str, ...]  # "*" stands for any list index

#: Fields that define or name a node, by document kind.
NODE_FIELDS: dict[str, tuple[Pattern, ...]] = {
    "mission": (
        ("id",),
        ("commander", "person"),
        ("success_factors", "*", "id"),
        ("environment", "markets", "*", "id"),
        ("environment", "customers", "*", "id"),
        ("environment", "customers", "*", "market"),
    ),
    "intent": (
        ("id",),
        ("key_tasks", "*", "id"),
        ("key_tasks", "*", "supports", "*"),
        ("key_tasks", "*", "markets", "*"),
        ("end_state", "*", "measured_by"),
    ),
    "function": (
        ("id",),
        ("leader", "person"),
        ("estimates", "*", "id"),
        ("estimates", "*", "supports", "*"),
        ("mission_analysis", "specified_tasks", "*", "from"),
    ),
    "plan": (
        ("id",),
        ("function",),
        ("owner", "person"),
        ("supports", "*"),
        ("depends_on", "*"),
        ("markets", "*"),
        ("customers", "*"),
        ("metrics", "*", "id"),
        ("metrics", "*", "drives"),
    ),
    "sla": (
        ("id",),
        ("parties", "*"),
        ("stages", "*", "id"),
        ("stages", "*", "owner"),
        ("commitments", "*", "party"),
        ("commitments", "*", "stage"),
    ),
    "glossary": (("id",),),
    "people": (("id",), ("people", "*", "id")),
    "checkin": (("id",), ("values", "*", "metric"), ("funnel", "*", "stage")),
}

#: Mappings keyed by ids: the parents a review stamp was written against (checks/review.py).
ID_KEYS: dict[str, tuple[Pattern, ...]] = {
    "mission": (("success_factors", "*", "review", "against"),),
    "intent": (("key_tasks", "*", "review", "against"),),
    "function": (("estimates", "*", "review", "against"),),
    "plan": (("review", "against"),),
}

#: Fields that define or name a lifecycle stage.
LIFECYCLE_FIELDS: dict[str, tuple[Pattern, ...]] = {
    "mission": (("lifecycle", "*"),),
    "plan": (("lifecycle_stage",),),
}

#: What ruamel.yaml counts as a line break when it gives positions.
BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


@dataclass
class File:
    """A plan file as read: its bytes, text and documents."""

    path: Path
    name: str
    raw: bytes
    text: str
    documents: list[Document]


@dataclass
class Change:
    """The edits of one file."""

    file: File
    new_text: str
    count: int

    @property
    def new_raw(self) -> bytes:
        bom = b"\xef\xbb\xbf" if self.file.raw.startswith(b"\xef\xbb\xbf") else b""
        return bom + self.new_text.encode("utf-8")

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.file.text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                f"a/{self.file.name}",
                f"b/{self.file.name}",
            )
        )


@dataclass
class Plan:
    """A rename worked out and checked, ready to write."""

    old: str
    new: str
    namespace: str  # "id" or "lifecycle stage"
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(c.count for c in self.changes)


def read_files(plans: Path, settings: Settings) -> list[File]:
    """Every plan file with its documents; a file that does not parse is refused."""
    if not plans.is_dir():
        raise ConfigError(f"{plans}: the plans folder does not exist")
    files = []
    for path in plan_files(plans):
        name = display_path(path)
        findings = Findings()
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise AuthoringError(f"{name}: cannot be read: {exc.strerror}") from None
        if len(raw) > settings.max_file_size:
            raise AuthoringError(f"{name}: over the limit of {settings.max_file_size:,} bytes")
        text = decode(raw, name, findings)
        documents = parse_text(text, name, findings) if text is not None else []
        if findings.items or text is None:
            first = findings.items[0]
            raise AuthoringError(
                f"{first}\nplaybook: nothing renamed: fix the file first, so that no "
                "reference in it is missed"
            )
        files.append(File(path, name, raw, text, documents))
    return files


def matches(data: Any, pattern: Pattern, prefix: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every (path, value) of ``data`` that ``pattern`` names."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from matches(item, rest, (*prefix, i))
    elif isinstance(data, dict) and head in data:
        yield from matches(data[head], rest, (*prefix, head))


def places(doc: Document, fields: dict[str, tuple[Pattern, ...]], value: str) -> list[PathKey]:
    """Paths in ``doc`` whose value is the id ``value``, in the given fields."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return []
    return [
        path
        for pattern in fields.get(data["kind"], ())
        for path, found in matches(data, pattern)
        if found == value and isinstance(found, str)
    ]


def _lifecycles(files: list[File]) -> tuple[set[str], bool]:
    """The mission's lifecycle stages, and whether the mission writes them out."""
    for f in files:
        for doc in f.documents:
            if isinstance(doc.data, dict) and doc.data.get("kind") == "mission":
                stages = doc.data.get("lifecycle")
                if isinstance(stages, list):
                    return {str(s) for s in stages}, True
                return set(DEFAULT_LIFECYCLE), False
    return set(), False


def _where_defined(files: list[File], value: str) -> str:
    for f in files:
        for doc in f.documents:
            for path, found in walk_ids(doc.data):
                if found == value:
                    return str(doc.loc(path))
    return ""


def _written(new: str) -> str:
    """``new`` as written in place of a plain value: quoted if YAML would not read it as text."""
    loaded = YAML(typ="safe", pure=True).load(f"k: {new}\n")
    return new if loaded == {"k": new} else f'"{new}"'


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in BREAK.finditer(text)]


def keyed(doc: Document, value: str) -> list[PathKey]:
    """Paths in ``doc`` of the mappings keyed by ids (``ID_KEYS``) that have the key ``value``."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return []
    return [
        path
        for pattern in ID_KEYS.get(data["kind"], ())
        for path, found in matches(data, pattern)
        if isinstance(found, dict) and value in found
    ]


def _rekey(data: Any, path: PathKey, old: str, new: str) -> None:
    """The mapping at ``path`` with its key ``old`` renamed, in the same place."""
    for part in path[:-1]:
        data = data[part]
    mapping = data[path[-1]]
    data[path[-1]] = {(new if k == old else k): v for k, v in mapping.items()}


def _edit(
    file: File, doc: Document, path: PathKey, old: str, new: str, key: bool = False
) -> tuple[int, int, str]:
    """(offset, length, replacement) of the value at ``path`` (of the key naming ``path``
    when ``key``), checked against the text."""
    line, column = (doc.keys if key else doc.values)[path]
    starts = _line_starts(file.text)
    offset = starts[line - 1] + column - 1
    text = file.text
    at = offset
    if text.startswith("!!str", at):
        at += len("!!str")
        while text[at] in " \t":
            at += 1
    end = at + len(old)
    if text[at : at + 1] in ("'", '"'):
        quote = text[at]
        if text.startswith(old, at + 1) and text[at + 1 + len(old) : at + 2 + len(old)] == quote:
            return at + 1, len(old), new
    elif text.startswith(old, at) and not re.match(r"[A-Za-z0-9_-]", text[end : end + 1]):
        return at, len(old), _written(new)
    raise AuthoringError(
        f"{file.name}:{line}:{column}: the value '{old}' is not written as plain or quoted text "
        "here; rename it by hand"
    )


def _set(data: Any, path: PathKey, value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def plan_rename(
    plans: Path, settings: Settings, old: str, new: str, lifecycle: bool = False
) -> Plan:
    """Work out every edit of renaming ``old`` to ``new``; nothing is written."""
    if not ID_FORM.fullmatch(new):
        raise AuthoringError(
            f"'{new}' is not an id: an id is 1 to 64 lower case letters, digits and '-', "
            "starting with a letter or digit"
        )
    if old == new:
        raise AuthoringError(f"'{old}' and '{new}' are the same id")
    files = read_files(plans, settings)
    ids = {str(v) for f in files for d in f.documents for _, v in walk_ids(d.data)}
    stages, written = _lifecycles(files)
    notes = []
    if lifecycle or (old not in ids and old in stages):
        if old not in stages:
            raise AuthoringError(
                f"'{old}' is not a lifecycle stage" + did_you_mean(old, sorted(stages))
            )
        if not written:
            raise AuthoringError(
                "the mission uses the default lifecycle; write it out in the mission "
                f"('lifecycle: [{', '.join(DEFAULT_LIFECYCLE)}]') before renaming a stage"
            )
        if new in stages:
            raise AuthoringError(f"'{new}' is already a lifecycle stage")
        fields, namespace = LIFECYCLE_FIELDS, "lifecycle stage"
    else:
        if old not in ids:
            raise AuthoringError(f"no node has the id '{old}'" + did_you_mean(old, sorted(ids)))
        if new in ids:
            raise AuthoringError(
                f"the id '{new}' is already used (at {_where_defined(files, new)}); "
                "ids are unique across the playbook"
            )
        fields, namespace = NODE_FIELDS, "id"
        if old in stages:
            notes.append(
                f"'{old}' is also a lifecycle stage, which is left as it is "
                "(rename it with --lifecycle)"
            )
    result = Plan(old, new, namespace, notes=notes)
    for file in files:
        edits: dict[int, tuple[int, str]] = {}
        expected = []
        for doc in file.documents:
            data = copy.deepcopy(doc.data)
            for path in places(doc, fields, old):
                offset, length, text = _edit(file, doc, path, old, new)
                edits[offset] = (length, text)
                _set(data, path, new)
            if namespace == "id":
                for path in keyed(doc, old):
                    offset, length, text = _edit(file, doc, (*path, old), old, new, key=True)
                    edits[offset] = (length, text)
                    _rekey(data, path, old, new)
            expected.append(data)
        if not edits:
            continue
        text = file.text
        for offset in sorted(edits, reverse=True):
            length, replacement = edits[offset]
            text = text[:offset] + replacement + text[offset + length :]
        findings = Findings()
        after = parse_text(text, file.name, findings)
        if findings.items or [d.data for d in after] != expected:
            raise AuthoringError(
                f"{file.name}: renaming here would change more than the id; nothing renamed"
            )
        result.changes.append(Change(file, text, len(edits)))
    return result


def apply(plan: Plan, plans: Path) -> None:
    """Write every changed file atomically; if one fails, put back those already written."""
    done: list[Change] = []
    try:
        for change in plan.changes:
            target = inside(change.file.path, plans)
            output.write_file_atomic(target, change.new_raw.decode("utf-8"))
            done.append(change)
    except BaseException:
        for change in done:
            output.write_file_atomic(change.file.path.resolve(), change.file.raw.decode("utf-8"))
        raise
