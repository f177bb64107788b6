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

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import os
import re
import types
from collections.abc import Iterable, Iterator, Mapping
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
    """The files read meanwhile."""
    global _reading
    files: set[str] = set()
    _reading = files
    try:
        yield files
    finally:
        _reading = None


@dataclass(frozen=True, slots=True)
class Kept:
    """A page's Markdown as the last build rendered it, and what it was made from."""

    own: str
    reads: frozenset[str]
    markdown: str


class PageReads:
    """The pages of the last build, and the plan files and site they were rendered from."""

    def __init__(self) -> None:
        self.kept: dict[str, Kept] = {}
        self.site = ""
        self.files: dict[str, str] = {}  # plan file -> digest of its bytes
        self.rendered = 0  # pages rendered in the last build

    def render(
        self, renderer: pages.Renderer, sources: Sources, page_list: Iterable[sitemap.Page]
    ) -> list[tuple[sitemap.Page, str]]:
        """Every page with its Markdown, kept from the last build or rendered now."""
        site = site_key(renderer)
        files = {s.file: file_digest(s.raw) for s in sources.files}
        changed = {f for f in files.keys() | self.files.keys() if files.get(f) != self.files.get(f)}
        same_site = bool(site) and site == self.site
        kept: dict[str, Kept] = {}
        out: list[tuple[sitemap.Page, str]] = []
        self.rendered = 0
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
                    with recording() as reads:
                        markdown = renderer.render_page(page)
                    kept[page.path] = Kept(own, frozenset(reads), markdown)
                    self.rendered += 1
                out.append((page, kept[page.path].markdown))
        self.kept, self.site, self.files = kept, site, files  # only once all are rendered
        return out


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


#: Renderer attributes that are not derived values: compared by other means, or made of
#: them (the inline HTML converter is a function of the glossary).
_NOT_STATE = frozenset({"playbook", "options", "env", "inline_html"})
#: Playbook attributes compared by other means (the ladder), or a memo of what the plan
#: files' names give (``file_names``).
_NOT_DERIVED = frozenset({"ladder", "file_names"})


def site_key(renderer: pages.Renderer) -> str:
    """Everything a page may read besides its nodes, as one digest ("" when unsure)."""
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
        value({k: v for k, v in attributes(playbook) if k not in _NOT_DERIVED}, out, 0, seen)
        value({k: v for k, v in attributes(renderer) if k not in _NOT_STATE}, out, 0, seen)
        value(options, out, 0, seen)
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


def value(obj: Any, out: list[str], depth: int = 0, seen: set[int] | None = None) -> None:
    """``obj`` as text to compare, added to ``out``: nodes by id, containers item by item,
    objects by their type and attributes (once: ``seen``), anything else as it prints; the
    playbook and its ladder are compared by other means (``site_key``)."""
    kind = type(obj)
    if kind in _PLAIN:
        out.append(repr(obj))
    elif kind is list or kind is tuple:
        out.append("[")
        for item in obj:
            value(item, out, depth + 1, seen)
        out.append("]")
    elif isinstance(obj, Node):
        out.append("n" + obj.id)
    elif isinstance(obj, Playbook | Ladder):
        out.append(kind.__name__)
    elif depth > 40:
        raise Incomparable("a derived value too deep to compare")
    elif isinstance(obj, str | int | float | bytes | Path | enum.Enum | Fraction | dt.date):
        out.append(repr(obj))  # values shown by themselves (a fraction, a date: not their slots)
    elif isinstance(obj, Mapping):
        out.append("{")
        for key, item in obj.items():
            value(key, out, depth + 1, seen)
            value(item, out, depth + 1, seen)
        out.append("}")
    elif isinstance(obj, list | tuple):
        value(list(obj), out, depth, seen)
    elif isinstance(obj, set | frozenset):
        items: list[str] = []
        for item in obj:
            value(item, items, depth + 1, seen)
        out += ["(", *sorted(items), ")"]
    elif isinstance(obj, re.Pattern):
        out.append(f"pattern {obj.pattern!r} {obj.flags}")
    elif isinstance(obj, _CODE):
        raise Incomparable(repr(obj))
    else:
        found = attributes(obj)
        if not found:  # a number type, a date: shown by itself
            shown = repr(obj)
            if _ADDRESS.search(shown):
                raise Incomparable(shown)
            out.append(shown)
            return
        seen = set() if seen is None else seen
        if id(obj) in seen:
            out.append(f"<again {kind.__qualname__}>")
            return
        seen.add(id(obj))
        out.append(f"<{kind.__module__}.{kind.__qualname__}")
        for name, item in found:
            out.append(name)
            value(item, out, depth + 1, seen)
        out.append(">")


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
