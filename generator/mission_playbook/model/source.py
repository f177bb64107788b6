"""Parsing plan files: YAML documents as plain values, each value with its position.

Parsing uses ruamel.yaml's C parser (``ruamel.yaml.clib``, a pinned dependency) and safe
constructor to compose a node graph that keeps marks, then builds plain Python values in one
walk that can record the line and column of every key and value. Nothing is executed: only
the standard scalar tags are accepted, alias expansion is bounded, and files are never written.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver
from ruamel.yaml.tag import Tag

from mission_playbook.model.diagnostics import Findings, Location
from mission_playbook.model.files import DEFAULT_MAX_FILE_BYTES, display_path, read_bytes

PathKey = tuple[str | int, ...]

TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = frozenset(TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
MAP_TAG, SEQ_TAG, MERGE_TAG, STR_TAG = TAG + "map", TAG + "seq", TAG + "merge", TAG + "str"

NULL_TAG = TAG + "null"
MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 10_000


Positions = dict[PathKey, tuple[int, int]]

#: How deep the mappings lie whose positions a parse keeps even without positions: the
#: documents and the nodes nested in them (``environment.markets[i]`` is the deepest), so
#: the line and column of every node are known without reading its file again.
NODE_DEPTH = 3


@dataclass
class Document:
    """One YAML document of a plan file, as plain values with their positions.

    Positions may be left out (``None``) when the document comes from the cache: they are
    then read again from ``origin`` the first time a finding needs one, so a warm run pays
    for positions only in files that have findings. ``starts`` are kept in every case: where
    each mapping down to ``NODE_DEPTH`` begins, which is where each node is.
    """

    file: str
    index: int
    data: Any
    _values: Positions | None = None
    _keys: Positions | None = None
    start: tuple[int, int] = (1, 1)
    set_aside: set[PathKey] = field(default_factory=set)
    origin: Path | None = None
    starts: Positions = field(default_factory=dict)

    @property
    def values(self) -> Positions:
        """Path → (line, column) of every value."""
        if self._values is None:
            self._reload_positions()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> Positions:
        """Path → (line, column) of every mapping key."""
        if self._keys is None:
            self._reload_positions()
        assert self._keys is not None
        return self._keys

    def _reload_positions(self) -> None:
        self._values, self._keys = {}, {}
        if self.origin is None:
            return
        try:
            raw = self.origin.read_bytes()
        except OSError:
            return
        for doc in parse_bytes(raw, self.file, Findings(), positions=True):
            if doc.index == self.index:
                self._values, self._keys = doc.values, doc.keys

    def has_value(self, path: PathKey) -> bool:
        """Whether the document writes a value at ``path``."""
        return path in self.values

    def loc(self, path: PathKey = ()) -> Location:
        """Where the value at ``path`` is; falls back to the nearest enclosing value."""
        if self._values is None:
            start = self.starts.get(path)
            if start is not None:
                return Location(self.file, *start)
        for cut in range(len(path), -1, -1):
            pos = self.values.get(path[:cut])
            if pos is not None:
                return Location(self.file, *pos)
        return Location(self.file, *self.start)

    def key_loc(self, path: PathKey) -> Location:
        """Where the key naming ``path`` is (for unknown fields); else the value."""
        pos = self.keys.get(path)
        return Location(self.file, *pos) if pos else self.loc(path)


class _Refused(Exception):
    """A document that cannot be turned into plain values safely."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.mark = node.start_mark


class _Builder:
    """Turns a composed node graph into plain values, recording positions if asked."""

    def __init__(self, constructor: SafeConstructor, positions: bool = True) -> None:
        self.constructor = constructor
        self.rec = positions
        self.values: dict[PathKey, tuple[int, int]] = {}
        self.keys: dict[PathKey, tuple[int, int]] = {}
        self.starts: dict[PathKey, tuple[int, int]] = {}
        self.seen: set[int] = set()
        self.open: set[int] = set()  # collections being built: an alias to one is a loop
        self.expanded = 0

    def build(self, node: Node, path: PathKey, depth: int = 0) -> Any:
        rec = self.rec
        if rec:
            self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        elif depth <= NODE_DEPTH and isinstance(node, MappingNode):
            self.starts[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        key = id(node)  # the same node again means an alias
        if key in self.open:
            raise _Refused("an alias refers to a value that contains it (a loop)", node)
        if key in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise _Refused(
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values; "
                    "this looks like a YAML bomb and is refused",
                    node,
                )
        else:
            self.seen.add(key)
        if depth > MAX_DEPTH:
            raise _Refused(f"nesting is deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        self.open.add(key)
        try:
            return self._collection(node, path, depth)
        finally:
            self.open.discard(key)

    def _collection(self, node: Node, path: PathKey, depth: int) -> Any:
        if isinstance(node, SequenceNode):
            if node.ctag.trval != SEQ_TAG:
                raise _Refused(f"the tag '{node.tag}' is not allowed in plan files", node)
            if not self.rec and depth >= NODE_DEPTH:
                return [self.build(item, (), depth + 1) for item in node.value]
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.ctag.trval != MAP_TAG:
                raise _Refused(f"the tag '{node.tag}' is not allowed in plan files", node)
            return self._mapping(node, path, depth)
        raise _Refused("unsupported YAML node", node)  # pragma: no cover - composer never does

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.ctag.trval
        if tag == STR_TAG:
            return node.value
        if tag not in SCALAR_TAGS:
            raise _Refused(
                f"the tag '{tag}' is not allowed in plan files (only plain values, lists and "
                "mappings are read; nothing is ever executed)",
                node,
            )
        try:
            value = self.constructor.yaml_constructors[tag](self.constructor, node)
        except (ConstructorError, ValueError) as exc:
            raise _Refused(f"cannot read the value '{node.value}': {exc}", node) from None
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() and value.tzinfo is None else value
        return value

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Node] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.ctag.trval == MERGE_TAG:
                merged.extend(self._merge_sources(value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Refused("a mapping key must be plain text, not a list or mapping", key_node)
            key = str(self._scalar(key_node))
            if key in first:
                line = first[key].start_mark.line + 1
                raise _Refused(
                    f"the key '{key}' appears twice in one mapping (first on line {line})", key_node
                )
            first[key] = key_node
            out[key] = self.build(value_node, self._key(path, key, key_node, depth), depth + 1)
        for source in merged:
            self._merge(out, source, path, depth + 1)
        return out

    def _merge(self, out: dict[str, Any], source: MappingNode, path: PathKey, depth: int) -> None:
        """Add the keys ``out`` lacks from a merged mapping, then from what that one merges.

        Every merged mapping counts as an alias expansion, so merge chains stay bounded.
        """
        key = id(source)
        if key in self.open or depth > MAX_DEPTH:
            raise _Refused("merge keys '<<' refer to each other in a loop or nest too deep", source)
        self.expanded += 1
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise _Refused(f"merge keys expand to more than {MAX_ALIAS_EXPANSION:,} values", source)
        self.open.add(key)
        nested: list[MappingNode] = []
        for key_node, value_node in source.value:
            if key_node.ctag.trval == MERGE_TAG:
                nested.extend(self._merge_sources(value_node))
                continue
            name = str(self._scalar(key_node)) if isinstance(key_node, ScalarNode) else ""
            if name and name not in out:
                out[name] = self.build(
                    value_node, self._key(path, name, key_node, depth - 1), depth
                )
        for inner in nested:
            self._merge(out, inner, path, depth + 1)
        self.open.discard(key)

    def _key(self, path: PathKey, key: str, key_node: Node, depth: int) -> PathKey:
        """The path of a mapping's value (the mapping at ``depth``); its key's position kept."""
        if not self.rec:
            return (*path, key) if depth < NODE_DEPTH else ()
        sub = (*path, key)
        self.keys[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return sub

    def _merge_sources(self, node: Node) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        raise _Refused("a merge key '<<' needs a mapping or a list of mappings", node)


class _Loader(CParser, SafeConstructor, Resolver):  # type: ignore[misc]
    """ruamel.yaml's C parser and safe constructor with its YAML 1.2 rules, for one text.

    The same parts ``YAML(typ="safe")`` combines, but the class is made once (``compose_all``
    makes a new one per stream), the YAML version is fixed at 1.2 (looked up twice per scalar
    there), and resolved tags are shared, so their names are decoded once per process.
    """

    processing_version = (1, 2)

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        self._parser = self._composer = self
        SafeConstructor.__init__(self, loader=self)
        Resolver.__init__(self, loadumper=self)

    @property
    def resolver(self) -> _Loader:
        return self

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
        tag = Resolver.resolve(self, kind, value, implicit)
        return _TAGS.setdefault(tag.suffix, tag)


_TAGS: dict[str | None, Tag] = {}


def parse_text(
    text: str,
    file: str,
    findings: Findings,
    origin: Path | None = None,
    positions: bool = False,
) -> list[Document]:
    """Parse YAML text into documents; problems become PB001 findings, never exceptions.

    Positions are recorded when asked, or when there is no ``origin`` file to read them
    from later; otherwise a document reads them again the first time a finding needs one.
    """
    # flow collections ([ and {) and compact block ones (- - - x) can nest deep enough to
    # overflow the C composer, or to take hours: libyaml's work per token grows with the depth
    deep = text.count("[") + text.count("{") > MAX_DEPTH or _maybe_compact(text)
    too_deep = _too_deep(text) if deep else None
    if too_deep is not None:
        findings.add(
            "PB001",
            f"nesting is deeper than {MAX_DEPTH} levels",
            Location(file, too_deep.line + 1, too_deep.column + 1),
        )
        return []
    loader = _Loader(text)
    try:
        return _compose(loader, file, findings, origin, positions)
    finally:
        loader.dispose()


def _compose(
    loader: _Loader, file: str, findings: Findings, origin: Path | None, positions: bool
) -> list[Document]:
    """Every document of the loader's text, built into plain values."""
    docs: list[Document] = []
    index = 0
    while True:
        try:
            if not loader.check_node():
                break
            node = loader.get_node()
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
            problem = exc.problem or exc.context or "invalid YAML"
            findings.add("PB001", f"the YAML does not parse: {problem}", where)
            break
        except YAMLError as exc:  # pragma: no cover - unmarked parser errors are rare
            findings.add("PB001", f"the YAML does not parse: {exc}", Location(file, 1, 1))
            break
        except RecursionError:
            findings.add(
                "PB001", f"nesting is deeper than {MAX_DEPTH} levels", Location(file, 1, 1)
            )
            break
        if node is None or (
            isinstance(node, ScalarNode) and node.ctag.trval == NULL_TAG and node.value == ""
        ):  # an empty document: a trailing '---', or one holding only comments
            index += 1
            continue
        builder = _Builder(loader, positions=origin is None or positions)
        try:
            data = builder.build(node, ())
        except _Refused as exc:
            findings.add("PB001", str(exc), Location(file, exc.mark.line + 1, exc.mark.column + 1))
            index += 1
            continue
        start = (node.start_mark.line + 1, node.start_mark.column + 1)
        values, keys = (builder.values, builder.keys) if builder.rec else (None, None)
        starts = builder.values if builder.rec else builder.starts
        docs.append(Document(file, index, data, values, keys, start, origin=origin, starts=starts))
        index += 1
    return docs


#: Sixteen block indicators in a row (``- - - ...``, ``? ? ...``): compact nesting.
_COMPACT = re.compile(r"(?:[-?:][ \t]+){16}")


def _maybe_compact(text: str) -> bool:
    """Compact nesting (``- - - x``); a cheap look for two indicators in a row comes first."""
    pairs = ("- -", "- ?", "? -", "? ?", "-\t", "?\t")
    return any(p in text for p in pairs) and _COMPACT.search(text) is not None


def _too_deep(text: str) -> Any:
    """The mark of the first collection nested deeper than MAX_DEPTH, else None.

    Walks the event stream, which libyaml produces without recursion (the C composer recurses
    and overflows the C stack on ~30,000 nested brackets); syntax errors are left to the composer.
    """
    depth = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    return event.start_mark
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                depth -= 1
    except YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def decode(raw: bytes, file: str, findings: Findings) -> str | None:
    """Decode UTF-8 (a byte order mark is accepted); a bad byte is a located PB001."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8-sig" if not line_start else "utf-8")) + 1
        findings.add(
            "PB001",
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            Location(file, line, column),
        )
        return None


def read_file(
    path: Path, findings: Findings, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> list[Document]:
    """Read one plan file into documents; every problem is a finding."""
    file = display_path(path)
    raw = read_bytes(path, file, findings, max_bytes)
    return [] if raw is None else parse_bytes(raw, file, findings, origin=path.absolute())


#: What YAML does not allow in a file: control characters but tab and line ends, a byte order
#: mark after the start, U+FFFE and U+FFFF.
@functools.cache
def _not_printable() -> re.Pattern[str]:
    """Compiled on first use: the character ranges take milliseconds to compile."""
    return re.compile(
        "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )


def parse_bytes(
    raw: bytes,
    file: str,
    findings: Findings,
    origin: Path | None = None,
    positions: bool = False,
) -> list[Document]:
    """Decode and parse a plan file's bytes into documents."""
    text = decode(raw, file, findings)
    if text is None:
        return []
    bad = _not_printable().search(text)
    if bad is not None:  # YAML refuses these too, but without saying where
        pos, char = bad.start(), bad.group()
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        what = "a NUL character" if char == "\x00" else f"the character U+{ord(char):04X}"
        findings.add(
            "PB001",
            f"the file contains {what}, which YAML does not allow",
            Location(file, line, column),
        )
        return []
    return parse_text(text, file, findings, origin, positions)
