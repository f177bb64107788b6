"""The operation order on paper: the print page under print styles in Chromium, and PDFs
made by ``playbook pdf`` and by the plugin's ``pdf`` option with Debian's Chromium, read
back with pypdf (text, pages, outline)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Browser

from mission_playbook import load
from mission_playbook.model.kinds import Mission
from mission_playbook.playbook import Playbook

from .harness import CHROMIUM_PATH, PageSession, serve_directory

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SMALL = REPO / "tests" / "fixtures" / "small"
PARAGRAPHS = [
    "1. Situation",
    "2. Mission",
    "3. Execution",
    "4. Sustainment",
    "5. Command and signal",
]


def playbook_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``playbook`` command, in its own process (Playwright runs one driver
    per thread: the session's browser is already running in this one)."""
    exe = Path(sys.executable).with_name("playbook")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PATH"] = f"{Path(CHROMIUM_PATH).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(REPO / "plans")


def factor_diagrams(playbook: Playbook) -> int:
    """The diagrams the whole order draws: the overview of each success factor that has key
    tasks (the synchronization matrix and the funnel are drawn in HTML)."""
    ladder = playbook.ladder
    return sum(1 for f in ladder.of_kind("success_factor") if ladder.down(f))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory, sample: Playbook) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    whole = playbook_command(
        "pdf", "--out", str(out / "order.pdf"), "--edition", "2027.1", cwd=REPO
    )
    assert whole.returncode == 0, whole.stderr
    assert f"{factor_diagrams(sample)} diagrams drawn" in whole.stdout, whole.stdout
    mkt = playbook_command(
        "pdf", "--function", "marketing", "--out", str(out / "marketing.pdf"), cwd=REPO
    )
    assert mkt.returncode == 0, mkt.stderr
    return {"whole": out / "order.pdf", "marketing": out / "marketing.pdf"}


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (depth, title), in order."""
    found: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, " ".join(str(item.title).split())))

    walk(reader.outline, 0)
    return found


def squeezed(text: str) -> str:
    """Text without white space: a PDF's text breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_has_a_title_page_page_numbers_and_the_statement(
    pdfs: dict[str, Path], sample: Playbook
) -> None:
    reader = pypdf.PdfReader(pdfs["whole"])
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 8, len(pages)  # a title page, then a page or more per paragraph
    mission = sample.mission
    assert mission is not None
    first = squeezed(pages[0])
    assert squeezed(mission.title) in first
    assert "OPERATIONORDER" in first and "Version2027.1" in first
    assert "1.Situation" not in first.split("5.Commandandsignal")[-1]  # paragraphs start after
    statement = " ".join(mission.record(Mission).statement.split())
    assert squeezed(statement) in squeezed(" ".join(pages))
    for number, text in enumerate(pages, 1):
        assert f"page {number} of {len(pages)}" in text, number


def test_the_pdf_outline_is_the_order(pdfs: dict[str, Path], sample: Playbook) -> None:
    marks = outline(pypdf.PdfReader(pdfs["whole"]))
    mission = sample.mission
    assert mission is not None
    # (Chromium drops the space where a heading wraps onto a second line)
    assert (marks[0][0], squeezed(marks[0][1])) == (0, squeezed(mission.title))
    top = [title for depth, title in marks if depth == 1]
    assert top == PARAGRAPHS
    execution = [t for d, t in marks if d == 2 and re.match(r"3\.\d+ ", t)]
    functions = [f.title for f in sample.of_kind("function")]
    assert execution == [
        "3.1 Commander's intent",
        *(f"3.{i} {name}" for i, name in enumerate(functions, 2)),
        f"3.{len(functions) + 2} Coordinating instructions",
    ]


def test_a_functions_pdf_is_its_annex(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs["marketing"])
    marks = outline(reader)
    assert [t for d, t in marks if d == 1] == PARAGRAPHS
    assert [t for d, t in marks if d == 2 and re.match(r"3\.\d+ ", t)] == [
        "3.1 Commander's intent",
        "3.2 Marketing",
        "3.3 Coordinating instructions",
    ]
    assert "ANNEX:MARKETING" in squeezed(reader.pages[0].extract_text())  # upper case on paper
    assert len(reader.pages) < len(pypdf.PdfReader(pdfs["whole"]).pages)


def test_an_unknown_function_is_a_usage_error(tmp_path: Path) -> None:
    done = playbook_command("pdf", "--function", "marketting", "--out", "x.pdf", cwd=REPO)
    assert done.returncode == 2
    assert "did you mean 'marketing'" in done.stderr


# --- the print page under print styles -------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as base_url:
        yield base_url


_PRINTED = """
() => {
  const style = (el, pseudo) => getComputedStyle(el, pseudo || null);
  const content = document.querySelector(".md-content .md-typeset");
  const width = content.getBoundingClientRect().width;
  const link = document.createElement("a");
  link.href = "https://example.org/plan";
  link.textContent = "a plan";
  content.appendChild(link);
  const diagrams = Array.from(document.querySelectorAll(".mermaid")).map((el) => {
    const svg = el.shadowRoot && el.shadowRoot.querySelector("svg");
    return { drawn: !!svg, width: svg ? svg.getBoundingClientRect().width : 0 };
  });
  return {
    width: width,
    hidden: [".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"]
      .map((s) => document.querySelector(s))
      .filter((el) => el && style(el).display !== "none").map((el) => el.className),
    paragraphs: Array.from(content.querySelectorAll("h2"), (h) => style(h).breakBefore),
    functions: Array.from(content.querySelectorAll(".pb-page-break"),
      (d) => style(d).breakBefore),
    titlePage: style(content.querySelector(".pb-title-page")).breakAfter,
    rows: Array.from(content.querySelectorAll("tr"), (r) => style(r).breakInside),
    after: style(link, "::after").content,
    diagrams: diagrams,
  };
}
"""


def test_the_print_page_on_paper(browser: Browser, site_url: str, sample: Playbook) -> None:
    with PageSession(browser, viewport=(800, 1100)) as session:
        session.goto(site_url + "print/")
        session.page.emulate_media(media="print")
        state = session.page.evaluate(_PRINTED)
    assert state["hidden"] == []  # no navigation, header or footer on paper
    assert state["paragraphs"] == ["page"] * 5
    assert state["functions"] and set(state["functions"]) == {"page"}
    assert state["titlePage"] == "page"
    assert state["rows"] and set(state["rows"]) == {"avoid"}
    assert state["after"] == '" (https://example.org/plan)"'
    assert len(state["diagrams"]) == factor_diagrams(sample)
    assert all(d["drawn"] for d in state["diagrams"])
    assert all(0 < d["width"] <= state["width"] + 1 for d in state["diagrams"]), state
    assert session.offhost_requests == []


# --- the plugin's PDF ------------------------------------------------------------------------


def test_the_plugin_prints_the_pdf_into_the_site(tmp_path: Path) -> None:
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("site"))
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      severity: {}", "      severity: {}\n      pdf: true"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PATH"] = f"{Path(CHROMIUM_PATH).parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    pdf = tmp_path / "site" / "downloads" / "playbook.pdf"
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 6
    assert [t for d, t in outline(reader) if d == 1] == PARAGRAPHS
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="downloads/playbook.pdf"' in home
