"""Browser test harness: serve a built site on 127.0.0.1 and inspect it in headless Chromium.

- :func:`serve_directory` serves a folder over HTTP on an ephemeral loopback port.
- :func:`launch_chromium` starts Debian's Chromium through Playwright (never a downloaded one).
- :class:`PageSession` is one browser context and page with the guards every test wants: shadow
  roots forced open (Material draws Mermaid inside closed ones), every request to a host other
  than 127.0.0.1 aborted and recorded, console errors, page errors and HTTP errors collected.
- :func:`mermaid_status` counts a loaded page's diagrams, the ones rendered to an SVG, and the
  Mermaid error texts shown.
- :func:`crawl` visits every internal page reachable from ``index.html`` and checks every
  internal link and ``#anchor``.
- :func:`audit` runs axe-core on a loaded page; :func:`diagram_text_sizes` measures the text
  of every rendered diagram as drawn on screen; :func:`cells_off_screen` finds table cells a
  reader would have to scroll sideways to see.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from mission_playbook.export.pdf import HOST, serve

ALLOWED_HOST = HOST  # the one host a page may reach: where the site is served
CHROMIUM_PATH = os.environ.get("PLAYBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Texts Mermaid shows instead of a diagram: a parse error, a diagram over maxTextSize (drawn as
# a pink box, no exception), and a diagram over maxEdges.
MERMAID_ERROR_TEXTS = ("Syntax error", "Maximum text size", "Edge limit")

# Runs before any page script. Forces every shadow root open so tests can read the SVGs that
# Material renders into closed ones, and counts the diagrams in the markup before Material
# touches them (it strips and re-adds the "mermaid" class while loading Mermaid).
INIT_SCRIPT = """
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
  window.__playbookMermaidTotal = null;
  document.addEventListener("DOMContentLoaded", () => {
    window.__playbookMermaidTotal = document.querySelectorAll(".mermaid").length;
  }, { capture: true, once: true });
})();
"""

_MERMAID_JS = """
(errorTexts) => {
  const nodes = Array.from(document.querySelectorAll(".mermaid"));
  const hasSvg = (el) =>
    !!((el.shadowRoot && el.shadowRoot.querySelector("svg")) || el.querySelector(":scope > svg"));
  const shadowText = nodes.map((el) => (el.shadowRoot ? el.shadowRoot.textContent : ""));
  const svgText = Array.from(document.querySelectorAll("svg"), (s) => s.textContent).join("\\n");
  const text = [document.body ? document.body.innerText : "", ...shadowText, svgText].join("\\n");
  const counted = window.__playbookMermaidTotal;
  return {
    total: counted === null || counted === undefined ? nodes.length : counted,
    rendered: nodes.filter(hasSvg).length,
    errors: errorTexts.filter((t) => text.includes(t)),
  };
}
"""

_LINKS_AND_IDS_JS = """
() => ({
  links: Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href")),
  ids: Array.from(document.querySelectorAll("[id]"), (e) => e.id).concat(
    Array.from(document.querySelectorAll("a[name]"), (a) => a.getAttribute("name"))),
})
"""


def serve_directory(root: Path) -> contextlib.AbstractContextManager[str]:
    """Serve ``root`` on 127.0.0.1 with an ephemeral port; yield the base URL ending in ``/``
    (the product's own server, the one ``playbook pdf`` prints from)."""
    return serve(root)


def mkdocs_build(project: Path, out: Path, *, strict: bool = True) -> Path:
    """Build the MkDocs project in ``project`` into ``out`` with the mkdocs next to this
    interpreter (the project's venv); raise with mkdocs' output if the build fails."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not mkdocs.is_file():
        raise FileNotFoundError(f"{mkdocs} not found: run the tests with the project's venv")
    cmd = [str(mkdocs), "build", "--clean", *(["--strict"] if strict else []), "-d", str(out)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}) in {project}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return out


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's Chromium headless with the flags that keep it off the network."""
    if not Path(CHROMIUM_PATH).is_file():
        raise FileNotFoundError(f"{CHROMIUM_PATH} not found: run `make chromium`")
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )


@dataclass(frozen=True)
class MermaidStatus:
    total: int
    rendered: int
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.rendered == self.total and not self.errors


@dataclass(frozen=True)
class BrokenLink:
    page: str
    href: str
    reason: str


@dataclass
class PageReport:
    path: str
    url: str
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    mermaid: MermaidStatus = MermaidStatus(0, 0, ())
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


@dataclass
class CrawlReport:
    base_url: str
    pages: dict[str, PageReport]
    broken_links: list[BrokenLink]
    offhost_requests: list[str]
    http_errors: list[str]

    def errors_by_page(self) -> dict[str, list[str]]:
        """Console and page errors, keyed by page path; pages without errors are left out."""
        return {
            path: report.console_errors + report.page_errors
            for path, report in self.pages.items()
            if report.console_errors or report.page_errors
        }


class PageSession:
    """One browser context and page, guarded and watched. Use as a context manager."""

    def __init__(
        self,
        browser: Browser,
        viewport: tuple[int, int] = (1280, 900),
        *,
        color_scheme: Literal["light", "dark"] = "light",
        touch: bool = False,
    ) -> None:
        self.offhost_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.http_errors: list[str] = []
        self.requests: list[str] = []  # every URL asked for, in order
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            service_workers="block",
            color_scheme=color_scheme,
            has_touch=touch,
            is_mobile=touch,
        )
        self.context.add_init_script(INIT_SCRIPT)
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)

    def __enter__(self) -> PageSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.close()

    def _route(self, route: Route, request: Request) -> None:
        self.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == ALLOWED_HOST:
            route.continue_()
        else:
            self.offhost_requests.append(request.url)
            route.abort("blockedbyclient")

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.console_errors.append(f"{self.page.url}: {msg.text}")

    def _on_page_error(self, error: Exception) -> None:
        self.page_errors.append(f"{self.page.url}: {error}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def goto(self, url: str, *, wait_for_mermaid: bool = True) -> int | None:
        """Load ``url``; wait for the network to settle and, if asked, for Mermaid to finish."""
        response = self.page.goto(url, wait_until="load")
        # A page that never goes idle is judged by its errors, not failed here.
        with contextlib.suppress(PlaywrightTimeoutError):
            self.page.wait_for_load_state("networkidle", timeout=10_000)
        if wait_for_mermaid:
            wait_for_mermaid_done(self.page, lambda: len(self.page_errors))
        return response.status if response is not None else None

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path


def mermaid_status(page: Page) -> MermaidStatus:
    """For a loaded page: diagrams in the markup, diagrams rendered to an SVG, error texts."""
    raw = page.evaluate(_MERMAID_JS, list(MERMAID_ERROR_TEXTS))
    return MermaidStatus(int(raw["total"]), int(raw["rendered"]), tuple(raw["errors"]))


def wait_for_mermaid_done(
    page: Page,
    error_count: Callable[[], int] | None = None,
    timeout: float = 30.0,
    settle: float = 1.0,
) -> MermaidStatus:
    """Poll until every diagram is rendered, or errors appeared and nothing changed for
    ``settle`` seconds, or ``timeout`` passed. Returns the last status."""
    deadline = time.monotonic() + timeout
    last: tuple[object, ...] | None = None
    stable_since = time.monotonic()
    while True:
        status = mermaid_status(page)
        if status.rendered >= status.total and not status.errors:
            return status
        errors = error_count() if error_count is not None else 0
        state = (status, errors)
        now = time.monotonic()
        if state != last:
            last, stable_since = state, now
        elif (status.errors or errors) and now - stable_since >= settle:
            return status
        if now >= deadline:
            return status
        page.wait_for_timeout(100)


def _site_path(root: Path, base_url: str, url: str) -> str | None:
    """Map an internal URL to the file it serves, relative to ``root``; None if missing."""
    path = unquote(urlsplit(url).path)
    base_path = urlsplit(base_url).path
    if not path.startswith(base_path):
        return None
    rel = posixpath.normpath(path[len(base_path) :] or ".")
    if rel.startswith(".."):
        return None
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        return None
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return None
    return target.relative_to(root.resolve()).as_posix()


def _is_html(rel: str) -> bool:
    return rel.endswith((".html", ".htm"))


def crawl(
    session: PageSession,
    root: Path,
    base_url: str,
    start: str = "index.html",
    max_pages: int = 10_000,
) -> CrawlReport:
    """Visit every internal HTML page reachable by links from ``start``; check every internal
    link and anchor (the target file exists; the anchor is an id on the target page)."""
    base_host = urlsplit(base_url).netloc
    pages: dict[str, PageReport] = {}
    queue: deque[tuple[str, str]] = deque([(start, urljoin(base_url, start))])
    seen = {start}
    # (source page, raw href, target file, fragment)
    pending: list[tuple[str, str, str | None, str]] = []

    while queue:
        rel, url = queue.popleft()
        if len(pages) >= max_pages:
            raise RuntimeError(f"crawl stopped after {max_pages} pages")
        n_console, n_page = len(session.console_errors), len(session.page_errors)
        status = session.goto(url)
        found = session.page.evaluate(_LINKS_AND_IDS_JS)
        report = PageReport(
            path=rel,
            url=url,
            status=status,
            console_errors=session.console_errors[n_console:],
            page_errors=session.page_errors[n_page:],
            mermaid=mermaid_status(session.page),
            links=[str(h) for h in found["links"]],
            ids={str(i) for i in found["ids"]},
        )
        pages[rel] = report
        page_url = session.page.url
        for href in report.links:
            absolute = urljoin(page_url, href)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or parts.netloc != base_host:
                continue  # mailto:, javascript:, external sites: not ours to check
            target_url, fragment = urldefrag(absolute)
            target = _site_path(root, base_url, target_url)
            pending.append((rel, href, target, unquote(fragment)))
            if target is not None and _is_html(target) and target not in seen:
                seen.add(target)
                queue.append((target, target_url))

    broken: list[BrokenLink] = []
    for source, href, target, fragment in pending:
        if target is None:
            broken.append(BrokenLink(source, href, "target not found"))
        elif fragment and (target not in pages or fragment not in pages[target].ids):
            broken.append(BrokenLink(source, href, f"no id {fragment!r} on {target}"))
    return CrawlReport(
        base_url=base_url,
        pages=pages,
        broken_links=sorted(set(broken), key=lambda b: (b.page, b.href)),
        offhost_requests=list(session.offhost_requests),
        http_errors=list(session.http_errors),
    )


# --- reading a page as a reader would -------------------------------------------------------

#: Every text of every rendered diagram with the size it is drawn at on screen: the computed
#: font size times the scale of the SVG (its viewBox against its size on the page).
_DIAGRAM_TEXT_JS = """
() => {
  const out = [];
  document.querySelectorAll(".mermaid").forEach((diagram, index) => {
    const root = diagram.shadowRoot || diagram;
    if (!root.querySelector("svg")) return;
    const texts = "text, tspan, foreignObject div, foreignObject span, foreignObject p";
    for (const el of root.querySelectorAll(texts)) {
      if (el.querySelector("tspan, div, span, p")) continue;  // the innermost holds the text
      const text = (el.textContent || "").trim();
      if (!text) continue;
      let host = el;
      while (host && !(host instanceof SVGGraphicsElement)) host = host.parentElement;
      const m = host && host.getScreenCTM ? host.getScreenCTM() : null;
      const scale = m ? Math.hypot(m.a, m.b) : 1;
      out.push({diagram: index, text: text.slice(0, 60),
                px: parseFloat(getComputedStyle(el).fontSize) * scale});
    }
  });
  return out;
}
"""

#: Cells of the article's tables that end beyond the right edge of the window: numbers a
#: reader would have to scroll sideways to find.
_CELLS_OFF_SCREEN_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const cell of document.querySelectorAll("article td, article th")) {
    const head = cell.closest("thead");
    if (head && head.getBoundingClientRect().width <= 1) continue;  // shown as cell labels
    const r = cell.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) {
      const text = cell.textContent.trim().slice(0, 40);
      out.push(`${cell.tagName} ${Math.round(r.right)} > ${width}: ${text}`);
    }
  }
  return out;
}
"""

_AXE_RUN_JS = """
async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}
"""


@dataclass(frozen=True)
class TextSize:
    diagram: int
    text: str
    px: float


def diagram_text_sizes(page: Page) -> list[TextSize]:
    """The text of every rendered diagram of a loaded page, with its size on screen (px)."""
    return [
        TextSize(int(t["diagram"]), str(t["text"]), float(t["px"]))
        for t in page.evaluate(_DIAGRAM_TEXT_JS)
    ]


def cells_off_screen(page: Page) -> list[str]:
    """Table cells of the article beyond the right edge of the window."""
    return [str(c) for c in page.evaluate(_CELLS_OFF_SCREEN_JS)]


def audit(
    page: Page, axe_js: Path, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """axe-core's violations of the given impacts on a loaded page (with up to five places
    each)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    return list(page.evaluate(_AXE_RUN_JS, list(impacts)))
