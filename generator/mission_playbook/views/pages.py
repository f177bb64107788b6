"""Rendering a playbook into Markdown pages: a pure function of the model and templates.

Pages are Markdown with blocks of HTML: what the generator knows exactly (fields, tables,
links, diagrams) is written as HTML fragments (``views/fragments.py``), prose from the
plans as Markdown.

``render_pages(playbook, options)`` returns ``{docs path: Markdown}``; it writes nothing. The
MkDocs plugin adds these pages to a build, and ``playbook render`` writes them to a folder, so
the content does not depend on MkDocs. The rooms around the renderer: the list of pages and
their addresses (``views/sitemap.py``), the Jinja environment and the store of compiled
templates (``views/environment.py``), what templates ask of the playbook (``pb``,
``views/queries.py``) and the ladder's diagrams (``views/ladder_diagrams.py``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jinja2

from mission_playbook.model import kinds
from mission_playbook.model.ladder import Node
from mission_playbook.playbook import Playbook
from mission_playbook.views import fragments, textsafe, timeline, trace
from mission_playbook.views.environment import CompiledTemplates, environment, memoized
from mission_playbook.views.glossary import Glossary
from mission_playbook.views.ladder_diagrams import LadderDiagrams
from mission_playbook.views.provenance import Provenances, Revision
from mission_playbook.views.queries import Queries
from mission_playbook.views.sitemap import Page, page_path, relative_md, relative_url, site_pages

_inline = memoized(textsafe.markdown_inline)


@dataclass
class Options:
    """How pages are rendered: template overrides, the site's URLs, the "What changed" page."""

    templates: Path | None = None
    directory_urls: bool = True
    changes: tuple[str, str] | None = None  # (base, Markdown) for the "What changed" page
    # links in HTML fragments as .md paths, for a builder that resolves them in HTML (Zensical)
    md_links: bool = False
    edition: str | None = None  # the version being published (the print pages' title page)
    # the files the home page offers: (docs path, label), written by the shell
    downloads: tuple[tuple[str, str], ...] = ()
    history: dict[str, Revision] | None = None  # file → its last commit (views/provenance.py)
    repo_url: str | None = None  # commits link to this repository's pages
    # values made for one page kept for the next (the tables, the quarter table); off under
    # `mkdocs serve`, where each page's reads are recorded (plugin/reads.py)
    shares: bool = True


def single_blank_lines(text: str) -> str:
    """``text`` with every run of blank lines made one (``str.replace`` until none is left:
    a regex over the whole operation order, 8 MB, took 0.1 s)."""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


class Parts(Protocol):
    """Where a page's parts may be kept from one build to the next (``plugin/reads.py``)."""

    def part(self, page: Page, name: str, args: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """The part ``name`` of ``page`` made from ``args``: kept, or ``make()``."""


class Renderer:
    """Renders every page of a playbook; one instance per build.

    ``compiled`` is the store of compiled templates the shell keeps (``views/environment.py``);
    without one, templates are kept in memory for the life of the process.
    """

    def __init__(
        self,
        playbook: Playbook,
        options: Options | None = None,
        compiled: CompiledTemplates | None = None,
    ) -> None:
        self.playbook = playbook
        self.options = options or Options()
        self.queries = Queries(playbook, self.options.shares)
        self.diagrams = LadderDiagrams(self.queries, self.options.directory_urls)
        self.glossary = Glossary(
            (t.term, t.definition, t.aliases)
            for g in playbook.ladder.of_kind("glossary")
            for t in g.record(kinds.Glossary).terms
        )
        self.inline_html = fragments.InlineHtml(self.glossary)
        self.block_html = fragments.BlockHtml(self.glossary)
        self.env = environment(self.options.templates, self._text, compiled, self._block)
        self.provenances = Provenances(
            playbook.ladder, self.options.history or {}, self.options.repo_url
        )
        #: where parts of pages are kept across rebuilds (``part``), set by the shell
        self.parts: Parts | None = None
        self._page: Page | None = None  # the page being rendered
        self.env.globals["part"] = self.part

    def part(self, name: str, macro: Callable[..., Any], *args: Any) -> Any:
        """``macro(*args)``, a part of the page being rendered: under ``mkdocs serve``, kept
        from the last build while nothing it shows changed (templates: ``{{ part("tasks",
        o.tasks, order, pb, plans) }}``)."""
        if self.parts is None or self._page is None:
            return macro(*args)
        return self.parts.part(self._page, name, args, lambda: macro(*args))

    @jinja2.pass_context  # never applied while compiling: see CompiledTemplates
    def _text(self, _context: jinja2.runtime.Context, value: object) -> str:
        return self.inline_html(value)

    @jinja2.pass_context  # as _text
    def _block(self, _context: jinja2.runtime.Context, value: object) -> str:
        return self.block_html(value)

    def pages(self) -> list[Page]:
        """Every page of the site, in a stable order."""
        return site_pages(self.playbook, self.options.changes)

    def render_pages(self) -> dict[str, str]:
        """``{docs path: Markdown}`` for every page."""
        return {page.path: self.render_page(page) for page in self.pages()}

    def render_page(self, page: Page) -> str:
        """One page's Markdown: its front matter (the title), the template's text and the
        glossary's abbreviations."""
        self._page = page
        try:
            text = self.env.get_template(page.template).render(self.context(page))
        finally:
            self._page = None
        # themes print titles as they are (<title>, navigation): no markup may reach them
        title = json.dumps(textsafe.plain(" ".join(page.title.split())), ensure_ascii=False)
        search = "" if page.search else "search:\n  exclude: true\n"
        front = f"---\ntitle: {title}\n{search}---\n\n"
        # glossary terms in fragments are marked already: define those of the Markdown only
        body = text.strip("\n") + "\n" + self.glossary.abbreviations(fragments.markdown_of(text))
        return front + single_blank_lines(body)

    def context(self, page: Page) -> dict[str, Any]:
        """What a template sees (the README lists it): the page, its node, ``pb`` and the
        link helpers, which link from this page."""
        here = page.path
        nodes = self.playbook.ladder.nodes

        def link(node: Node | None, text: str | None = None) -> str:
            if node is None:
                return ""
            shown = _inline(text if text is not None else node.title)
            return f"[{shown}]({relative_md(here, page_path(node))})"

        def link_id(node_id: str, text: str | None = None) -> str:
            node = nodes.get(node_id)
            return link(node, text) if node is not None else f"`{textsafe.code(node_id)}`"

        def href(path: str) -> str:
            return relative_md(here, path)

        def a(node: Node | None, text: str | None = None) -> str:
            """A link in an HTML fragment."""
            if node is None:
                return ""
            target = page_path(node)
            if target.startswith(here + "#"):
                url = target[len(here) :]  # "#anchor" on this page
            elif self.options.md_links:
                url = relative_md(here, target)
            else:
                url = relative_url(here, target, self.options.directory_urls)
            shown = self.inline_html(text if text is not None else node.title)
            return f'<a href="{html.escape(url)}">{shown}</a>'

        def url_path(path: str) -> str:
            """The URL of a page (its docs path) from this one, for an HTML attribute."""
            if self.options.md_links:
                return html.escape(relative_md(here, path))
            return html.escape(relative_url(here, path, self.options.directory_urls))

        def url(node: Node) -> str:
            """The URL of a node's page from this one, for an HTML attribute."""
            target = page_path(node)
            if target.startswith(here + "#"):
                return html.escape(target[len(here) :])
            return url_path(target)

        def a_id(node_id: str, text: str | None = None) -> str:
            node = nodes.get(node_id)
            return a(node, text) if node is not None else f"<code>{html.escape(node_id)}</code>"

        return {
            **page.context,
            "page": page,
            "title": page.title,
            "node": page.node,
            "data": page.node.data if page.node is not None else None,
            "playbook": self.playbook,
            "pb": self.queries,
            "link": link,
            "link_id": link_id,
            "href": href,
            "a": a,
            "a_id": a_id,
            "url": url,
            "url_path": url_path,
            "date": timeline.short_date,
            "breadcrumb": lambda: self.breadcrumb(page, a),
            "diagram": lambda: self.diagrams.neighbourhood(page),
            "overview": lambda: self.diagrams.factors(page),
            "edition": self.options.edition,
            "downloads": [(label, href(path)) for path, label in self.options.downloads],
            "provenance": lambda: self.provenances.of(page.node),
            "part": self.part,
        }

    def breadcrumb(self, page: Page, link: Callable[..., str]) -> str:
        """Why this exists (HTML): every path up to a success factor, grouped by factor."""
        node = page.node
        if node is None or node.kind in ("mission", "intent", "sla", "glossary"):
            return ""
        if node.kind == "success_factor":
            mission = self.playbook.mission
            return f"it serves {link(mission, 'the mission')}." if mission is not None else ""
        found = trace.paths_up(self.playbook.ladder, node)
        if not found.reasons:
            return "<em>nothing yet: it is not linked to a success factor.</em>"
        if found.direct:
            return "it serves " + _and([link(r.factor) for r in found.reasons]) + "."
        if len(found.reasons) == 1 and len(found.reasons[0].paths) == 1 and not found.more:
            path = [found.reasons[0].factor, *found.reasons[0].paths[0]]
            return " › ".join(link(n) for n in path)
        items = []
        for reason in found.reasons:
            paths = [" › ".join(link(n) for n in path) for path in reason.paths]
            if len(paths) == 1:
                items.append(f"<li>{link(reason.factor)} › {paths[0]}</li>")
            else:
                inner = "".join(f"<li>{p}</li>" for p in paths)
                items.append(f"<li>{link(reason.factor)}<ul>{inner}</ul></li>")
        if found.more:
            items.append(f"<li><em>… and {found.more} more</em></li>")
        return f"<ul>{''.join(items)}</ul>"


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def render_pages(
    playbook: Playbook, options: Options | None = None, compiled: CompiledTemplates | None = None
) -> dict[str, str]:
    """Every page of a playbook as Markdown: ``{docs path: text}``."""
    return Renderer(playbook, options, compiled).render_pages()
