"""The theme's navigation sidebar, drawn once per folder for the pages the navigation leaves out.

Material draws the site's navigation (``partials/nav.html``) on every page. On a page that
the navigation does not list (a plan, an estimate, ...: most of a playbook's pages) no item
is active, so what it draws depends only on the build (the navigation, the configuration)
and on the page's URL, through the relative links it writes. Two pages in one folder
(``plans/a/`` and ``plans/b/``) get the same relative link to every target that is not inside
either page's own folder. So :class:`SidebarMemo` keeps the sidebar drawn for the first such
page of a folder and gives it to the next ones, unless a link of the navigation points
inside the page's own folder; a page the navigation lists is drawn as the theme draws it.

Measured at 1,000 nodes: a tenth of a build's Python function calls (the theme's
``nav-item.html`` macro ran 53,000 times, 1,300 with the memo). Its only hook into the theme
is the template's render function, which Jinja calls for ``{% include "partials/nav.html"
%}``, so an overridden ``nav.html`` (a ``custom_dir``) is kept the same way.
``tests/test_sidebar.py`` builds sites with and without it and compares every file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Link, Navigation

#: The theme's template of the navigation sidebar.
NAV_TEMPLATE = "partials/nav.html"

RenderFunc = Callable[[Any], Iterator[str]]


class SidebarMemo:
    """Keeps the drawn sidebar per folder of pages outside the navigation, for one build."""

    def __init__(self) -> None:
        self.drawn: dict[str, str] = {}
        self.listed: set[int] = set()
        self.targets: tuple[str, ...] = ()
        self.hits = 0

    def attach(self, env: jinja2.Environment, nav: Navigation, config: MkDocsConfig) -> None:
        """Wrap the sidebar template of this build's environment (a new one every build)."""
        self.drawn = {}
        self.hits = 0
        self.listed = {id(page) for page in nav.pages}
        self.targets = _targets(nav, config)
        try:
            template = env.get_template(NAV_TEMPLATE)
        except jinja2.TemplateNotFound:  # another theme than Material
            return
        template.root_render_func = self._wrap(template.root_render_func)

    def _wrap(self, original: RenderFunc) -> RenderFunc:
        def render(context: Any) -> Iterator[str]:
            folder = self.key(context.get("page"))
            if folder is None:
                yield from original(context)
                return
            # a plugin may give a page another navigation (a language's): kept apart
            key = f"{id(context.get('nav'))} {folder}"
            drawn = self.drawn.get(key)
            if drawn is None:
                drawn = self.drawn[key] = "".join(original(context))
            else:
                self.hits += 1
            yield drawn

        return render

    def key(self, page: Any) -> str | None:
        """The folder whose pages share ``page``'s sidebar; None to draw it for this page."""
        url = getattr(page, "url", None)
        if not isinstance(url, str) or not url or id(page) in self.listed:
            return None
        if url.endswith("/"):  # `plans/a/`: links are made relative to the page's folder
            own = url.rstrip("/")
            if any(t == own or t.startswith(url) for t in self.targets):
                return None  # a link inside the page's own folder differs between siblings
            return "dir:" + posixpath.dirname(own)
        return "file:" + posixpath.dirname(url)  # `plans/a.html`: relative to `plans`


def _targets(nav: Navigation, config: MkDocsConfig) -> tuple[str, ...]:
    """Every site path the sidebar may link to: pages, links, the home page, the logo."""
    out = [page.url for page in nav.pages]
    stack = list(nav.items)
    while stack:
        item = stack.pop()
        if isinstance(item, Link):
            out.append(str(item.url))
        stack.extend(getattr(item, "children", None) or ())
    if nav.homepage is not None:
        out.append(nav.homepage.url)
    extra: dict[str, Any] = dict(config.extra or {})
    for value in (extra.get("homepage"), config.theme.get("logo"), config.theme.get("favicon")):
        if isinstance(value, str):
            out.append(value)
    return tuple(t.lstrip("/") for t in out)
