"""The operation order as a PDF: a built site's print page, printed by headless Chromium.

Playwright's Python API drives an installed Chromium (Debian's ``/usr/bin/chromium``, found
on ``PATH`` or given): Playwright never downloads a browser here. The site is served on
127.0.0.1 from its folder, every request to another host is refused, and the page is printed
once every Mermaid diagram on it has drawn (an SVG in each), so diagrams are on paper as
drawings, never as their code. The PDF has the page's headings as its outline (bookmarks)
and page numbers in the footer; the print style sheet (``assets/css/print.css``) lays out the
title page and the page breaks.

Playwright is the extra ``mission-playbook[pdf]``: without it, or without a browser,
:class:`PdfUnavailable` says exactly what to install.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: The names Chromium goes by on PATH, Debian's first.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless, and off the network: no update checks, no sync, no first-run requests.
LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
HOST = "127.0.0.1"
#: What to install for the PDF, said the same way everywhere.
INSTALL_PLAYWRIGHT = (
    "the PDF needs Playwright's Python package: pip install 'mission-playbook[pdf]' "
    "(it drives an installed Chromium; Playwright's own browser download is not needed)"
)
INSTALL_BROWSER = (
    "no Chromium found on PATH ({names}): install Debian's `chromium` package "
    "(sudo apt-get install chromium), or give a Chromium or Chrome executable with --browser"
)

#: Runs before any script of the page: shadow roots open (the theme draws each diagram in a
#: closed one), and the diagrams counted as the page first has them.
_INIT = """
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
  window.__pbDiagrams = null;
  document.addEventListener("DOMContentLoaded", () => {
    window.__pbDiagrams = document.querySelectorAll(".mermaid").length;
  }, { capture: true, once: true });
})();
"""
#: Whether every diagram has drawn: {total, drawn, failed}.
_DIAGRAMS = """
() => {
  const all = Array.from(document.querySelectorAll(".mermaid"));
  const drawn = all.filter((el) =>
    (el.shadowRoot && el.shadowRoot.querySelector("svg")) || el.querySelector(":scope > svg"));
  const text = (document.body ? document.body.innerText : "") +
    all.map((el) => (el.shadowRoot ? el.shadowRoot.textContent : "")).join(" ");
  const failed = ["Syntax error", "Maximum text size", "Edge limit"].filter((t) =>
    text.includes(t));
  const total = window.__pbDiagrams === null ? all.length : window.__pbDiagrams;
  return { total: total, drawn: drawn.length, failed: failed };
}
"""
#: A diagram taller than a page would be split, or pushed to a page of its own after an empty
#: one: each SVG is drawn within the page's width and at most this tall (scaled to fit).
MAX_DIAGRAM_HEIGHT = "225mm"
_FIT = """
(height) => {
  for (const el of document.querySelectorAll(".mermaid")) {
    const svg = (el.shadowRoot && el.shadowRoot.querySelector("svg")) ||
      el.querySelector(":scope > svg");
    if (!svg) continue;
    svg.style.width = "100%";
    svg.style.maxWidth = "100%";
    svg.style.height = "auto";
    svg.style.maxHeight = height;
  }
}
"""
_FOOTER = (
    '<div style="width: 100%; font-size: 8px; color: #555; text-align: center;">'
    '<span class="title"></span> · page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


class PdfUnavailable(Exception):
    """What the PDF needs is not installed: the message says what to install."""


class PrintFailed(Exception):
    """The page could not be printed (a diagram that did not draw, a page that did not load)."""


@dataclass(frozen=True, slots=True)
class Printed:
    """What was printed: the file, its size, the diagrams drawn, requests refused."""

    path: Path
    size: int
    diagrams: int
    refused: tuple[str, ...]


def find_browser(given: str | None = None) -> Path:
    """The Chromium to print with: ``given`` (a path or a name on PATH), else the first of
    :data:`BROWSER_NAMES` on PATH."""
    if given:
        found = shutil.which(given) or (given if Path(given).is_file() else None)
        if found is None:
            raise PdfUnavailable(f"--browser {given}: no such executable")
        return Path(found)
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PdfUnavailable(INSTALL_BROWSER.format(names=", ".join(BROWSER_NAMES)))


def require_playwright() -> None:
    """Raise :class:`PdfUnavailable` when Playwright's Python package is not installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfUnavailable(INSTALL_PLAYWRIGHT) from None


def available(given: str | None = None) -> Path | None:
    """The browser to print with when everything the PDF needs is installed, else None."""
    try:
        require_playwright()
        return find_browser(given)
    except PdfUnavailable:
        return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="playbook-pdf", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def print_pdf(
    site: Path, page: str, out: Path, browser: Path, *, timeout: float = 120.0
) -> Printed:
    """Print the page at URL path ``page`` of the built site in ``site`` to ``out``.

    Waits until every diagram has drawn (at most ``timeout`` seconds); raises
    :class:`PrintFailed` if one does not, and :class:`PdfUnavailable` if Playwright is
    missing. ``out`` is replaced only once the PDF is complete.
    """
    require_playwright()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Request, Route, sync_playwright

    refused: list[str] = []

    def route(r: Route, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == HOST:
            r.continue_()
        else:
            refused.append(request.url)
            r.abort("blockedbyclient")

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with serve(site) as base, sync_playwright() as p:
            try:
                chromium = p.chromium.launch(
                    executable_path=str(browser), headless=True, args=list(LAUNCH_ARGS)
                )
            except PlaywrightError as exc:
                raise PdfUnavailable(f"cannot start {browser}: {_first_line(exc)}") from None
            try:
                context = chromium.new_context(
                    viewport={"width": 1000, "height": 1400}, service_workers="block"
                )
                context.add_init_script(_INIT)
                context.route("**/*", route)
                tab = context.new_page()
                response = tab.goto(base + page, wait_until="load", timeout=timeout * 1000)
                if response is None or response.status >= 400:
                    status = response.status if response is not None else "no response"
                    raise PrintFailed(f"the print page {page} did not load ({status})")
                diagrams = _wait_for_diagrams(tab, timeout)
                tab.evaluate(_FIT, MAX_DIAGRAM_HEIGHT)
                tab.pdf(
                    path=tmp,
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=_FOOTER,
                    margin={"top": "18mm", "bottom": "20mm", "left": "15mm", "right": "15mm"},
                    outline=True,
                    tagged=True,
                )
            except PlaywrightError as exc:
                raise PrintFailed(f"printing {page} failed: {_first_line(exc)}") from None
            finally:
                chromium.close()
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return Printed(out, out.stat().st_size, diagrams, tuple(refused))


def _wait_for_diagrams(tab: Any, timeout: float) -> int:
    """Wait until every diagram on the page has an SVG; the number of diagrams."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ready = (
        f"(() => {{ const s = ({_DIAGRAMS})(); "
        "return s.failed.length > 0 || s.drawn >= s.total; })()"
    )
    with contextlib.suppress(PlaywrightTimeout):  # judged below
        tab.wait_for_function(ready, timeout=timeout * 1000, polling=100)
    state = tab.evaluate(_DIAGRAMS)
    if state["failed"]:
        raise PrintFailed(f"a diagram did not draw: {', '.join(state['failed'])}")
    if state["drawn"] < state["total"]:
        raise PrintFailed(
            f"{state['total'] - state['drawn']} of {state['total']} diagrams had not drawn "
            f"after {timeout:g} s"
        )
    return int(state["total"])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
