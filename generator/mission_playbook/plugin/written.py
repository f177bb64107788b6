"""Rebuilds under ``mkdocs serve --dirty``: the pages whose HTML would not change are not
written again, and the site left behind is the one a clean build writes.

In a dirty build MkDocs neither cleans the site folder nor builds a page whose
``File.is_modified()`` is false. That is exact only when "modified" means "its HTML would
differ" and when what spans pages follows. ``WrittenSite`` makes it so:

- Reading: a generated page whose file's text and place are the last build's is not read
  again (``is_modified`` is false while MkDocs reads pages); the plugin's ``RenderMemo``
  gives it what reading it gave (its Markdown, metadata, HTML, table of contents). Every
  other page is read as usual. Not when another plugin handles pages: it would miss them.
- Writing: once every page is read (``on_env``), each page gets a key naming all its HTML
  is made from: the site's settings (the whole configuration, every plugin's options, the
  theme's template files), the navigation with its titles, and the page's own HTML, table
  of contents, metadata, title, addresses and edit link. A page is built again when its
  key differs from the last build's or its file is gone; ``is_modified`` answers so.
- The search index: the entries the search plugin made for each page are kept with the
  page and put back, in a clean build's order, for the pages not built again.
- The files the last build wrote and this one does not have (a removed or renamed plan's
  page) are deleted.

When unsure, every page is built: a plugin that handles pages (its events could read
anything) other than this one and the search plugins it knows (Material's and MkDocs'), or
a theme template that prints the build time.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.contrib.search import SearchPlugin as MkDocsSearch
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.theme import Theme

from mission_playbook.plugin.page import PlaybookPage
from mission_playbook.plugin.rebuild import RenderMemo, plain

#: Events whose handlers take part in making a page's HTML.
PAGE_EVENTS = (
    "pre_page",
    "page_read_source",
    "page_markdown",
    "page_content",
    "page_context",
    "post_page",
    "env",
)

#: A theme template naming the build time makes every build's pages differ; one naming the
#: list of all pages makes each page depend on every other.
_BUILD_TIME = re.compile(r"\bbuild_date_utc\b")
_ALL_PAGES = re.compile(r"(?<![.\w])pages\b")


@dataclass(frozen=True, slots=True)
class Written:
    """A page as the last build wrote it: its key, its file and its search entries."""

    key: str
    dest: str
    entries: tuple[dict[str, Any], ...]


class SearchIndex:
    """The entries of a search plugin this module knows, for the build under way."""

    def __init__(self, plugin: BasePlugin[Any]) -> None:
        self.plugin = plugin

    @staticmethod
    def find(config: MkDocsConfig) -> tuple[SearchIndex | None, bool]:
        """The site's search index (None without one), and whether its plugin is known."""
        from material.plugins.search.plugin import (  # type: ignore[import-untyped]
            SearchPlugin as MaterialSearch,
        )

        found: list[SearchIndex] = []
        for name, plugin in config.plugins.items():
            if isinstance(plugin, MaterialSearch | MkDocsSearch):
                found.append(SearchIndex(plugin))
            elif name.rsplit("/", 1)[-1] == "search":
                return None, False
        return (found[0] if found else None), len(found) <= 1

    def entries(self) -> list[dict[str, Any]] | None:
        """The list the plugin appends each page's entries to (None when it is disabled)."""
        index = getattr(self.plugin, "search_index", None)
        if index is None:
            return None
        found = getattr(index, "entries", None)
        if found is None:
            found = getattr(index, "_entries", None)
        return found if isinstance(found, list) else None

    def forget_last(self) -> None:
        """Material's plugin merges a dirty build's entries into the last build's, assuming
        one page was built: it gets the whole index instead."""
        if hasattr(self.plugin, "search_index_prev"):
            self.plugin.search_index_prev = None


class WrittenSite:
    """The pages the last dirty build wrote, and which of this build's are kept."""

    def __init__(self) -> None:
        self.last: dict[str, Written] = {}
        self.dests: set[str] = set()  # every file the last build wrote
        self.files: Files | None = None
        self.order: list[File] = []  # this build's pages, as MkDocs reads and builds them
        self.read: set[str] = set()  # the pages MkDocs read
        self.restored: dict[str, str] = {}  # pages not read again: as the memo kept them
        self.keys: dict[str, str] = {}
        self.kept: set[str] = set()
        self.decided = False
        self.memo: RenderMemo | None = None
        self.entries: dict[str, tuple[dict[str, Any], ...]] = {}
        self.search: SearchIndex | None = None
        self.unsure = ""  # why every page is built, when it is
        self.writing = False  # between deciding and finishing: pages being written
        self._seen = 0

    # --- a build ---------------------------------------------------------------------------

    def track(
        self, config: MkDocsConfig, files: Files, ours: BasePlugin[Any], memo: RenderMemo | None
    ) -> None:
        """Begin a build (``on_nav``): every page answers ``is_modified`` from here on, and
        a generated page whose file's text is the last build's is not read again (when no
        other plugin handles pages): the memo gives it what reading it gave."""
        self.search, known = SearchIndex.find(config)
        self.unsure = self._unsure(config, ours, self.search, known)
        self.files, self.order, self.read, self.restored = files, [], set(), {}
        self.memo = memo
        self.keys, self.kept, self.entries, self.decided = {}, set(), {}, False
        for f in files:
            if not f.is_documentation_page():
                continue
            setattr(f, "is_modified", partial(self._modified, f))  # noqa: B010
            page = f.page
            if memo is None or self.unsure or not isinstance(page, PlaybookPage):
                continue
            if f.inclusion.value > InclusionLevel.DRAFT.value:  # read by every build
                found = memo.read(page)
                if found is not None:
                    page.restore_read(found, files)
                    # what this plugin's on_page_content does to a page MkDocs reads (the
                    # memo keeps the conversion, before that event)
                    page.content = ours.on_page_content(
                        page.content or "", page=page, config=config, files=files
                    )
                    self.restored[f.src_uri] = found.key

    def _modified(self, file: File) -> bool:
        return file.src_uri not in (self.kept if self.decided else self.restored)

    def reading(self, page: Page) -> None:
        """A page MkDocs reads (``on_pre_page``)."""
        self.read.add(page.file.src_uri)

    def decide(self, config: MkDocsConfig, nav: Navigation) -> None:
        """Once every page is read (``on_env``): key every page, keep those that did not
        change."""
        site = "" if self.unsure else self._site_key(config, nav)
        files = self.files or ()
        self.order = [f for f in files if f.src_uri in self.read or f.src_uri in self.restored]
        for f in self.order:
            assert f.page is not None
            key = page_key(site, f.page, self._source(f))
            self.keys[f.src_uri] = key
            last = self.last.get(f.src_uri)
            if (
                not self.unsure
                and last is not None
                and last.key == key
                and last.dest == f.abs_dest_path
                and os.path.isfile(last.dest)
            ):
                self.kept.add(f.src_uri)
        entries = self.search.entries() if self.search else None
        self._seen = len(entries) if entries is not None else 0
        self.writing = self.decided = True

    def _source(self, file: File) -> str | None:
        """The memo's key of a generated page's text, if the memo has how it was read."""
        source = self.restored.get(file.src_uri)
        if source is None and self.memo is not None and isinstance(file.page, PlaybookPage):
            key = self.memo.source_key(file.page)
            source = key if key in self.memo.read_now else None
        return source

    def indexed(self, page: Page) -> None:
        """After the search plugin indexed a page (``on_page_context``): its entries."""
        entries = self.search.entries() if self.search else None
        if entries is not None:
            self.entries[page.file.src_uri] = tuple(entries[self._seen :])
            self._seen = len(entries)

    def finish(self, config: MkDocsConfig) -> None:
        """Before the search plugin writes its index (``on_post_build``): the index in a
        clean build's order, the pages kept for the next build, stale files deleted."""
        entries = self.search.entries() if self.search else None
        written: dict[str, Written] = {}
        for f in self.order:
            uri = f.src_uri
            if uri in self.kept:
                written[uri] = self.last[uri]
            else:
                written[uri] = Written(self.keys[uri], f.abs_dest_path, self.entries.get(uri, ()))
        if entries is not None and self.search is not None:
            entries[:] = [e for w in written.values() for e in w.entries]
            self.search.forget_last()
        self.last, self.writing = written, False
        self._sweep(config)

    def failed(self) -> None:
        """A build that failed (``on_build_error``) after it began writing may have written
        any page: the next build writes them all, and deletes what this one wrote and the
        next does not. One that failed before (a plan with an error) wrote nothing."""
        if self.writing:
            self.last, self.writing = {}, False
            self.dests |= self._dests()

    @property
    def kept_count(self) -> int:
        return len(self.kept)

    def _dests(self) -> set[str]:
        files: Iterable[File] = self.files or ()
        served = InclusionLevel.DRAFT.value  # what `mkdocs serve` writes
        return {f.abs_dest_path for f in files if f.inclusion.value >= served}

    def _sweep(self, config: MkDocsConfig) -> None:
        now = self._dests()
        site = Path(config.site_dir).resolve()
        for gone in sorted(self.dests - now):
            path = Path(gone)
            path.unlink(missing_ok=True)
            remove_empty_parents(path.parent, site)
        self.dests = now

    # --- keys ------------------------------------------------------------------------------

    @staticmethod
    def _unsure(
        config: MkDocsConfig, ours: BasePlugin[Any], search: SearchIndex | None, known: bool
    ) -> str:
        if not known:
            return "a search plugin this preview does not know"
        plugins = {id(ours)} if search is None else {id(ours), id(search.plugin)}
        for event in PAGE_EVENTS:
            for method in config.plugins.events[event]:
                if id(getattr(method, "__self__", None)) not in plugins:
                    origin = config.plugins._event_origins.get(method, "<unknown>")
                    return f"the plugin {origin!r} handles pages ({event})"
        return ""

    def _site_key(self, config: MkDocsConfig, nav: Navigation) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(repr(plain(config)).encode())
        templates = theme_templates(config.theme)
        for path, stamp, text in templates:
            digest.update(f"\0{path}\0{stamp}".encode())
            if _BUILD_TIME.search(text):
                self.unsure = f"the theme template {path} prints the build time"
        static = config.theme.static_templates
        named = (text for path, _, text in templates if os.path.basename(path) not in static)
        if any(_ALL_PAGES.search(text) for text in named):
            for f in self.order:
                digest.update(f"\0{f.src_uri}\0{f.url}\0{f.page and f.page.title}".encode())
        digest.update(repr(list(nav_items(nav.items))).encode())
        return digest.hexdigest()


def page_key(site: str, page: Page, source: str | None = None) -> str:
    """What a page's HTML is made from, besides the site (``site``). ``source``, the key of
    a generated page's text in the memo, stands for all reading it gave (its Markdown,
    metadata, HTML and table of contents)."""
    f = page.file
    digest = hashlib.blake2b(digest_size=20)
    head = (
        site,
        f.src_uri,
        f.url,
        f.dest_uri,
        str(f.inclusion),
        page.title,
        page.edit_url,
        page.canonical_url,
        page.abs_url,
        page.update_date,
        source,
    )
    digest.update(repr(head).encode())
    if source is None:
        digest.update(repr((page.meta, list(toc_items(page.toc)))).encode())
        digest.update(b"\0" + (page.markdown or "").encode())
        digest.update(b"\0" + (page.content or "").encode())
    return digest.hexdigest()


def toc_items(items: Iterable[AnchorLink]) -> Iterator[tuple[Any, ...]]:
    for item in items:
        yield (item.title, item.id, item.level, list(toc_items(item.children)))


def nav_items(items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    for item in items:
        if isinstance(item, Section):
            yield ("section", item.title, list(nav_items(item.children)))
        elif isinstance(item, Link):
            yield ("link", item.title, item.url)
        elif isinstance(item, Page):
            yield ("page", item.title, item.file.src_uri, item.url, item.is_index)
        else:  # a kind of item this version of MkDocs did not have: never equal
            yield ("item", id(item))


def theme_templates(theme: Theme) -> list[tuple[str, str, str]]:
    """``(path, size and time, text)`` of every template file of the theme; the installed
    icons are left out (a custom folder's are in)."""
    found = []
    custom = theme.custom_dir
    for folder in theme.dirs:
        for root, dirs, names in os.walk(folder):
            if folder != custom:
                dirs[:] = [d for d in dirs if d != ".icons"]
            dirs.sort()
            for name in sorted(names):
                if not name.endswith((".html", ".xml", ".yml", ".j2", ".svg", ".txt")):
                    continue
                path = os.path.join(root, name)
                stat = os.stat(path)
                text = ""
                if name.endswith((".html", ".xml", ".j2")):
                    text = Path(path).read_text(encoding="utf-8", errors="replace")
                found.append((path, f"{stat.st_size}:{stat.st_mtime_ns}", text))
    return found


def remove_empty_parents(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to ``top`` (excluded) while they are empty."""
    folder = folder.resolve()
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
