"""Rebuilds under ``mkdocs serve``: a generated page's HTML is kept from one build to the next.

MkDocs converts every page's Markdown again on every rebuild, and that is about half of a
build. An edit to one plan changes a handful of pages, so ``PlaybookPage`` reuses the HTML of
the previous build when nothing it is made from changed: the page's Markdown (after every
plugin's ``on_page_markdown``), its place in the site, every file's place (links are resolved
against them) and the Markdown settings. A conversion that logged anything (a broken link, say)
is not kept, so its message is shown again on every build. Only ``mkdocs serve`` keeps pages;
a ``mkdocs build`` converts each page once as MkDocs does.

The Markdown settings are compared as they print: extension names, options and the functions
they name. A plugin that adds a new Markdown extension object on every build (one that learns
from each conversion, as cross-reference plugins do) makes every build's settings new, so no
page is reused and such a plugin sees every conversion.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents, get_toc

from generator.fragments import Conversion


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` sets, with linked files named by their source path."""

    content: str
    toc: TableOfContents
    title: str | None
    anchors: frozenset[str]
    links: dict[str, dict[str, str]] | None


class RenderMemo:
    """The pages converted in the last build and in this one, by everything they depend on."""

    def __init__(self) -> None:
        self.previous: dict[str, Rendered] = {}
        self.current: dict[str, Rendered] = {}
        self.context = ""
        self.hits = 0

    def start(self, config: MkDocsConfig, files: Files) -> None:
        """Begin a build: keep the last build's pages, and name what every page depends on."""
        self.previous, self.current, self.hits = {**self.previous, **self.current}, {}, 0
        digest = hashlib.blake2b(digest_size=20)
        markdown = (config.markdown_extensions, config.mdx_configs, config.use_directory_urls)
        digest.update(repr((markdown, config.validation)).encode())
        for f in sorted(files, key=lambda f: f.src_uri):
            digest.update(f"\0{f.src_uri}\0{f.url}\0{f.inclusion}".encode())
        self.context = digest.hexdigest()

    def finish(self) -> None:
        """End a build: only pages of this build are kept for the next."""
        self.previous = {}

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


class PlaybookPage(Page):
    """A page the plugin generated.

    A page made only of HTML fragments and headings (a plan's page, as packaged) is written
    without Python-Markdown when the site's extensions allow (``fragments.PageHtml``); any
    other is converted by MkDocs, and the ids in its fragments count as its anchors (MkDocs
    checks links to anchors against them). Under ``mkdocs serve`` (with a memo) its HTML is
    reused while nothing it is made from changed.
    """

    def __init__(
        self,
        title: str | None,
        file: File,
        config: MkDocsConfig,
        conversion: Conversion,
        memo: RenderMemo | None = None,
    ) -> None:
        super().__init__(title, file, config)
        self.conversion = conversion
        self.memo = memo

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.memo is None or not self.memo.context:  # not serving, or no context yet
            self._convert(config, files)
            return
        key = self.memo.key(self)
        hit = self.memo.get(key)
        if hit is not None:
            self._restore(hit, files)
            return
        with _logged() as records:
            self._convert(config, files)
        if not records:
            self.memo.put(key, self._kept())

    def _convert(self, config: MkDocsConfig, files: Files) -> None:
        conversion = self.conversion
        if conversion.page_html is not None and self.markdown is not None:
            converted = conversion.page_html.convert(self.markdown, conversion.inline)
            if converted is not None:
                self.content = converted.html
                self.toc = get_toc(converted.toc_tokens)
                self._title_from_render = converted.title
                self.present_anchor_ids = converted.anchors
                self.links_to_anchors = {}
                return
        conversion.extension.anchors = set()
        super().render(config, files)
        self.present_anchor_ids = (self.present_anchor_ids or set()) | conversion.extension.anchors

    def _kept(self) -> Rendered:
        links = getattr(self, "links_to_anchors", None)
        assert self.content is not None
        return Rendered(
            content=self.content,
            toc=copy.deepcopy(self.toc),
            title=self._title_from_render,
            anchors=frozenset(self.present_anchor_ids or ()),
            links=None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        )

    def _restore(self, hit: Rendered, files: Files) -> None:
        self.content = hit.content
        self.toc = copy.deepcopy(hit.toc)
        self._title_from_render = hit.title
        self.present_anchor_ids = set(hit.anchors)
        if hit.links is not None:
            linked = {uri: files.get_file_from_path(uri) for uri in hit.links}
            self.links_to_anchors = {f: dict(hit.links[u]) for u, f in linked.items() if f}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append(record)


@contextmanager
def _logged() -> Iterator[list[logging.LogRecord]]:
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
