"""The MkDocs plugin ``playbook``: a thin layer that adds the rendered pages to a build.

Event flow:

- ``on_config``: read the options (the same ones ``playbook check`` reads), load and check
  the plans, stop the build on errors and log warnings (so ``--strict`` fails on them),
  choose where compiled templates are kept (the user's cache folder, or memory only under
  ``cache: false``: ``views/environment.py``),
  serve Mermaid from the site itself, add the Markdown extension that passes the pages' HTML
  fragments through (``views/fragments.py``), set a small navigation when none is given and
  name the generator and its version in the footer (after the site's ``copyright``).
- ``on_files``: drop the plan YAML files from the docs, add one generated page per node
  (with its edit button pointing at the YAML it comes from, and the last commit that changed
  that YAML, read from git in one pass: ``views/provenance.py``), the print pages of the
  operation order, the packaged assets, and the downloads the home page offers: the
  playbook as JSON and as a workbook (option ``downloads``), and a place for the PDF
  (option ``pdf``). Under ``mkdocs serve`` a page's Markdown is rendered again only when a
  plan file it read, or what the whole playbook derives, changed (``plugin/reads.py``).
- ``on_nav`` (last): under ``mkdocs serve``, name what each page's HTML depends on, so that
  a rebuild reuses the HTML of pages that did not change (``plugin/rebuild.py``).
- ``on_env`` (last): draw the theme's navigation sidebar once per folder of the pages the
  navigation leaves out (``plugin/sidebar.py``); under ``mkdocs serve``, keep the theme's
  compiled templates for the next build (``rebuild.ThemeCode``); with ``--dirty`` (``make
  serve``), decide which pages are written again, ``on_page_context`` and ``on_post_build``
  keeping the search index and deleting what is gone (``plugin/written.py``).
- ``on_page_content``: keep diagram source out of the search index; glossary terms take the
  keyboard's focus (their definition shows on focus, so also on a tap).
- ``on_post_page``: load the Mermaid library on the pages that draw a diagram, and only
  there; name the theme's search dialog (``theme.py``), on the 404 page too
  (``on_post_template``).
- ``on_post_build``: write the downloads made meanwhile by a second process
  (``export/downloads.py``; under ``mkdocs serve`` when it is done, without holding up the
  reload); print the operation order to ``downloads/playbook.pdf`` with headless Chromium,
  when the option ``pdf`` asks for it (``export/pdf.py``).
- Under ``mkdocs serve``, Python's cycle collector waits from the start of a rebuild
  (``on_config``) until a second after its end (``plugin/collector.py``).
- ``on_serve``: rebuild when anything under the plans or templates folders changes.

``playbook pdf`` builds a site of the print page alone: it sets :attr:`PlaybookPlugin.print_only`
to that page's path before the build.

Generated pages that the navigation leaves out (plans, estimates, ...) are marked "not in
nav", so that MkDocs does not list every one of them on every build.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from mission_playbook import __version__
from mission_playbook.compare import revisions
from mission_playbook.compare.diff import diff_snapshots
from mission_playbook.compare.snapshot import FieldsMemo, snapshot
from mission_playbook.model.cache import file_cache
from mission_playbook.model.config import (
    DEFAULT_AT_RISK,
    DEFAULT_TOLERANCE,
    ConfigError,
    Settings,
    read_plans,
    settings_from_options,
)
from mission_playbook.model.diagnostics import Severity
from mission_playbook.model.files import DEFAULT_MAX_FILE_BYTES, PLAN_SUFFIXES, Sources
from mission_playbook.playbook import FileResult, Playbook, load
from mission_playbook.plugin import theme
from mission_playbook.plugin.collector import IdleCollector
from mission_playbook.plugin.page import PlaybookPage
from mission_playbook.plugin.reads import PageReads
from mission_playbook.plugin.rebuild import RenderMemo, ThemeCode
from mission_playbook.plugin.sidebar import SidebarMemo
from mission_playbook.plugin.written import WrittenSite
from mission_playbook.views import changes_page, pages, provenance, sitemap, textsafe
from mission_playbook.views.assets import ASSETS, MERMAID_JS, STYLE_SHEETS, missing_mermaid
from mission_playbook.views.environment import CompiledTemplates, cache_folder
from mission_playbook.views.fragments import Conversion, FragmentExtension, PageHtml

if TYPE_CHECKING:  # only `mkdocs serve` loads its server (20 ms of imports)
    from jinja2 import Environment
    from mkdocs.livereload import LiveReloadServer

    from mission_playbook.export.downloads import Worker

log = get_plugin_logger(__name__)


#: The option ``pdf``: ``false``; ``auto``, when Playwright and a Chromium are installed (never
#: under ``mkdocs serve``); ``true``, which fails the build without them. (YAML reads a bare
#: ``off`` and ``on`` as false and true.)
PDF_CHOICES = (False, "auto", True)
#: The files of the home page's downloads: (docs path, label).
JSON_DOWNLOAD = ("downloads/playbook.json", "The playbook as JSON (playbook.json)")
XLSX_DOWNLOAD = ("downloads/playbook.xlsx", "The planner's tables as a workbook (playbook.xlsx)")
PDF_DOWNLOAD = ("downloads/playbook.pdf", "The operation order as a PDF (playbook.pdf)")


class PlaybookConfig(Config):  # type: ignore[no-untyped-call]
    """Options under ``plugins: [playbook: {...}]`` in mkdocs.yml."""

    plans = c.Type(str, default="plans")
    templates = c.Type(str, default="templates")
    severity = c.Type(dict, default={})
    max_file_size = c.Type(int, default=DEFAULT_MAX_FILE_BYTES)
    cache = c.Type(bool, default=True)
    changes = c.Type(str, default="auto")  # base of "What changed": auto, off, a rev, a folder
    generator = c.Type(bool, default=True)  # "Made with Mission Playbook <version>" in the footer
    # status thresholds (validated with the other options by settings_from_options)
    at_risk = c.Type((int, float), default=DEFAULT_AT_RISK)
    tolerance = c.Type((int, float), default=DEFAULT_TOLERANCE)
    downloads = c.Type(bool, default=True)  # the playbook as JSON and a workbook, for the home page
    pdf = c.Type((bool, str), default=False)  # the operation order as a PDF: PDF_CHOICES
    provenance = c.Type(bool, default=True)  # each node page's last commit, read from git


class PlaybookPlugin(BasePlugin[PlaybookConfig]):  # type: ignore[no-untyped-call]
    """Publishes a mission plan playbook as part of an MkDocs site."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.playbook: Playbook | None = None
        self.changes: tuple[str, str] | None = None
        self.memo: RenderMemo | None = None
        self.written: WrittenSite | None = None  # under `mkdocs serve --dirty`
        self.theme_code: ThemeCode | None = None
        self.reads: PageReads | None = None  # under `mkdocs serve`
        self.sources: Sources | None = None
        self.checked: dict[str, FileResult] | None = None  # each plan file, under serve
        self.derived: dict[str, Any] | None = None  # what a load may reuse, under serve
        self.fields: FieldsMemo | None = None  # each node's fields in What changed, under serve
        self.nav: Navigation | None = None
        #: the theme's sidebar drawn once per folder of pages outside the navigation
        self.sidebar: SidebarMemo | None = SidebarMemo()
        self.fragments = FragmentExtension()  # one object: the settings stay equal per build
        self.bases: revisions.Bases = {}  # the "What changed" base, kept across serve's rebuilds
        self.compiled: CompiledTemplates | None = None  # kept across serve's rebuilds too
        self.serving = False
        self.browser: Path | None = None  # the Chromium that prints the PDF, when it is made
        #: ``playbook pdf`` sets it: the build makes this print page alone (and its assets)
        self.print_only: str | None = None
        #: the version on the print pages' title page (``playbook pdf --edition``); else mike's
        self.edition: str | None = None
        self.worker: Worker | None = None  # the second process making the downloads
        #: under serve: the thread writing the last build's downloads once they are made,
        #: and the count of builds that made downloads (a later build's are the ones written)
        self.writing: threading.Thread | None = None
        self.writing_worker: Worker | None = None
        self.generation = 0
        self.download_lock = threading.Lock()
        self.collector: IdleCollector | None = None  # under serve: collects after rebuilds
        #: under serve: each page's HTML after on_page_content, by its HTML, in the last build
        #: and in this one (5,000 pages' regexes per rebuild otherwise)
        self.shown: dict[str, str] = {}
        self.shown_now: dict[str, str] = {}
        #: under serve: the plan files' last commits, with the checked-out commit and the files
        self.histories: (
            tuple[tuple[str | None, frozenset[str]], dict[str, provenance.Revision]] | None
        ) = None
        self.download_title = ""
        self.offered: set[str] = set()  # the downloads this build offers (docs paths)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Keeps this plugin across the rebuilds of ``mkdocs serve``, and pages with it."""
        if self.collector is not None:  # MkDocs keeps this plugin for another command
            self.collector.stop()
        self.playbook = None  # no build of this command yet (the first is not a rebuild)
        self.memo = RenderMemo() if command == "serve" else None
        self.serving = command == "serve"
        self.written = WrittenSite() if command == "serve" and dirty else None
        self.theme_code = ThemeCode() if command == "serve" else None
        self.reads = PageReads() if command == "serve" else None
        self.checked = {} if command == "serve" else None
        self.derived = {} if command == "serve" else None
        self.fields = {} if command == "serve" else None
        self.collector = IdleCollector() if command == "serve" else None

    def on_shutdown(self) -> None:
        with self.download_lock:  # a server that stops writes no more downloads
            self.generation += 1
        if self.writing_worker is not None:
            self.writing_worker.cancel()
            self.writing_worker = None
        self.wait_for_downloads(timeout=60)
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        if self.collector is not None:
            self.collector.stop()
            self.collector = None
        self.serving = False
        self.shown, self.shown_now, self.histories = {}, {}, None
        self.memo = None
        self.written = None
        self.theme_code = None
        self.reads = None
        self.checked = None
        self.derived = None
        self.fields = None
        self.bases = {}
        self.compiled = None

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.collector is not None and self.playbook is not None:  # a rebuild
            self.collector.pause()
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        try:
            self.settings = settings_from_options(dict(self.config), base)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.playbook = self._load(self.settings)
        folder = cache_folder(self.settings)  # None under `cache: false`: in memory only
        if self.compiled is None or self.compiled.folder != folder:
            self.compiled = CompiledTemplates(folder)
        # Mermaid is not an extra script of every page: on_post_page adds it where needed
        config.extra_javascript = [s for s in config.extra_javascript if str(s) != MERMAID_JS]
        for sheet in STYLE_SHEETS:
            if sheet not in config.extra_css:
                config.extra_css.append(sheet)
        extensions: list[Any] = config.markdown_extensions  # names, and extension objects
        if self.fragments not in extensions:
            extensions.append(self.fragments)
        self.browser = self._pdf_browser()
        if self.print_only is not None:  # `playbook pdf`: the print page alone
            self.changes = None
            config.nav = [{"Operation order": self.print_only}]
        else:
            self.changes = self._changes()
        if config.nav is None:
            config.nav = navigation(self.playbook, self.changes is not None)
        if self.config.generator:
            config.copyright = with_generator(config.copyright)
        return config

    def _pdf_browser(self) -> Path | None:
        """The Chromium that prints ``downloads/playbook.pdf`` in this build, if it is made."""
        choice = self.config.pdf
        if isinstance(choice, str):  # from the environment: `pdf: !ENV [PLAYBOOK_PDF, false]`
            choice = {"true": True, "false": False}.get(choice.lower(), choice.lower())
        if choice not in PDF_CHOICES:
            raise PluginError(f"pdf: {self.config.pdf!r} is not one of true, false or auto")
        if choice is False or self.serving or self.print_only is not None:
            return None
        from mission_playbook.export import pdf

        if choice == "auto":
            return pdf.available()
        try:
            pdf.require_playwright()
            return pdf.find_browser()
        except pdf.PdfUnavailable as exc:
            raise PluginError(f"pdf: true: {exc}") from None

    def _load(self, settings: Settings) -> Playbook:
        try:
            self.sources = read_plans(settings.plans, settings.max_file_size)
            cache = None if self.checked else file_cache(settings)  # the first build only
            playbook = load(
                settings.plans, settings, self.sources, cache, self.checked, self.derived
            )
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        for d in playbook.diagnostics:
            if d.severity is Severity.ERROR:
                log.error(str(d))
            elif d.severity is Severity.WARNING:
                log.warning(str(d))
            else:
                log.info(str(d))
        if playbook.errors:
            raise PluginError(
                f"the playbook has {playbook.errors} error(s), listed above; "
                "run `playbook check` to see them again"
            )
        return playbook

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.playbook is not None and self.settings is not None
        for f in list(files):
            if f.src_uri.endswith(PLAN_SUFFIXES):
                files.remove(f)
        if not (ASSETS / MERMAID_JS).is_file():
            raise PluginError(missing_mermaid())
        for asset in (MERMAID_JS, *STYLE_SHEETS):
            if files.get_file_from_path(asset) is None:
                files.append(File.generated(config, asset, abs_src_path=str(ASSETS / asset)))
        if self.print_only is not None:
            for f in list(files):
                if f.is_documentation_page():
                    files.remove(f)  # the print page alone: no page links to any other
        downloads = self._downloads(files, config)
        history = self._history() if self.config.provenance else {}
        options = pages.Options(
            templates=self.settings.templates,
            directory_urls=config.use_directory_urls,
            changes=self.changes,
            edition=self.edition or os.environ.get("MIKE_DOCS_VERSION") or None,
            downloads=downloads,
            history=history,
            repo_url=config.repo_url,
            shares=self.reads is None,
        )
        renderer = pages.Renderer(self.playbook, options, self.compiled)
        conversion = Conversion(
            self.fragments,
            renderer.inline_html,
            PageHtml.for_site(config.markdown_extensions, config.mdx_configs),
        )
        docs_dir = Path(config.docs_dir).resolve()
        folders: dict[Path, Path] = {}
        titles = nav_titles(config.nav)
        patterns = [p for p in (config.exclude_docs, config.draft_docs) if p]
        # a hand-written page of the same name wins
        found = [p for p in renderer.pages() if files.get_file_from_path(p.path) is None]
        if self.print_only is not None:
            found = [p for p in found if p.path == self.print_only]
        rendered: Iterable[tuple[sitemap.Page, str]]
        if self.reads is not None and self.sources is not None:
            rendered = self.reads.render(renderer, self.sources, found)
        else:
            rendered = ((page, renderer.render_page(page)) for page in found)
        for page, markdown in rendered:
            generated = File.generated(config, page.path, content=markdown)
            if page.path not in titles and not any(p.match_file(page.path) for p in patterns):
                generated.inclusion = InclusionLevel.NOT_IN_NAV
            if page.source is not None:
                # percent-encoded: the theme prints the edit link as it is, and a file name
                # is written by whoever opens the pull request
                rel = Path(os.path.relpath(self._real(page.source, folders), docs_dir)).as_posix()
                generated.edit_uri = quote(rel, safe="/")
            # made now (else MkDocs makes a Page), after edit_uri: it is set on the file
            PlaybookPage(titles.get(page.path), generated, config, conversion, self.memo)
            files.append(generated)
        return files

    def _history(self) -> dict[str, provenance.Revision]:
        """Each plan file's last commit; under ``mkdocs serve`` read from git again only when
        the commit checked out or the plan files changed (an edit is not a commit)."""
        assert self.playbook is not None and self.settings is not None
        plans, files = self.settings.plans, self.playbook.files
        if not self.serving:
            return provenance.history(plans, files)
        key = (provenance.head(plans), frozenset(files))
        if key[0] is not None and self.histories is not None and self.histories[0] == key:
            return self.histories[1]
        found = provenance.history(plans, files)
        self.histories = (key, found)
        return found

    def _downloads(self, files: Files, config: MkDocsConfig) -> tuple[tuple[str, str], ...]:
        """Add the files the home page offers to the build; their (docs path, label).

        The JSON and the workbook are made by a second process meanwhile
        (``export/downloads.py``) and written by ``on_post_build``, as the PDF is printed
        there: the build holds an empty file in their place until then.
        """
        assert self.playbook is not None and self.settings is not None
        if self.print_only is not None:
            return ()
        made: list[tuple[str, str]] = []
        if self.config.downloads:
            from mission_playbook.export import downloads

            title = self.playbook.mission.title if self.playbook.mission else config.site_name
            if self.sources is not None:
                with self.download_lock:  # the last build's, if still made, are not written
                    self.generation += 1
                    if self.writing_worker is not None:
                        self.writing_worker.cancel()
                self.worker = downloads.Worker(self.settings, self.sources, title)
            self.download_title = title
            made += [JSON_DOWNLOAD, XLSX_DOWNLOAD]
        if self.browser is not None:
            made.append(PDF_DOWNLOAD)
        out = []
        for path, label in made:
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=b""))
                out.append((path, label))
        self.offered = {path for path, _ in out}
        return tuple(out)

    def _write_downloads(self, config: MkDocsConfig) -> None:
        """Write the JSON and the workbook into the built site: made meanwhile by the second
        process, or here when it failed. Under ``mkdocs serve`` a thread writes them once
        the second process is done, so that the browser loads the rebuilt pages meanwhile;
        unless a later build began (its own are written then)."""
        from mission_playbook.export import downloads

        assert self.playbook is not None
        worker, self.worker = self.worker, None
        playbook, title, offered = self.playbook, self.download_title, set(self.offered)
        site, generation = Path(config.site_dir), self.generation

        def finish() -> None:
            made = worker.result() if worker is not None else None
            if made is None and generation == self.generation:
                if worker is not None:
                    log.debug(
                        f"the downloads are made here: the second process failed: {worker.error}"
                    )
                made = downloads.make(playbook, title)
            with self.download_lock:
                if made is not None and generation == self.generation:
                    downloads.write(site, {p: c for p, c in made.items() if p in offered})

        if not self.serving:
            finish()
            return
        self.writing_worker = worker
        self.writing = threading.Thread(target=finish, name="playbook-downloads", daemon=True)
        self.writing.start()

    def wait_for_downloads(self, timeout: float | None = None) -> None:
        """Under ``mkdocs serve``: return once the last build's downloads are written."""
        if self.writing is not None:
            self.writing.join(timeout)

    @staticmethod
    def _real(path: Path, folders: dict[Path, Path]) -> Path:
        """``path.resolve()``, with each folder resolved once (not once per file)."""
        if path.is_symlink():
            return path.resolve()
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        return folder / path.name

    @event_priority(-100)  # after every plugin that may add or move files
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.shown, self.shown_now = self.shown_now, {}  # only the last build's are kept
        if self.memo is not None:
            self.memo.start(config, files)
        if self.written is not None:
            self.written.track(config, files, self, self.memo)
        self.nav = nav
        return nav

    @event_priority(50)  # before the search plugin reads the page
    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        if self.memo is None:
            return theme.focusable_terms(theme.unsearchable_diagrams(html))
        shown = self.shown.get(html)  # under serve: a page's HTML kept by the memo is the
        if shown is None:  # same string from build to build, its hash computed once
            shown = theme.focusable_terms(theme.unsearchable_diagrams(html))
        self.shown_now[html] = shown
        return shown

    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str:
        output = theme.name_search_dialog(output)
        return theme.load_mermaid(output, get_relative_url(MERMAID_JS, page.url))

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str:
        return theme.name_search_dialog(output_content)  # the theme's 404 page

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        if self.written is not None:
            self.written.reading(page)
        return page

    @event_priority(-100)  # after every plugin that may change the environment
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.theme_code is not None:
            self.theme_code.attach(env, config)
        if self.sidebar is not None and self.nav is not None:
            self.sidebar.attach(env, self.nav, config)
        if self.written is not None:
            assert self.nav is not None
            self.written.decide(config, self.nav)
            if self.written.unsure:
                log.info(f"every page is written again: {self.written.unsure}")
        return env

    @event_priority(-100)  # after the search plugin indexed the page
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.written is not None:
            self.written.indexed(page)
        return context

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.config.downloads and self.print_only is None:
            self._write_downloads(config)
        if self.browser is not None:
            self._print_pdf(config)
        if self.memo is not None:
            log.debug(f"pages reused from the last build: {self.memo.hits}")
            self.memo.finish()
        if self.written is not None:
            log.debug(f"pages kept as the last build wrote them: {self.written.kept_count}")
            self.written.finish(config)
        if self.collector is not None:
            self.collector.resume_later()

    def on_build_error(self, *, error: Exception) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        if self.written is not None:
            self.written.failed()
        if self.collector is not None:
            self.collector.resume_later()

    def _print_pdf(self, config: MkDocsConfig) -> None:
        """Print the operation order of the built site to ``downloads/playbook.pdf``."""
        from mission_playbook.export import pdf

        assert self.browser is not None
        site = Path(config.site_dir)
        page = sitemap.url_of(sitemap.PRINT_PAGE, config.use_directory_urls)
        try:
            printed = pdf.print_pdf(site, page, site / PDF_DOWNLOAD[0], self.browser)
        except (pdf.PdfUnavailable, pdf.PrintFailed) as exc:
            raise PluginError(f"the operation order's PDF: {exc}") from None
        log.info(f"printed the operation order: {PDF_DOWNLOAD[0]} ({printed.size:,} bytes)")

    def _changes(self) -> tuple[str, str] | None:
        """The "What changed" page's base and content, or None when there is no base."""
        assert self.playbook is not None and self.settings is not None
        try:
            found = revisions.changes_base(self.config.changes, self.settings, self.bases)
        except ConfigError as exc:  # a bad base is reported, and the page left out
            log.warning(f"What changed: {exc}")
            return None
        if found is None:
            return None
        name, base = found
        link = sitemap.link_from("changes.md", self.playbook)
        diff = diff_snapshots(base, snapshot(self.playbook, self.fields))
        return name, changes_page.sentences(diff, self.playbook, link)

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.settings is not None
        for folder in (self.settings.plans, self.settings.templates):
            if folder.is_dir():
                server.watch(str(folder))
        return server


GENERATOR_CLASS = "playbook-generator"


def with_generator(text: str | None) -> str:
    """The site's ``copyright`` (HTML, shown in the footer by Material and by most themes)
    followed by the generator's name and version. Themes print ``config.copyright`` in their
    own footer, so the line survives a ``custom_dir`` that overrides the page layout."""
    marker = f'class="{GENERATOR_CLASS}"'
    if text and marker in text:
        return text  # already there: a rebuild under `mkdocs serve` keeps the config
    line = f"<span {marker}>Made with Mission Playbook {__version__}</span>"
    return f"{text}<br>{line}" if text else line


def navigation(playbook: Playbook, changes: bool = False) -> list[Any]:
    """A short navigation: the top pages and the functions, never every plan.

    Plans, estimates, key tasks and success factors are reached through links, so that no
    page carries the whole playbook in its navigation (which would make the site N²).
    """
    nav: list[Any] = [{"Mission": "index.md"}]
    if playbook.intent is not None:
        nav.append({"Commander's intent": "intent.md"})
    # themes print navigation titles as they are: no markup from a plan may reach them
    functions = [
        {textsafe.plain(" ".join(n.title.split())): sitemap.page_path(n)}
        for n in playbook.of_kind("function")
    ]
    if functions:
        nav.append({"Functions": functions})
    views: list[Any] = []
    if playbook.as_of is not None:
        path, _, title = sitemap.SCORECARD
        views.append({title: path})
    if playbook.of_kind("sla"):
        views.append({"Demand waterfall": "waterfall.md"})
    if sitemap.has_decisions(playbook):
        views.append({"Decisions": sitemap.DECISIONS})
    views += [{title: path} for path, _, title in sitemap.VIEWS]
    if changes:
        views.append({"What changed": "changes.md"})
    nav.append({"Views": views})
    if playbook.of_kind("glossary"):
        nav.append({"Glossary": "glossary.md"})
    return nav


def nav_titles(nav: Any) -> dict[str, str]:
    """``{docs path: title}`` of the pages a navigation lists with a title."""
    found: dict[str, str] = {}
    items = nav if isinstance(nav, list) else [nav]
    for item in items:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    found[value] = str(title)
                else:
                    found.update(nav_titles(value))
    return found
