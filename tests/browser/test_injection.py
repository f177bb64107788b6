"""A site built from plans full of injection attempts, in headless Chromium: nothing runs.

Every text field of a complete playbook holds an attack (``test_fuzz_render.PAYLOADS``: script
tags, event handlers, ``javascript:``/``data:`` links in every spelling, attribute lists,
Mermaid directives and ``click`` callbacks), and so does a plan's file name. Each payload, if
it ever ran, would set ``window.__pwned`` and open an alert. The site is built with the
repository's ``mkdocs.yml`` and ``mkdocs build --strict``, then every page is loaded and
poked: every element with a tooltip hovered (Material re-inserts titles and truncated
navigation text as HTML), the search run. No dialog may open, ``window.__pwned`` must stay
undefined, no request may leave 127.0.0.1, no page may show an error. Mermaid must run with
``securityLevel`` strict, so that a ``click`` callback or an HTML label cannot run even in a
diagram written by hand.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page
from ruamel.yaml import YAML

from mission_playbook.authoring.review import review
from mission_playbook.model.config import Settings
from mission_playbook.views import textsafe
from test_fuzz_render import PAYLOADS, RUN, hostile_plans, write

from .harness import CrawlReport, PageSession, crawl, mkdocs_build, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

#: Payloads for the titles that MkDocs and Material print without escaping (page title,
#: navigation, header, ``<title>``), long enough to be truncated with a tooltip.
TITLES = {
    "mission title": f"</title><script>{RUN}</script> the mission",
    "function name": f'<img src=x onerror="{RUN}"> a function whose name is long enough to be cut',
    "plan title": f'"><img src=x onerror="{RUN}"> a plan title long enough to be cut short too',
    "estimate": f"&lt;img src=x onerror={RUN}&gt; an estimate title that is long enough",
    "key task": f"<svg onload={RUN}> a key task with a title long enough to be truncated",
    "success factor title": f"<details open ontoggle={RUN}> a success factor",
    "term": f"<b onmouseover={RUN}>Term</b>",
}
#: A plan file whose name tries to break out of the edit button's ``href``.
HOSTILE_FILE = f'functions/marketing/x" onmouseover="{RUN}" y=".yaml'
#: The commit the plans come from: git keeps no '<' or '>' in an author's name, so the name
#: carries the other attacks; the subject carries tags. Shown on every node page (provenance).
HOSTILE_AUTHOR = (
    f'Eve &lt;script&gt;{RUN}&lt;/script&gt; " onmouseover="{RUN}" [x](javascript:{RUN})'
)
HOSTILE_SUBJECT = f'<script>{RUN}</script><img src=x onerror="{RUN}"> [y](javascript:{RUN})'
#: Who reviewed plan-b, as its review stamp says (shown on its page).
HOSTILE_REVIEWER = f'<img src=x onerror="{RUN}"> &lt;b onmouseover={RUN}&gt;'

_PROBE = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\t\\n\\r]/g, "").trim().toLowerCase();
      const where = `${el.tagName} ${attr.name}`;
      if (attr.name.startsWith("on")) bad.push(where);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
          && /^(javascript|vbscript|data):/.test(value)) bad.push(`${where}=${value}`);
    }
    if (el.tagName === "SCRIPT" && el.textContent.includes("__pwned")) bad.push("SCRIPT");
    if (["IFRAME", "OBJECT", "EMBED"].includes(el.tagName)) bad.push(el.tagName);
  }
  return {pwned: typeof window.__pwned !== "undefined", bad};
}
"""

_HOVER_ALL = """
async () => {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  await wait(300);  // let Material give truncated navigation text its title
  const targets = Array.from(document.querySelectorAll("[title], abbr, .md-ellipsis, a"));
  let tooltips = 0;
  for (const el of targets.slice(0, 400)) {
    for (const type of ["mouseenter", "mouseover", "focus", "focusin"]) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: type !== "mouseenter"}));
    }
  }
  await wait(1500);  // tooltips open after 250 ms; a broken image errors a little later
  tooltips = document.querySelectorAll(".md-tooltip2, .md-tooltip").length;
  for (const el of targets.slice(0, 400)) {
    el.dispatchEvent(new MouseEvent("mouseleave", {bubbles: false}));
  }
  return {hovered: targets.length, tooltips};
}
"""

_MERMAID_CONFIG = """
async () => {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 100 && typeof window.mermaid === "undefined"; i++) await wait(100);
  const m = window.mermaid;
  const config = m.mermaidAPI && m.mermaidAPI.getConfig ? m.mermaidAPI.getConfig() : {};
  return {securityLevel: config.securityLevel, version: m.version || null};
}
"""

#: Diagrams written by hand, rendered with the Mermaid the site initialised: none may run.
_MERMAID_ATTACKS = [
    "flowchart TB\n  A-->B\n  click A call window.__pwnedCallback()\n",
    'flowchart TB\n  A-->B\n  click A href "javascript:window.__pwned=1;alert(1)"\n',
    "%%{init: {'securityLevel': 'loose'}}%%\nflowchart TB\n  A-->B\n"
    "  click A call window.__pwnedCallback()\n",
    'flowchart TB\n  A["<img src=x onerror=window.__pwned=1;alert(1)>"]-->B\n',
    "flowchart TB\n  A[\"<a href='javascript:window.__pwned=1'>x</a>\"]-->B\n",
    "%%{init: {'securityLevel': 'loose', 'flowchart': {'htmlLabels': true}}}%%\n"
    'flowchart TB\n  A["<img src=x onerror=window.__pwned=1;alert(1)>"]-->B\n',
]

_MERMAID_RUN = """
async ({sources, loose}) => {
  if (loose) window.mermaid.initialize({startOnLoad: false, securityLevel: "loose"});
  delete window.__pwned;
  window.__pwnedCallback = () => { window.__pwned = 1; };
  const results = [];
  let html = "";
  let n = 0;
  for (const source of sources) {
    const box = document.createElement("div");
    document.body.appendChild(box);
    try {
      const {svg, bindFunctions} = await window.mermaid.render(`injection${n++}`, source);
      box.innerHTML = svg;
      if (bindFunctions) bindFunctions(box);
      for (const node of box.querySelectorAll(".node, a, foreignObject, span, div")) {
        node.dispatchEvent(new MouseEvent("click", {bubbles: true}));
      }
      results.push(svg.length);
    } catch (error) {
      results.push(String(error));
    }
    html += box.innerHTML;
  }
  await new Promise((r) => setTimeout(r, 1000));
  return {results, pwned: typeof window.__pwned !== "undefined",
          img: /<img[^>]*onerror/i.test(html), js: /href="\\s*javascript:/i.test(html)};
}
"""


def relative_link(payload: str) -> bool:
    """Whether the payload, defused, is still a link, to a relative target: a link to a page
    that does not exist, which MkDocs warns about and ``--strict`` fails on. Such payloads
    are left to the Markdown-level fuzz test."""
    text = textsafe.markdown_block(payload)
    return re.search(r"\]\(\s*(?!https?:|mailto:|#)", text) is not None


def text_for(field: str, cycle: Iterator[str]) -> str:
    return TITLES.get(field) or next(cycle)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Path:
    """The repository's mkdocs.yml over plans holding an attack in every field."""
    project = tmp_path_factory.mktemp("hostile")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    payloads = itertools.cycle([p for p in PAYLOADS if not relative_link(p)])
    files = hostile_plans(lambda field: text_for(field, payloads))
    plans = write(project / "plans", files)
    original = plans / "functions" / "marketing" / "plan-a.yaml"
    original.rename(plans / HOSTILE_FILE)
    plan_b = plans / "functions" / "sales" / "plan-b.yaml"
    block = YAML(typ="safe", pure=True)  # a stamp goes into a mapping in block style
    block.default_flow_style = False
    with plan_b.open("r+", encoding="utf-8") as handle:
        data = block.load(handle)
        handle.seek(0)
        handle.truncate()
        block.dump(data, handle)
    review(plans, Settings(plans=plans, cache=False), "plan-b", by=HOSTILE_REVIEWER)
    commit_all(project, HOSTILE_AUTHOR, HOSTILE_SUBJECT)
    return mkdocs_build(project, project / "site")


def commit_all(project: Path, author: str, subject: str) -> None:
    """Make ``project`` a git repository with one commit by ``author``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{RUN}@example.invalid",
        "GIT_COMMITTER_NAME": "Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", subject]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def site_url(hostile_site: Path) -> Iterator[str]:
    with serve_directory(hostile_site) as url:
        yield url


@pytest.fixture(scope="module")
def visits(browser: Browser, hostile_site: Path, site_url: str) -> dict[str, Any]:
    """Crawl every page, then visit each again: probe it, hover everything, search."""
    dialogs: list[str] = []
    pages: dict[str, Any] = {}
    with PageSession(browser) as session:

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(f"{session.page.url}: {dialog.type} {dialog.message}")
            dialog.dismiss()

        session.page.on("dialog", on_dialog)
        report = crawl(session, hostile_site, site_url)
        for path, page_report in sorted(report.pages.items()):
            session.goto(page_report.url)
            before = session.page.evaluate(_PROBE)
            hovered = session.page.evaluate(_HOVER_ALL)
            after = session.page.evaluate(_PROBE)
            pages[path] = {"before": before, "hover": hovered, "after": after}
        search = _search(session.page, report.pages["index.html"].url)
        return {
            "report": report,
            "pages": pages,
            "dialogs": dialogs,
            "search": search,
            "offhost": list(session.offhost_requests),
        }


def _search(page: Page, url: str) -> dict[str, Any]:
    """Type attack words into Material's search and hover over the results."""
    page.goto(url)
    found = 0
    for query in ("img onerror", "script", "javascript", "pwned", "Term", "mission"):
        box = page.locator("input.md-search__input")
        box.click()
        box.fill(query)
        page.wait_for_timeout(800)
        found += page.locator(".md-search-result__item").count()
        page.evaluate(_HOVER_ALL)
        page.keyboard.press("Escape")
    return {"results": found, "probe": page.evaluate(_PROBE)}


def test_the_hostile_site_builds_strict_and_has_every_page(visits: dict[str, Any]) -> None:
    report: CrawlReport = visits["report"]
    assert {"index.html", "intent/index.html", "glossary/index.html"} <= set(report.pages)
    assert any(p.startswith("plans/") for p in report.pages)
    assert {p: r.status for p, r in report.pages.items() if r.status != 200} == {}


def test_provenance_and_review_state_are_on_the_pages(hostile_site: Path) -> None:
    """The commit's author and subject, and the reviewer, reach the pages (as text), so the
    probes below test them too."""
    page = (hostile_site / "plans" / "plan-b" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Last changed</strong>" in page
    assert "Eve &amp;\u2060lt;script&amp;\u2060gt;" in page
    assert "&lt;\u2060script&gt;" in page  # the subject
    assert "<strong>Reviewed</strong>" in page
    assert "&lt;\u2060img src=x" in page  # the reviewer


def test_no_dialog_opens(visits: dict[str, Any]) -> None:
    assert visits["dialogs"] == []


def test_no_payload_runs_on_load_or_on_hover(visits: dict[str, Any]) -> None:
    ran = {p: v for p, v in visits["pages"].items() if v["before"]["pwned"] or v["after"]["pwned"]}
    assert ran == {}


def test_no_handler_script_or_unsafe_url_reaches_the_dom(visits: dict[str, Any]) -> None:
    bad = {p: v["after"]["bad"] for p, v in visits["pages"].items() if v["after"]["bad"]}
    assert bad == {}


def test_tooltips_were_opened(visits: dict[str, Any]) -> None:
    """The hovering reached Material's tooltips (else the test above proves little)."""
    assert sum(v["hover"]["tooltips"] for v in visits["pages"].values()) > 0


def test_search_shows_payload_text_without_running_it(visits: dict[str, Any]) -> None:
    search = visits["search"]
    assert search["results"] > 0
    assert search["probe"] == {"pwned": False, "bad": []}


def test_no_request_leaves_localhost(visits: dict[str, Any]) -> None:
    assert visits["offhost"] == []
    assert visits["report"].offhost_requests == []


def test_no_page_errors(visits: dict[str, Any]) -> None:
    report: CrawlReport = visits["report"]
    assert report.errors_by_page() == {}
    assert report.http_errors == []
    failing = {p: r.mermaid for p, r in report.pages.items() if not r.mermaid.ok}
    assert failing == {}


def test_the_edit_button_stays_a_link_to_the_editor(
    browser: Browser, visits: dict[str, Any]
) -> None:
    report: CrawlReport = visits["report"]
    url = report.pages["plans/plan-a/index.html"].url
    with PageSession(browser) as session:
        session.goto(url)
        edit = session.page.locator("a[rel='edit']")
        assert edit.count() == 1
        href = edit.get_attribute("href") or ""
        names = session.page.evaluate(
            "() => Array.from(document.querySelector(\"a[rel='edit']\").attributes, a => a.name)"
        )
        assert sorted(names) == ["class", "href", "rel", "title"]
        assert href.startswith("https://github.com/")
        assert "%22" in href and '"' not in href  # the file name's quotes, encoded


def test_mermaid_runs_strict_and_hand_written_diagrams_cannot_run_code(
    browser: Browser, visits: dict[str, Any]
) -> None:
    report: CrawlReport = visits["report"]
    with PageSession(browser) as session:
        session.goto(report.pages["index.html"].url)
        config = session.page.evaluate(_MERMAID_CONFIG)
        assert config["securityLevel"] == "strict", config
        outcome = session.page.evaluate(_MERMAID_RUN, {"sources": _MERMAID_ATTACKS, "loose": False})
        assert all(isinstance(r, int) for r in outcome["results"]), outcome  # all rendered
        assert outcome["pwned"] is False, outcome
        assert not outcome["img"] and not outcome["js"], outcome
        assert session.offhost_requests == []
        # the control: the same diagrams do run code once Mermaid is loose, so the checks
        # above would have seen it
        loose = session.page.evaluate(_MERMAID_RUN, {"sources": _MERMAID_ATTACKS, "loose": True})
        assert loose["pwned"] is True, loose
