"""Under ``mkdocs serve``: a page's Markdown is rendered again only when what it read changed.

Rendering a page reads nodes of the playbook (their fields, and where they were written),
and besides them what is derived from the whole playbook: which nodes exist and how they
link, the findings, the waterfalls, the renderer's indexes and glossary, the options and
the templates. ``PageReads`` renders each page with the plan files it reads recorded (every
read of a node's ``data`` or ``doc`` goes through ``ReadNode``), and in the next build keeps
the page's Markdown when

- everything derived is equal, compared by value (``site_key``),
- the page's own path, template, title and context are equal,
- and none of the plan files it read changed (their bytes).

Anything else renders the page again; when in doubt (a template loader or a value this
module cannot compare), every page. An edit to a plan's text renders its page and the pages
showing it; an edit that moves a node, adds one or changes a finding renders all pages.

A value computed while rendering one page and reused by another (a cache shared between
pages) would hide the second page's reads. The renderer keeps no such cache here, only text
caches keyed by the text itself: its tables and quarter table are made again for each page
(``pages.Options.shares``, which the plugin turns off under serve). ``tests/test_page_reads.py``
checks that every page reads the same files rendered alone as rendered after all the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import operator
import os
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import jinja2

from mission_playbook.model.files import Sources
from mission_playbook.model.ladder import Ladder, Node
from mission_playbook.model.records import Record
from mission_playbook.model.source import Document
from mission_playbook.playbook import Playbook
from mission_playbook.views import pages, sitemap

_DATA = Node.__dict__["data"]  # the slots' own descriptors
_DOC = Node.__dict__["doc"]
_reading: set[str] | None = None  # the files the page being rendered read so far


class ReadNode(Node):
    """A node whose every read of ``data`` or ``doc`` records its file (while rendering)."""

    __slots__ = ()

    @property
    def data(self) -> Record:
        if _reading is not None:
            _reading.add(_DOC.__get__(self, Node).file)
        data: Record = _DATA.__get__(self, Node)
        return data

    @data.setter
    def data(self, value: Record) -> None:
        _DATA.__set__(self, value)

    @property
    def doc(self) -> Document:
        found: Document = _DOC.__get__(self, Node)
        if _reading is not None:
            _reading.add(found.file)
        return found

    @doc.setter
    def doc(self, value: Document) -> None:
        _DOC.__set__(self, value)


@contextmanager
def read_through(ladder: Ladder) -> Iterator[None]:
    """Every node of ``ladder`` records its reads meanwhile."""
    nodes = list(ladder.nodes.values())
    for node in nodes:
        node.__class__ = ReadNode
    try:
        yield
    finally:
        for node in nodes:
            node.__class__ = Node


@contextmanager
def recording() -> Iterator[set[str]]:
    """The files read meanwhile; they count as read by an enclosing recording too (a part
    of a page is recorded inside its page's recording)."""
    global _reading
    outer, files = _reading, set[str]()
    _reading = files
    try:
        yield files
    finally:
        _reading = outer
        if outer is not None:
            outer |= files


@dataclass(frozen=True, slots=True)
class Kept:
    """A page's Markdown as the last build rendered it, and what it was made from."""

    own: str
    reads: frozenset[str]
    markdown: str
    parts: dict[tuple[str, str], KeptPart]  # (name, arguments' key) -> the part


@dataclass(frozen=True, slots=True)
class KeptPart:
    """A part of a page as the last build made it (``pages.Renderer.part``), and the files it
    read."""

    reads: frozenset[str]
    text: Any  # what the macro returned: text, or Markup


class PageReads:
    """The pages of the last build, and the plan files and site they were rendered from.

    A page rendered again may still keep parts of its last Markdown: a template marks a
    part with ``part(name, macro, *args)`` (the operation order's paragraph 3.N of each
    function, say), and the part is kept when the site is the same, its arguments are equal
    by value (nodes by id: what a macro reads of a node is recorded) and none of the files
    it read changed.
    """

    def __init__(self) -> None:
        self.kept: dict[str, Kept] = {}
        self.site = ""
        self.files: dict[str, str] = {}  # plan file -> digest of its bytes
        self.rendered = 0  # pages rendered in the last build
        self.parts_kept = 0  # parts of pages kept in the last build
        # while rendering: whether the site is the last build's, the files that changed,
        # the renderer's own objects (the site key stands for them), the parts of the page
        # being rendered and the keys of its arguments (held, so that no id is reused)
        self._same_site = False
        self._changed: set[str] = set()
        self._covered: tuple[object, ...] = ()
        self._last_parts: dict[tuple[str, str], KeptPart] = {}
        self._parts: dict[tuple[str, str], KeptPart] = {}
        self._arg_keys: dict[int, tuple[object, str]] = {}

    def render(
        self, renderer: pages.Renderer, sources: Sources, page_list: Iterable[sitemap.Page]
    ) -> list[tuple[sitemap.Page, str]]:
        """Every page with its Markdown, kept from the last build or rendered now."""
        files = {s.file: file_digest(s.raw) for s in sources.files}
        site = site_key(renderer, files)
        changed = {f for f in files.keys() | self.files.keys() if files.get(f) != self.files.get(f)}
        same_site = bool(site) and site == self.site
        kept: dict[str, Kept] = {}
        out: list[tuple[sitemap.Page, str]] = []
        self.rendered = self.parts_kept = 0
        self._same_site, self._changed = same_site, changed
        self._covered = (renderer, renderer.queries, renderer.playbook)
        renderer.parts = self
        try:
            with read_through(renderer.playbook.ladder):
                for page in page_list:
                    own = page_key(page)
                    last = self.kept.get(page.path)
                    if (
                        same_site
                        and own
                        and last is not None
                        and last.own == own
                        and not last.reads & changed
                    ):
                        kept[page.path] = last
                    else:
                        # a page whose own context changed keeps none (a macro of its own
                        # template may read the context)
                        same_page = last is not None and last.own == own
                        self._last_parts = last.parts if same_page and last else {}
                        self._parts, self._arg_keys = {}, {}
                        with recording() as reads:
                            markdown = renderer.render_page(page)
                        kept[page.path] = Kept(own, frozenset(reads), markdown, self._parts)
                        self.rendered += 1
                    out.append((page, kept[page.path].markdown))
        finally:
            renderer.parts = None
            self._last_parts, self._parts, self._arg_keys = {}, {}, {}
        self.kept, self.site, self.files = kept, site, files  # only once all are rendered
        return out

    def part(
        self, page: sitemap.Page, name: str, args: tuple[Any, ...], make: Callable[[], Any]
    ) -> Any:
        """A part of the page being rendered (``pages.Parts``): kept from the last build, or
        made now with its reads recorded."""
        try:
            key = (name, self._args_key(args))
        except Incomparable:
            return make()
        last = self._last_parts.get(key)
        if self._same_site and last is not None and not last.reads & self._changed:
            if _reading is not None:
                _reading.update(last.reads)  # the page read what its part read
            self._parts[key] = last
            self.parts_kept += 1
            return last.text
        with recording() as reads:
            text = make()
        self._parts[key] = KeptPart(frozenset(reads), text)
        return text

    def _args_key(self, args: tuple[Any, ...]) -> str:
        """A part's arguments as one digest; the renderer's own objects by name (the site key
        compares them), an object's digest made once per page."""
        keys = []
        for arg in args:
            if any(arg is c for c in self._covered):
                keys.append(type(arg).__name__)
            elif type(arg) in _PLAIN or isinstance(arg, Node):
                keys.append("n" + arg.id if isinstance(arg, Node) else repr(arg))
            else:
                found = self._arg_keys.get(id(arg))
                if found is None:
                    out: list[str] = []
                    value(arg, out, 0, set())
                    digest = hashlib.blake2b("\0".join(out).encode(), digest_size=16).hexdigest()
                    found = self._arg_keys[id(arg)] = (arg, digest)
                keys.append(found[1])
        return "\0".join(keys)


def file_digest(raw: bytes | None) -> str:
    return "" if raw is None else hashlib.blake2b(raw, digest_size=16).hexdigest()


def page_key(page: sitemap.Page) -> str:
    """A page's own path, template, title, node and context ("" when not comparable)."""
    node = page.node.id if page.node is not None else ""
    own = [repr(page.path), repr(page.template), repr(page.title), node]
    try:
        value(page.context, own)
    except Incomparable:
        return ""  # never equal
    return hashlib.blake2b("\0".join(own).encode(), digest_size=16).hexdigest()


#: Renderer attributes that are not derived values: compared by other means, made of them
#: (the inline HTML converter is a function of the glossary), or where parts are kept.
_NOT_STATE = frozenset({"playbook", "options", "env", "inline_html", "parts", "_page"})
#: Playbook attributes compared by other means (the ladder), or a memo of what the plan
#: files' names give (``file_names``).
_NOT_DERIVED = frozenset({"ladder", "file_names"})


def site_key(renderer: pages.Renderer, files: Mapping[str, str] | None = None) -> str:
    """Everything a page may read besides its nodes, as one digest ("" when unsure);
    ``files``: the digest of each plan file's bytes (``value``)."""
    playbook = renderer.playbook
    templates = template_files(renderer.env.loader)
    if templates is None:
        return ""
    options = renderer.options
    if dataclasses.is_dataclass(options):  # the What changed text is that page's context
        options = dataclasses.replace(options, changes=None)
    out: list[str] = []
    seen: set[int] = set()
    try:
        structure(playbook.ladder, out)
        derived = {k: v for k, v in attributes(playbook) if k not in _NOT_DERIVED}
        value(derived, out, 0, seen, files)
        value({k: v for k, v in attributes(renderer) if k not in _NOT_STATE}, out, 0, seen, files)
        value(options, out, 0, seen, files)
    except Incomparable:
        return ""
    out += (f"{path}\0{digest}" for path, digest in templates)
    return hashlib.blake2b("\0".join(out).encode(), digest_size=20).hexdigest()


class Incomparable(Exception):
    """A derived value without a value to compare (a function, an object shown by its
    address): the site is never the same as the last build's."""


_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
_CODE = (
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    functools.partial,
    jinja2.Environment,
)


def structure(ladder: Ladder, out: list[str]) -> None:
    """Which nodes exist, in order, where they are written and how they link (as text:
    strings, unlike tuples, give Python's garbage collector nothing to do)."""
    for node in ladder.nodes.values():
        owner = node.owner.id if node.owner is not None else ""
        doc = _DOC.__get__(node, Node)
        out.append(f"{node.id}\0{node.kind}\0{owner}\0{node.path}\0{doc.file}\0{doc.index}")
    for links in (ladder.parents, ladder.children):
        out.append("links")
        out += (f"{k}\0" + "\0".join([n.id for n in v]) for k, v in links.items())


def attributes(obj: object) -> list[tuple[str, Any]]:
    """An object's attributes, from its ``__dict__`` or its slots."""
    if hasattr(obj, "__dict__"):
        return list(vars(obj).items())
    return [(n, getattr(obj, n)) for n in _slots(type(obj)) if hasattr(obj, n)]


def _slots(kind: type) -> tuple[str, ...]:
    """The slot names of a class and its bases, once per class."""
    names = _SLOTS.get(kind)
    if names is None:
        found = (n for cls in kind.__mro__ for n in getattr(cls, "__slots__", ()))
        names = _SLOTS[kind] = tuple(dict.fromkeys(found))
    return names


_SLOTS: dict[type, tuple[str, ...]] = {}


def value(
    obj: Any,
    out: list[str],
    depth: int = 0,
    seen: set[int] | None = None,
    files: Mapping[str, str] | None = None,
) -> None:
    """``obj`` as text to compare, added to ``out``: nodes by id, containers item by item,
    objects by their type and attributes (once: ``seen``), anything else as it prints; the
    playbook and its ladder are compared by other means (``site_key``). With ``files`` (plan
    file -> digest of its bytes), a plan file's document is compared by that digest: all it
    holds (values, positions) is read from those bytes."""
    _Values(out, set() if seen is None else seen, files or {}).add(obj, depth)


class _Values:
    """``value``'s walk: one per call, the way to add each type of value found once per type
    (``_WAYS``), plain values and nodes in containers and objects added in place."""

    __slots__ = ("files", "out", "seen")

    def __init__(self, out: list[str], seen: set[int], files: Mapping[str, str]) -> None:
        self.out, self.seen, self.files = out, seen, files

    def add(self, obj: Any, depth: int) -> None:
        kind = type(obj)
        if kind in _PLAIN:
            self.out.append(repr(obj))
            return
        way = _WAYS.get(kind) or _way(kind)
        if way.how == "items":
            self.out.append("[")
            self.items(obj, depth + 1)
            self.out.append("]")
        elif way.how == "node":
            self.out.append("n" + obj.id)
        elif way.how == "whole":
            self.out.append(kind.__name__)
        elif way.how == "shown":
            self.out.append(way.shown(obj))
        elif way.how == "enum":
            self.out.append(f"{way.name}.{obj._name_}")
        elif depth > 40:
            raise Incomparable("a derived value too deep to compare")
        elif way.how == "object":
            self.object(obj, way, depth)
        elif way.how == "mapping":
            self.out.append("{")
            for key, item in obj.items():
                self.items((key, item), depth + 1)
            self.out.append("}")
        elif way.how == "set":
            members = []
            for item in obj:
                one: list[str] = []
                _Values(one, self.seen, self.files).add(item, depth + 1)
                members.append("\1".join(one))  # each member whole, then sorted
            self.out += ["(", *sorted(members), ")"]
        elif way.how == "document" and obj.file in self.files:
            self.out.append(f"doc {obj.file}\0{obj.index}\0{self.files[obj.file]}")
        elif way.how == "code":
            raise Incomparable(repr(obj))
        else:  # a document of no plan file: by its attributes
            self.object(obj, _Way("object", name=way.name), depth)

    def items(self, items: Iterable[Any], depth: int) -> None:
        """``add`` for each item, the most common ways in place (a call less for each)."""
        out = self.out
        for item in items:
            kind = type(item)
            if kind in _PLAIN:
                out.append(repr(item))
                continue
            if kind is Fraction:  # its fields, not its repr (Python code, and the commonest)
                out.append(f"{item._numerator}/{item._denominator}")
                continue
            way = _WAYS.get(kind) or _way(kind)
            how = way.how
            if how == "node":
                out.append("n" + item.id)
            elif how == "enum":
                out.append(f"{way.name}.{item._name_}")
            elif how == "shown":
                out.append(way.shown(item))
            elif how == "object" and depth <= 40:
                self.object(item, way, depth)
            else:
                self.add(item, depth)

    def object(self, obj: Any, way: _Way, depth: int) -> None:
        """An object by its type and attributes, once (``seen``); one that has none by how
        it prints, unless that names its address."""
        found: tuple[Any, ...] | None = None
        if way.get is not None:
            with contextlib.suppress(AttributeError):  # a slot not set: as any other object
                found, head = way.get(obj), way.head
        if found is None:
            pairs = attributes(obj)
            found, head = tuple(v for _, v in pairs), way.head_of([n for n, _ in pairs])
        if not found:  # a number type, a date: shown by itself
            shown = repr(obj)
            if _ADDRESS.search(shown):
                raise Incomparable(shown)
            self.out.append(shown)
            return
        if id(obj) in self.seen:
            self.out.append(f"<again {type(obj).__qualname__}>")
            return
        self.seen.add(id(obj))
        self.out.append(head)
        self.items(found, depth + 1)
        self.out.append(">")


@dataclass(frozen=True, slots=True)
class _Way:
    """How ``value`` adds values of one type."""

    how: str  # items, node, whole, shown, enum, object, mapping, set, document, code
    shown: Callable[[Any], str] = repr
    get: Callable[[Any], tuple[Any, ...]] | None = None  # an object's slots, in one call
    head: str = ""  # "<module.name slot slot...": the type and the names of ``get``'s values
    name: str = ""  # "module.name"

    def head_of(self, names: list[str]) -> str:
        return " ".join([f"<{self.name}", *names])


_WAYS: dict[type, _Way] = {}


def _way(kind: type) -> _Way:
    """How to add values of ``kind``, found once per type."""
    name = f"{kind.__module__}.{kind.__qualname__}"
    way: _Way
    if issubclass(kind, list | tuple):
        way = _Way("items")
    elif issubclass(kind, Node):
        way = _Way("node")
    elif issubclass(kind, Playbook | Ladder):
        way = _Way("whole")
    elif issubclass(kind, enum.Enum):  # by its name (an attribute: no call of Python code)
        way = _Way("enum", name=name)
    elif issubclass(kind, str | int | float | bytes | Path | Fraction | dt.date):
        way = _Way("shown")  # values shown by themselves (a fraction, a date: not their slots)
    elif issubclass(kind, Mapping):
        way = _Way("mapping")
    elif issubclass(kind, set | frozenset):
        way = _Way("set")
    elif issubclass(kind, re.Pattern):
        way = _Way("shown", shown=lambda p: f"pattern {p.pattern!r} {p.flags}")
    elif issubclass(kind, _CODE):
        way = _Way("code")
    elif issubclass(kind, Document):
        way = _Way("document", name=name)
    elif "__dict__" in dir(kind) or not _slots(kind):
        way = _Way("object", name=name)
    else:
        names = _slots(kind)
        get = operator.attrgetter(*names)
        one = len(names) == 1
        way = _Way(
            "object",
            get=(lambda obj: (get(obj),)) if one else get,
            head=" ".join([f"<{name}", *names]),
            name=name,
        )
    _WAYS[kind] = way
    return way


def template_files(loader: jinja2.BaseLoader | None) -> list[tuple[str, str]] | None:
    """Every template file a loader can load, by its bytes; None for a loader not known."""
    loaders: list[jinja2.BaseLoader] = [loader] if loader is not None else []
    folders: list[str] = []
    while loaders:
        current = loaders.pop(0)
        if isinstance(current, jinja2.ChoiceLoader):
            loaders[:0] = current.loaders
        elif isinstance(current, jinja2.PrefixLoader):
            loaders[:0] = current.mapping.values()
        elif isinstance(current, jinja2.FileSystemLoader):
            folders += [str(p) for p in current.searchpath]
        else:
            return None
    found = []
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                path = os.path.join(root, name)
                with open(path, "rb") as fh:
                    found.append((path, file_digest(fh.read())))
    return found
