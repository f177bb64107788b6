"""Rebuilds under ``mkdocs serve``: a generated page's HTML is kept from one build to the next,
and so is the theme's compiled code.

MkDocs converts every page's Markdown again on every rebuild. An edit to one plan changes a
handful of pages, so ``RenderMemo`` lets a generated page (``sitepage.PlaybookPage``) reuse
the HTML of the previous build when nothing it is made from changed: the page's Markdown
(after every plugin's ``on_page_markdown``), its place in the site, every file's place (links
are resolved against them) and the Markdown settings. A conversion that logged anything (a
broken link, say) is not kept, so its message is shown again on every build. Only ``mkdocs
serve`` keeps pages; a ``mkdocs build`` converts each page once as MkDocs does.

The Markdown settings are compared as they print: extension names, options and the functions
they name. A plugin that adds a new Markdown extension object on every build (one that learns
from each conversion, as cross-reference plugins do) makes every build's settings new, so no
page is reused and such a plugin sees every conversion.

MkDocs makes a new Jinja environment for the theme on every build, which compiles every
template the build uses again (Material's page template, partials and 404 page: about as
long as building 150 pages). ``ThemeCode`` keeps the compiled code in memory for the next
build; Jinja checks each entry against its template's source, and the store starts over
when the site's settings or the environment's filters change (Jinja applies a filter to a
constant while compiling).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents
from mkdocs.theme import Theme


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` sets, with linked files named by their source path."""

    content: str
    toc: TableOfContents
    title: str | None
    anchors: frozenset[str]
    links: dict[str, dict[str, str]] | None


@dataclass(frozen=True)
class Read:
    """A generated page as MkDocs read and converted it: its Markdown (the file's text from
    ``start``, after the front matter), its metadata and its conversion."""

    start: int
    meta: dict[str, Any]
    rendered: Rendered
    key: str = ""  # the page's ``source_key``


class RenderMemo:
    """The pages converted in the last build and in this one, by everything they depend on."""

    def __init__(self) -> None:
        self.previous: dict[str, Rendered] = {}
        self.current: dict[str, Rendered] = {}
        self.read_before: dict[str, Read] = {}  # by the file's text (``source_key``)
        self.read_now: dict[str, Read] = {}
        self.context = ""
        self.hits = 0

    def start(self, config: MkDocsConfig, files: Files) -> None:
        """Begin a build: keep the last build's pages, and name what every page depends on."""
        self.previous, self.current, self.hits = {**self.previous, **self.current}, {}, 0
        self.read_before, self.read_now = {**self.read_before, **self.read_now}, {}
        digest = hashlib.blake2b(digest_size=20)
        markdown = (config.markdown_extensions, config.mdx_configs, config.use_directory_urls)
        digest.update(repr((markdown, config.validation)).encode())
        for f in sorted(files, key=lambda f: f.src_uri):
            digest.update(f"\0{f.src_uri}\0{f.url}\0{f.inclusion}".encode())
        self.context = digest.hexdigest()

    def finish(self) -> None:
        """End a build: only pages of this build are kept for the next."""
        self.previous, self.read_before = {}, {}

    def key(self, page: Page) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{self.context}\0{page.file.src_uri}\0{page.file.url}\0".encode())
        digest.update((page.markdown or "").encode())
        return digest.hexdigest()

    def get(self, key: str) -> Rendered | None:
        hit = self.current.get(key) or self.previous.pop(key, None)
        if hit is not None:
            self.current[key] = hit
            self.hits += 1
        return hit

    def put(self, key: str, rendered: Rendered) -> None:
        self.current[key] = rendered

    def source_key(self, page: Page) -> str:
        """A generated page by its file's text (front matter included) and its place."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{self.context}\0{page.file.src_uri}\0{page.file.url}\0".encode())
        digest.update(page.file.content_string.encode())
        return digest.hexdigest()

    def remember(self, page: Page, rendered: Rendered) -> None:
        """Keep how a generated page was read, so that the next build may skip reading it."""
        text, markdown = page.file.content_string, page.markdown or ""
        if text.endswith(markdown):  # no plugin changed the Markdown it read
            key = self.source_key(page)
            self.read_now[key] = Read(len(text) - len(markdown), dict(page.meta), rendered, key)

    def read(self, page: Page) -> Read | None:
        """How the page was read in the last build, if its file's text is the same."""
        key = self.source_key(page)
        hit = self.read_now.get(key) or self.read_before.pop(key, None)
        if hit is not None:
            self.read_now[key] = hit
            self.hits += 1
        return hit


class ThemeCode(jinja2.BytecodeCache):
    """The theme's compiled templates, kept in memory from one build to the next."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        self.settings = ""

    def attach(self, env: jinja2.Environment, config: MkDocsConfig) -> None:
        """Serve ``env`` (this build's) from the store, emptied if the settings changed."""
        settings = repr((plain(config), sorted(env.filters.items()), sorted(env.tests.items())))
        if settings != self.settings:
            self.code, self.settings = {}, settings
        env.bytecode_cache = self

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def plain(value: Any) -> Any:
    """A value of the configuration as plain values to compare, objects by their kind and
    options (a value without a stable form prints as itself, and differs every build)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Theme):
        return ("theme", value.name, value.dirs, sorted(value.static_templates), plain(dict(value)))
    if isinstance(value, BasePlugin):
        return ("plugin", type(value).__qualname__, plain(dict(value.config)))
    if isinstance(value, Mapping):
        return sorted((str(k), plain(v)) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, partial):
        return ("partial", plain(value.func), plain(value.args), plain(value.keywords))
    if callable(value) and hasattr(value, "__qualname__") and not getattr(value, "__closure__", 0):
        return ("callable", getattr(value, "__module__", ""), value.__qualname__)
    return repr(value)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append(record)


@contextmanager
def logged() -> Iterator[list[logging.LogRecord]]:
    """The messages MkDocs and Markdown log meanwhile (they are still shown as usual)."""
    handler = _Records()
    loggers = [logging.getLogger("mkdocs"), logging.getLogger("MARKDOWN")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
