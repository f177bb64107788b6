"""The MkDocs page of a page the plugin generated: how its Markdown becomes HTML.

Every generated page of a build is a ``PlaybookPage``. A page made only of HTML fragments and
headings is written without Python-Markdown (``fragments.PageHtml``); any other is converted
by MkDocs. Under ``mkdocs serve`` the page's HTML is reused while nothing it is made from
changed (``rebuild.RenderMemo``).
"""

from __future__ import annotations

import copy
import re
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from mission_playbook.plugin.rebuild import Read, Rendered, RenderMemo, logged
from mission_playbook.views.fragments import Conversion

#: A page address that ``urljoin`` appends to a base as it is: a relative path of plain
#: segments (a generated page's: ``plans/mkt-abm/``); any other goes through ``urljoin``.
_PLAIN_URL = re.compile(r"(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*/?)*")
_PLAIN_DOTS = re.compile(r"(?:^|/)\.{1,2}(?:/|$)")


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

    def _set_canonical_url(self, base: str | None) -> None:
        """MkDocs' own (``urljoin`` of the site's address and the page's), made for every
        page of every build: for a plain address the join is the two strings end to end."""
        url = self.url
        if not base or "?" in base or "#" in base or not _PLAIN_URL.fullmatch(url):
            super()._set_canonical_url(base)
            return
        if _PLAIN_DOTS.search(url):
            super()._set_canonical_url(base)
            return
        if not base.endswith("/"):
            base += "/"
        self.canonical_url = base + url
        self.abs_url = urlsplit(base).path + url

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.memo is None or not self.memo.context:  # not serving, or no context yet
            self._convert(config, files)
            return
        key = self.memo.key(self)
        hit = self.memo.get(key)
        if hit is not None:
            self._restore(hit, files)
            self.memo.remember(self, hit)
            return
        with logged() as records:
            self._convert(config, files)
        if not records:
            kept = self._kept()
            self.memo.put(key, kept)
            self.memo.remember(self, kept)

    def restore_read(self, read: Read, files: Files) -> None:
        """Be the page MkDocs read in the last build, without reading it (``--dirty``: MkDocs
        then leaves it as it is). Its parts are shared with the memo, which nothing changes."""
        self.markdown = self.file.content_string[read.start :]
        self.meta = dict(read.meta)
        self._restore(read.rendered, files, copy_toc=False)

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

    def _restore(self, hit: Rendered, files: Files, copy_toc: bool = True) -> None:
        self.content = hit.content
        self.toc = copy.deepcopy(hit.toc) if copy_toc else hit.toc
        self._title_from_render = hit.title
        self.present_anchor_ids = set(hit.anchors)
        if hit.links is not None:
            linked = {uri: files.get_file_from_path(uri) for uri in hit.links}
            self.links_to_anchors = {f: dict(hit.links[u]) for u, f in linked.items() if f}
