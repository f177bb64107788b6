"""``playbook fmt``: one canonical layout for plan files, with every comment kept.

The layout: keys in the order of docs/model.md for each kind and nested node (the order of the
fields of ``model/kinds.py``), unknown keys after the known ones in their own order;
collections in block style; 2-space indentation with sequences indented under their key
(``key:`` then ``  - item``); lines folded at 100 characters; comment lines indented like the
line they describe (the next one); two spaces before a comment at the end of a line; no trailing
white space; one newline at the end.

How, for each document of a file:

1. The file must parse as the loader reads it; a file that does not is reported (PB001,
   file:line:col) and left untouched.
2. The body of the document (its first to last line of YAML) is loaded and dumped with
   ruamel.yaml's round trip (``typ='rt'``), which keeps comments, blank lines, block scalars
   and the quoting of each value as written.
3. Keys are put in order by moving whole lines: a key takes its value along, with the comment
   and blank lines just above it, so that a comment stays with the key it describes.
4. The result must parse to the same values and hold the same comments, byte for byte; if
   not, the file is reported and left untouched.

Comments and markers around documents (``---``, ``...``, directives) are kept as written.
"""

from __future__ import annotations

import bisect
import io
import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tokens import (
    AliasToken,
    AnchorToken,
    DirectiveToken,
    DocumentEndToken,
    DocumentStartToken,
    ScalarToken,
    StreamEndToken,
    StreamStartToken,
)

from mission_playbook.model import kinds as model
from mission_playbook.model import records
from mission_playbook.model.diagnostics import Diagnostic, Findings, Location
from mission_playbook.model.files import DEFAULT_MAX_FILE_BYTES, display_path, plan_files
from mission_playbook.model.records import Record, unwrap
from mission_playbook.model.source import decode, parse_text

WIDTH = 100
#: Characters ruamel.yaml counts as line breaks but plain text tools do not.
ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
MARKERS = (DocumentStartToken, DocumentEndToken, DirectiveToken)


class AuthoringError(Exception):
    """A refusal of an authoring command: reported plainly, exit 1, nothing written."""


def inside(path: Path, root: Path) -> Path:
    """``path`` resolved, refused unless it is inside the plans folder ``root``."""
    real_root = root.resolve()
    real = path.resolve()
    if not real.is_relative_to(real_root):
        raise AuthoringError(
            f"{display_path(path)} is outside the plans folder {display_path(root)}; "
            "authoring commands only change files inside it"
        )
    return real


# --- what a text holds, line by line -------------------------------------------------------


@dataclass
class Layout:
    """Facts about a YAML text from its tokens (0-based line numbers)."""

    lines: list[str]
    content: set[int] = field(default_factory=set)  # lines that hold YAML (not comments)
    markers: set[int] = field(default_factory=set)  # lines with ---, ... or a %directive
    verbatim: set[int] = field(default_factory=set)  # lines of block or quoted scalars
    comment_only: set[int] = field(default_factory=set)  # lines that hold just a comment
    comments: list[tuple[int, int]] = field(default_factory=list)  # (line, column) of each
    aliases: bool = False

    def comment_texts(self) -> list[str]:
        return [self.lines[line][col:].rstrip() for line, col in self.comments]


def normalise_breaks(text: str) -> str:
    """CRLF and CR line ends as LF, a byte order mark dropped."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def scan(text: str) -> Layout:
    """Tokens of ``text`` (already LF-only) turned into per-line facts, comments found exactly.

    A ``#`` starts a comment when it is outside every token and follows white space or starts
    a line; inside a quoted or block scalar it is text.
    """
    lines = text.split("\n")
    layout = Layout(lines)
    spans: list[tuple[int, int]] = []
    for token in YAML(typ="safe", pure=True).scan(text):
        if isinstance(token, StreamStartToken | StreamEndToken):
            continue
        if isinstance(token, AliasToken | AnchorToken):
            layout.aliases = True
        start, end = token.start_mark, token.end_mark
        if end.index <= start.index:
            continue
        if isinstance(token, ScalarToken) and token.style in ("|", ">"):
            # a comment may follow the header (``key: >-  # note``): the text starts below it
            spans.append((text.find("\n", start.index) + 1 or end.index, end.index))
        else:
            spans.append((start.index, end.index))
        last = end.line if end.column > 0 or end.line == start.line else end.line - 1
        covered = range(start.line, last + 1)
        if isinstance(token, MARKERS):
            layout.markers.update(covered)
        else:
            layout.content.update(covered)
        if isinstance(token, ScalarToken) and token.style and last > start.line:
            layout.verbatim.update(covered)
    spans.sort()
    starts = [s for s, _ in spans]
    offset = 0
    for number, line in enumerate(lines):
        for match in re.finditer("#", line):
            col = match.start()
            if col and line[col - 1] not in " \t":
                continue
            index = offset + col
            at = bisect.bisect_right(starts, index) - 1
            if at >= 0 and spans[at][0] <= index < spans[at][1]:
                continue
            layout.comments.append((number, col))
            if not line[:col].strip():
                layout.comment_only.add(number)
            break
        offset += len(line) + 1
    return layout


def comments(text: str) -> list[str]:
    """The text of every comment, in order, without surrounding white space."""
    return scan(normalise_breaks(text)).comment_texts()


# --- the key order of each kind --------------------------------------------------------------


def _model(annotation: Any) -> type[Record] | None:
    """The record a mapping holds: the annotation's, or the one record of a union such as an
    assumption's ``Text | Assumption``."""
    annotation = unwrap(annotation)
    if records.is_union(annotation):
        found = [a for a in typing.get_args(annotation) if records.is_record(unwrap(a))]
        return unwrap(found[0]) if len(found) == 1 else None
    return annotation if records.is_record(annotation) else None


def _item(annotation: Any) -> Any:
    annotation = unwrap(annotation)
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0]
    return None


def fields(cls: type[Record]) -> dict[str, Any]:
    """Field name as written in YAML → its annotation, in the canonical order."""
    return {f.key: f.annotation for f in records.fields(cls)}


def key_order(cls: type[Record]) -> list[str]:
    return list(fields(cls))


# --- moving keys into order, whole lines at a time ------------------------------------------


def last_line(node: Node) -> int:
    """The last line holding any part of ``node``."""
    end = node.end_mark
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return int(end.line if end.column > 0 or end.line == node.start_mark.line else end.line - 1)
    last = int(node.start_mark.line)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            last = max(last, last_line(key), last_line(value))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            last = max(last, last_line(item))
    return last


def _sort_mapping(node: MappingNode, cls: type[Record], lines: list[str], lay: Layout) -> None:
    entries = node.value
    if len(entries) < 2 or node.flow_style:
        return
    if not all(isinstance(k, ScalarNode) and isinstance(k.value, str) for k, _ in entries):
        return
    keys = [str(k.value) for k, _ in entries]
    order = key_order(cls)
    rank = {k: i for i, k in enumerate(order)}
    want = sorted(range(len(keys)), key=lambda i: (rank.get(keys[i], len(order)), i))
    if want == list(range(len(keys))):
        return
    starts = [int(k.start_mark.line) for k, _ in entries]
    col = int(entries[0][0].start_mark.column)
    ends = [max(starts[i], last_line(v)) for i, (_, v) in enumerate(entries)]
    for i in range(1, len(entries)):
        if starts[i] <= ends[i - 1] or int(entries[i][0].start_mark.column) != col:
            return
        if lines[starts[i]][:col].strip():
            return
        gap = range(ends[i - 1] + 1, starts[i])
        if any(lines[g].strip() and g not in lay.comment_only for g in gap):
            return
    chunks = [lines[starts[i] : ends[i] + 1] for i in range(len(entries))]
    gaps: list[list[str]] = [[]] + [
        lines[ends[i - 1] + 1 : starts[i]] for i in range(1, len(entries))
    ]
    out: list[str] = []
    for slot, index in enumerate(want):
        out.extend(gaps[index])
        head = lines[starts[0]][:col] if slot == 0 else " " * col
        out.append(head + chunks[index][0][col:])
        out.extend(chunks[index][1:])
    lines[starts[0] : ends[-1] + 1] = out


def _sort(node: Node, annotation: Any, lines: list[str], lay: Layout) -> None:
    """Put the keys of every mapping under ``node`` in order, innermost first."""
    if isinstance(node, MappingNode):
        cls = _model(annotation)
        known = fields(cls) if cls else {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            _sort(value, known.get(name) if isinstance(name, str) else None, lines, lay)
        if cls is not None:
            _sort_mapping(node, cls, lines, lay)
    elif isinstance(node, SequenceNode):
        item = _item(annotation)
        for child in node.value:
            _sort(child, item, lines, lay)


def _kind_of(node: Node) -> type[Record] | None:
    if not isinstance(node, MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "kind" and isinstance(value, ScalarNode):
            return model.KINDS.get(str(value.value))
    return None


# --- one document body -----------------------------------------------------------------------


def rt_yaml() -> YAML:
    """ruamel.yaml's round trip, set to the canonical layout."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def block_style(data: Any) -> None:
    """Every non-empty collection under ``data`` in block style.

    A comment at the end of a flow collection's line stays on the key's line, one space after
    it, rather than at the column it had after the ``]``.
    """
    if isinstance(data, CommentedMap):
        if data:
            data.fa.set_block_style()
        for key, value in data.items():
            if isinstance(value, CommentedMap | CommentedSeq) and value and value.fa.flow_style():
                slot = data.ca.items.get(key)
                if slot and len(slot) > 2 and slot[2] is not None:
                    slot[2].column = 0
            block_style(value)
    elif isinstance(data, CommentedSeq):
        if data:
            data.fa.set_block_style()
        for value in data:
            block_style(value)


def dump_rt(data: Any) -> str:
    """Round-trip data dumped in the canonical layout."""
    yaml = rt_yaml()
    block_style(data)
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def layout_body(text: str) -> list[str]:
    """One document body laid out: round trip, then keys in order."""
    return sort_keys(dump_rt(rt_yaml().load(text)))


def sort_keys(dumped: str) -> list[str]:
    """The lines of a laid out document body with the keys of every node in order."""
    dumped = _tidy(dumped)  # comments indented first, so that none joins a block scalar
    lay = scan(dumped)
    lines = dumped.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lay.aliases:
        root = YAML(typ="safe", pure=True).compose(dumped)
        cls = _kind_of(root) if root is not None else None
        if root is not None and cls is not None:
            _sort(root, cls, lines, lay)
    return lines


def bodies(text: str, lay: Layout) -> list[tuple[int, Node | None, int, int]]:
    """(index, root node, first line, last line) of each document of ``text`` (LF-only)."""
    markers = sorted(lay.markers)
    content = sorted(lay.content)
    out: list[tuple[int, Node | None, int, int]] = []
    for index, root in enumerate(YAML(typ="safe", pure=True).compose_all(text)):
        if root is None:
            out.append((index, None, -1, -1))
            continue
        first = int(root.start_mark.line)
        at = bisect.bisect_right(markers, first)
        limit = markers[at] if at < len(markers) else len(lay.lines)
        last = content[bisect.bisect_left(content, limit) - 1]
        out.append((index, root, first, last))
    return out


def _documents(text: str, lay: Layout) -> Iterator[tuple[int, int]]:
    """(first, last) line of the body of each document that is laid out: a block mapping or
    sequence that starts on a line of its own."""
    for _, root, first, last in bodies(text, lay):
        if not isinstance(root, MappingNode | SequenceNode) or root.flow_style:
            continue
        if first in lay.markers:
            continue  # the body starts on the --- line: kept as written
        yield first, last


def _tidy(text: str) -> str:
    """Comment lines indented like the next line of YAML, at least two spaces before a comment
    at the end of a line, no trailing white space, one final newline."""
    lay = scan(text)
    lines = list(lay.lines)
    structure = sorted(lay.content | lay.markers)
    for number in sorted(lay.comment_only):
        at = bisect.bisect_right(structure, number)
        indent = 0
        if at < len(structure) and structure[at] not in lay.markers:
            nxt = lines[structure[at]]
            indent = len(nxt) - len(nxt.lstrip(" "))
        lines[number] = " " * indent + lines[number].strip()
    for number, col in lay.comments:
        line = lines[number]
        if number not in lay.comment_only and line[col - 2 : col] != "  ":
            lines[number] = line[:col].rstrip(" \t") + "  " + line[col:]  # two spaces before
    for number, line in enumerate(lines):
        if number not in lay.verbatim:
            lines[number] = line.rstrip()
    while lines and not lines[-1] and len(lines) - 1 not in lay.verbatim:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def format_text(text: str, file: str = "<text>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical layout of a plan file's text, or None and why it is left as it is."""
    findings = Findings()
    before = parse_text(text, file, findings)
    if findings.items:
        return None, findings.items
    if ODD_BREAKS.search(text):
        findings.add(
            "PB001",
            "the file has unusual line separators (U+0085, U+2028 or U+2029); not formatted",
            Location(file, 1, 1),
        )
        return None, findings.items
    source = normalise_breaks(text)
    lay = scan(source)
    lines = list(lay.lines)
    try:
        for first, last in sorted(_documents(source, lay), reverse=True):
            body = "\n".join(lay.lines[first : last + 1]) + "\n"
            lines[first : last + 1] = layout_body(body)
        result = _tidy("\n".join(lines))
    except (YAMLError, RecursionError) as exc:  # pragma: no cover - the parse above passed
        findings.add("PB001", f"not formatted: {exc}", Location(file, 1, 1))
        return None, findings.items
    problem = _differs(before, text, result, file)
    if problem:
        findings.add("PB001", problem, Location(file, 1, 1))
        return None, findings.items
    return result, []


def _differs(before: list[Any], text: str, result: str, file: str) -> str | None:
    """Why ``result`` is not a faithful layout of ``text`` (None when it is)."""
    findings = Findings()
    after = parse_text(result, file, findings)
    if findings.items or [d.data for d in after] != [d.data for d in before]:
        return "fmt could not lay this file out without changing its values; left untouched"
    if sorted(comments(text)) != sorted(comments(result)):
        return "fmt could not lay this file out without changing a comment; left untouched"
    return None


# --- files -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What formatting one file gives: the new text (None when left untouched) and why."""

    path: Path
    file: str
    text: str | None
    changed: bool
    problems: list[Diagnostic]


def format_file(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Outcome:
    file = display_path(path)
    findings = Findings()
    try:
        if path.stat().st_size > max_bytes:
            findings.add(
                "PB001", f"the file is over the limit of {max_bytes:,} bytes", Location(file, 1, 1)
            )
            return Outcome(path, file, None, False, findings.items)
        raw = path.read_bytes()
    except OSError as exc:
        findings.add("PB001", f"the file cannot be read: {exc.strerror}", Location(file, 1, 1))
        return Outcome(path, file, None, False, findings.items)
    text = decode(raw, file, findings)
    if text is None:
        return Outcome(path, file, None, False, findings.items)
    if "\x00" in text:
        findings.add("PB001", "the file contains a NUL character", Location(file, 1, 1))
        return Outcome(path, file, None, False, findings.items)
    result, problems = format_text(text, file)
    if result is None:
        return Outcome(path, file, None, False, problems)
    return Outcome(path, file, result, result.encode("utf-8") != raw, [])


def targets(paths: Iterable[Path], root: Path) -> list[Path]:
    """The plan files named by ``paths`` (files or folders), each resolved inside ``root``."""
    out: dict[Path, None] = {}
    for path in paths:
        real = inside(path, root)
        if real.is_dir():
            for found in plan_files(path):
                out[inside(found, root)] = None
        elif real.is_file():
            out[real] = None
        else:
            raise AuthoringError(f"{display_path(path)}: no such file or folder")
    return list(out)
