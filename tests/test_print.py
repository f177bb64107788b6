"""The operation order in the site: the print pages' five paragraphs, every node on the whole
playbook's order, each function's order, and the downloads of the home page (rendered, and
in real ``mkdocs build`` runs of the small playbook)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from mission_playbook import load
from mission_playbook.cli import main
from mission_playbook.export.document import document_text
from mission_playbook.export.tables import Tables
from mission_playbook.export.workbook import workbook_bytes
from mission_playbook.playbook import Playbook
from mission_playbook.plugin import PlaybookPlugin, navigation
from mission_playbook.views import pages, sitemap

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"
SMALL = Path(__file__).resolve().parent / "fixtures" / "small"
PARAGRAPHS = [
    "## 1. Situation",
    "## 2. Mission",
    "## 3. Execution",
    "## 4. Sustainment",
    "## 5. Command and signal",
]
ANCHOR = re.compile(r'id="n-([^"]+)"')
LINK = re.compile(r'href="#n-([^"]+)"')


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(SAMPLE)


@pytest.fixture(scope="module")
def rendered(sample: Playbook) -> dict[str, str]:
    options = pages.Options(downloads=(("downloads/playbook.json", "The JSON"),))
    return pages.render_pages(sample, options)


def body(page: str) -> str:
    return page.split("---\n", 2)[2]


def test_the_print_pages_are_made_of_fragments_and_headings_only(
    rendered: dict[str, str],
) -> None:
    """So they are written without Python-Markdown (``fragments.PageHtml``): the whole order
    is the largest page of a site, 8 MB of Markdown at 5,000 nodes."""
    import markdown

    from mission_playbook.views.fragments import InlineHtml, PageHtml

    style = PageHtml(slugify=markdown.extensions.toc.slugify)
    printed = [p for p in rendered if p.startswith("print")]
    assert len(printed) > 2
    for path in printed:
        assert style.convert(body(rendered[path]), InlineHtml()) is not None, path
        assert "<p><strong>Concept of operations</strong></p>" in rendered[path], path


def test_the_print_pages_are_the_whole_order_and_one_per_function(
    rendered: dict[str, str], sample: Playbook
) -> None:
    functions = [f.id for f in sample.of_kind("function")]
    printed = sorted(p for p in rendered if p.startswith("print"))
    assert printed == sorted(["print.md", *(f"print/{f}.md" for f in functions)])


@pytest.mark.parametrize("path", ["print.md", "print/marketing.md"])
def test_the_order_has_its_five_paragraphs_in_order(rendered: dict[str, str], path: str) -> None:
    lines = body(rendered[path]).splitlines()
    found = [line for line in lines if line.startswith("## ")]
    assert found == PARAGRAPHS
    assert lines.index("## 3. Execution") < lines.index("### 3.1 Commander's intent")


def test_every_node_has_its_place_on_the_whole_order(
    rendered: dict[str, str], sample: Playbook
) -> None:
    anchors = ANCHOR.findall(rendered["print.md"])
    assert sorted(set(anchors)) == sorted(sample.nodes)
    assert len(anchors) == len(set(anchors)), "a node has two anchors"


def test_every_reference_on_a_print_page_lands_on_it(rendered: dict[str, str]) -> None:
    for path, text in rendered.items():
        if path.startswith("print"):
            missing = set(LINK.findall(text)) - set(ANCHOR.findall(text))
            assert not missing, (path, missing)


def test_a_functions_order_gives_its_own_execution(
    rendered: dict[str, str], sample: Playbook
) -> None:
    text = rendered["print/marketing.md"]
    shown = set(ANCHOR.findall(text))
    for plan in sample.of_kind("plan"):
        assert (plan.id in shown) == (plan.function == "marketing"), plan.id
    for estimate in sample.of_kind("estimate"):
        assert (estimate.id in shown) == (estimate.function == "marketing"), estimate.id
    for kind in ("success_factor", "key_task", "stage", "market", "customer"):
        assert {n.id for n in sample.of_kind(kind)} <= shown, kind
    functions = [line for line in text.splitlines() if re.match(r"### 3\.\d+ ", line)]
    assert functions == [
        "### 3.1 Commander's intent",
        "### 3.2 Marketing",
        "### 3.3 Coordinating instructions",
    ]
    # a plan of another function it depends on is named, not linked (it is not on the page)
    assert "After: Market and account priority model , Shared lead definitions" in plain(text)
    assert 'href="#n-se-l2r-definitions"' not in text
    # its lane of the synchronization matrix, and no other function's plans: an edit to one of
    # those leaves this page as it was (plugin/reads.py)
    matrix = text.split("#### Synchronization matrix", 1)[1].split("\n#### ", 1)[0]
    assert re.findall(r"^##### (.+)$", matrix, re.M) == ["Marketing"]
    assert "One record from marketing automation to CRM" not in text


def plain(page: str) -> str:
    """A page's text without tags, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_whole_order_says_what_each_paragraph_must(
    rendered: dict[str, str], sample: Playbook
) -> None:
    text = plain(rendered["print.md"])
    paragraphs = dict(
        zip(
            PARAGRAPHS,
            re.split(r"## \d\. [A-Za-z ]+\n", body(rendered["print.md"]))[1:],
            strict=True,
        )
    )
    situation = plain(paragraphs["## 1. Situation"])
    mission = sample.mission
    assert mission is not None
    env = mission.data.environment
    for item in [*env.competitors, *env.facts, *env.assumptions]:
        said = item if isinstance(item, str) else item.statement  # an assumption node
        assert " ".join(said.split())[:40] in situation
    assert all(c.name in situation for c in env.customers)
    assert " ".join(mission.data.statement.split())[:60] in plain(paragraphs["## 2. Mission"])
    execution = plain(paragraphs["## 3. Execution"])
    for plan in sample.of_kind("plan"):
        assert plan.title in execution
        assert str(plan.data.owner) in execution
        assert f"{plan.data.start} to {plan.data.end}" in execution
        assert all(m.name in execution for m in plan.data.metrics)
    for function in sample.of_kind("function"):
        assert " ".join(str(function.data.concept).split())[:50] in execution
    for estimate in sample.of_kind("estimate"):
        assert " ".join(str(estimate.data.conclusion).split())[:50] in execution
    # the synchronization matrix: every dated plan a bar linked to its place on the page
    for plan in sample.of_kind("plan"):
        if plan.data.start and plan.data.end:
            assert f'<li><a href="#n-{plan.id}">' in paragraphs["## 3. Execution"]
    assert '<figure class="playbook-funnel">' in paragraphs["## 3. Execution"]  # the funnel chart
    assert "4,445" in execution and "Commitments" in execution
    sustainment = plain(paragraphs["## 4. Sustainment"])
    for function in sample.of_kind("function"):
        plans = [p for p in sample.of_kind("plan") if p.function == function.id]
        total = sum(p.data.budget for p in plans if isinstance(p.data.budget, int | float))
        assert f"{function.title} {len(plans)} " in sustainment
        assert f"{total:,}" in sustainment
    command = plain(paragraphs["## 5. Command and signal"])
    for function in sample.of_kind("function"):
        assert str(function.data.leader) in command
    for stage in sample.of_kind("stage"):
        assert str(stage.data.system_of_record) in command
    for term in next(iter(sample.of_kind("glossary"))).data.terms:
        assert term.term in command
    assert text.count("Operation order") >= 1


def test_print_pages_stay_out_of_the_search_and_the_navigation(
    rendered: dict[str, str], sample: Playbook
) -> None:
    for path, text in rendered.items():
        front = text.split("---\n", 2)[1]
        assert ("exclude: true" in front) == path.startswith("print"), path
    listed = json.dumps(navigation(sample))
    assert "print" not in listed


def test_the_home_page_links_the_orders_and_the_downloads(
    rendered: dict[str, str], sample: Playbook
) -> None:
    home = rendered["index.md"]
    assert "[Operation order](print.md)" in home
    for function in sample.of_kind("function"):
        assert f"({sitemap.FUNCTION_PRINT_PAGE.format(id=function.id)})" in home
    assert "[The JSON](downloads/playbook.json)" in home


def test_the_title_page_names_the_edition(sample: Playbook) -> None:
    renderer = pages.Renderer(sample, pages.Options(edition="2027.1"))
    page = next(p for p in renderer.pages() if p.path == "print.md")
    assert "<tr><th>Version</th><td>2027.1</td></tr>" in renderer.render_page(page)
    plain_renderer = pages.Renderer(sample)
    assert "Version" not in plain_renderer.render_page(page)


# --- in a real build -------------------------------------------------------------------------


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)]
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    shutil.copytree(SMALL, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("site"))
    done = build(root, root / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "site"


def test_the_site_offers_the_json_and_the_workbook_as_the_export_writes_them(
    small_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_site.parent)  # where mkdocs ran: files read plans/...
    playbook = load(Path("plans"))
    json_file = small_site / "downloads" / "playbook.json"
    assert json.loads(json_file.read_text(encoding="utf-8")) == json.loads(document_text(playbook))
    mission = playbook.mission
    assert mission is not None
    book = workbook_bytes(Tables(playbook).all(), mission.title)
    assert (small_site / "downloads" / "playbook.xlsx").read_bytes() == book
    home = (small_site / "index.html").read_text(encoding="utf-8")
    assert 'href="downloads/playbook.json"' in home and 'href="downloads/playbook.xlsx"' in home
    assert 'href="print/"' in home
    assert not (small_site / "downloads" / "playbook.pdf").exists()  # `pdf` is off by default


def test_the_site_has_the_print_pages_out_of_the_search_index(small_site: Path) -> None:
    assert (small_site / "print" / "index.html").is_file()
    assert (small_site / "print" / "marketing" / "index.html").is_file()
    index = json.loads((small_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert locations and not [loc for loc in locations if loc.startswith("print/")]
    printed = (small_site / "print" / "index.html").read_text(encoding="utf-8")
    assert "css/print.css" in printed and 'class="pb-order pb-title-page"' in printed


def test_downloads_off_leaves_them_out(tmp_path: Path) -> None:
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("site"))
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      severity: {}", "      severity: {}\n      downloads: false")
    )
    done = build(tmp_path, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (tmp_path / "site" / "downloads").exists()
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "playbook.json" not in home and 'href="print/"' in home


def test_a_bad_pdf_option_fails_the_build(tmp_path: Path) -> None:
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("site"))
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      severity: {}", "      severity: {}\n      pdf: sometimes")
    )
    done = build(tmp_path, tmp_path / "site")
    assert done.returncode != 0
    assert "pdf: 'sometimes' is not one of true, false or auto" in done.stderr


# --- what the PDF needs ----------------------------------------------------------------------


def test_pdf_without_a_browser_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on it
    out = tmp_path / "order.pdf"
    assert main(["pdf", "--plans", str(SAMPLE), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "--browser" in err
    assert main(["pdf", "--browser", str(tmp_path / "chromium"), "--out", str(out)]) == 2
    assert "no such executable" in capsys.readouterr().err
    assert not out.exists()


def test_pdf_without_playwright_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as if not installed
    out = tmp_path / "order.pdf"
    assert main(["pdf", "--plans", str(SAMPLE), "--out", str(out)]) == 2
    assert "pip install 'mission-playbook[pdf]'" in capsys.readouterr().err
    assert not out.exists()
    plugin = PlaybookPlugin()
    plugin.load_config({"pdf": True})
    with pytest.raises(PluginError, match=re.escape("mission-playbook[pdf]")):
        plugin._pdf_browser()
    plugin.load_config({"pdf": "auto"})
    assert plugin._pdf_browser() is None  # auto: no PDF, and no link to one


# --- with actuals ----------------------------------------------------------------------------


def row_of(page: str, node_id: str) -> str:
    """The table row that holds a node's anchor."""
    at = page.index(f'<span id="n-{node_id}"></span>')
    return page[page.rindex("<tr>", 0, at) : page.index("</tr>", at)]


def test_with_check_ins_the_order_shows_status_where_a_reader_expects_it(
    rendered: dict[str, str], sample: Playbook
) -> None:
    text = rendered["print.md"]
    assert sample.as_of is not None
    assert f"<tr><th>As of</th><td>{sample.as_of}</td></tr>" in text  # the title page
    for node in [*sample.of_kind("plan"), *sample.of_kind("success_factor")]:
        status = sample.status(node.id)
        assert status is not None
        assert f'<span class="pb-status">{status.status}</span>' in row_of(text, node.id)
    for function in sample.of_kind("function"):
        status = sample.status(function.id)
        assert status is not None
        assert f"{status.status}; plans {status.plans}." in text
    funnel = sample.funnels[0].latest
    assert funnel is not None and funnel.lapse is not None
    assert f"The funnel in {funnel.period}, against the waterfall" in text
    assert html.escape(str(funnel.lapse), quote=False) in text


def test_without_check_ins_the_order_has_no_status(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    playbook = check(base)
    assert playbook.as_of is None
    text = pages.render_pages(playbook)["print.md"]
    assert "pb-status" not in text and "As of" not in text and "The funnel in" not in text
    assert "<th>Status</th>" not in text


def test_the_decision_support_matrix_is_in_the_order(
    rendered: dict[str, str], sample: Playbook
) -> None:
    """Every assumption node of the page's scope has its row (and anchor) with its state."""
    whole = rendered["print.md"]
    matrix = whole[whole.index("Decision support matrix") :]
    for node in sample.of_kind("assumption"):
        state = sample.assumption(node.id)
        assert state is not None
        row = plain(matrix[matrix.index(f'id="n-{node.id}"') :].split("</tr>")[0])
        assert " ".join(str(node.data.statement).split())[:30] in row
        assert str(state.state).capitalize() in row
    marketing = rendered["print/marketing.md"]
    for node in sample.of_kind("assumption"):
        assert node.owner is not None
        mine = node.owner.kind == "mission" or node.owner.id == "marketing"
        assert (f'id="n-{node.id}"' in marketing) == mine, node.id
