"""The Markdown pages of a playbook: goldens, links, breadcrumbs, views, templates, output.

Everything here renders in-process (``mission_playbook.load`` then
``views.pages.render_pages``); the MkDocs build itself is tested in ``test_plugin.py``.
``UPDATE_GOLDENS=1`` rewrites the golden pages under ``tests/golden/pages/`` from the small
fixture.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jinja2
import pytest
from markdown.extensions.toc import slugify

from mission_playbook import cli, load
from mission_playbook.model import writing as output
from mission_playbook.model.ladder import Node
from mission_playbook.playbook import Playbook
from mission_playbook.views import pages
from mission_playbook.views.environment import PACKAGED_TEMPLATES, CompiledTemplates
from mission_playbook.views.queries import Queries
from mission_playbook.views.sitemap import page_path, relative_md, relative_url, url_of

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "small"
GOLDEN = TESTS / "golden" / "pages"
#: A plan page (depends on another plan, a metric, a diagram), a function page (analysis,
#: estimates, plans table) and the traceability matrix.
GOLDEN_PAGES = (
    "plans/sales-followup.md",
    "functions/marketing.md",
    "traceability.md",
    "waterfall.md",
)

NODE_KINDS = ("success_factor", "key_task", "function", "estimate", "plan")
LINK = re.compile(r"\]\(([^)\s]+)\)")
CLICK = re.compile(r'^\s*click n\d+ href "([^"]*)"$', re.M)
CRUMB = re.compile(
    r'^<div class="playbook-trace"><strong>Why this exists:</strong> (.*)</div>$', re.M
)
HREF = re.compile(r'href="([^"]*)"')
ABBR_TAG = re.compile(r"</?abbr[^>]*>")  # glossary terms, marked in HTML fragments
FENCE = re.compile(r"^```")
HEADING = re.compile(r"^(#{1,6}) (.*?)\s*$")


# --- helpers ---------------------------------------------------------------------------


def copy_fixture(tmp_path: Path) -> Path:
    """A fresh copy of the small playbook (mkdocs.yml and plans/) to modify."""
    root = tmp_path / "small"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def outside_fences(text: str) -> list[str]:
    """The lines of a page that are not inside a code fence (a Mermaid diagram, say)."""
    lines, inside = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            lines.append(line)
    return lines


def anchors(text: str) -> set[str]:
    """Every id a page defines: ``id="..."`` spans, ``{: #id }`` attributes, heading slugs."""
    found = set(re.findall(r'\bid="([^"]+)"', text))
    found |= set(re.findall(r"\{:\s*#([A-Za-z0-9_-]+)", text))
    for line in outside_fences(text):
        m = HEADING.match(line)
        if m:
            heading = re.sub(r"\{:.*\}\s*$", "", m.group(2))
            heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
            found.add(slugify(heading, "-"))
    return found


def md_links(text: str) -> list[str]:
    """Markdown link targets of a page that point at another page of the site."""
    return [t for t in LINK.findall(text) if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", t)]


def resolve_md(page: str, target: str) -> tuple[str, str]:
    """(docs path, anchor) of a Markdown link target written on ``page``."""
    file, _, anchor = target.partition("#")
    if not file:
        return page, anchor
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), file)), anchor


def node_pages(playbook: Playbook) -> dict[str, Node]:
    return {page_path(n): n for kind in NODE_KINDS for n in playbook.of_kind(kind)}


def resolve_href(page: str, href: str) -> tuple[str, str]:
    """(docs path, anchor) of a link in an HTML fragment of ``page`` (directory URLs)."""
    url, _, anchor = urljoin("https://site.invalid/" + url_of(page), href).partition("#")
    path = url.removeprefix("https://site.invalid/")
    if not path:
        return "index.md", anchor
    return (path.rstrip("/") + ".md" if path.endswith("/") else path), anchor


def crumb_links(text: str) -> list[str]:
    """The docs paths the breadcrumb links to, top first."""
    found = CRUMB.findall(text)
    assert len(found) == 1, f"expected one 'Why this exists' line, found {len(found)}"
    return HREF.findall(found[0])


def field_line(text: str, name: str) -> str:
    """The line of a page's HTML that starts with the field ``<strong>name:</strong>``."""
    lines = [line for line in text.splitlines() if f"<strong>{name}:</strong>" in line]
    assert len(lines) == 1, f"expected one '{name}:' line, found {lines}"
    return lines[0]


@pytest.fixture(scope="module")
def small() -> Playbook:
    playbook = load(FIXTURE / "plans")
    assert playbook.diagnostics == [], [str(d) for d in playbook.diagnostics]
    return playbook


@pytest.fixture(scope="module")
def rendered(small: Playbook) -> dict[str, str]:
    return pages.render_pages(small)


# --- 1. golden pages -------------------------------------------------------------------


@pytest.mark.parametrize("path", GOLDEN_PAGES)
def test_golden_page(rendered: dict[str, str], path: str) -> None:
    golden = GOLDEN / path
    if os.environ.get("UPDATE_GOLDENS"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered[path], encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run with UPDATE_GOLDENS=1"
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            rendered[path].splitlines(keepends=True),
            f"golden/{path}",
            f"rendered/{path}",
        )
    )
    assert rendered[path] == expected, f"rendering changed (UPDATE_GOLDENS=1 to accept):\n{diff}"


def test_render_is_deterministic(small: Playbook, rendered: dict[str, str]) -> None:
    assert pages.render_pages(small) == rendered
    assert pages.render_pages(load(FIXTURE / "plans")) == rendered


# --- 2. pages and links ----------------------------------------------------------------


def test_every_node_has_a_page(small: Playbook, rendered: dict[str, str]) -> None:
    for kind in NODE_KINDS:
        nodes = small.of_kind(kind)
        assert nodes, f"the fixture has no {kind}"
        for node in nodes:
            path = page_path(node)
            assert path in rendered, f"{node!r} has no page at {path}"
            assert f"# {node.title}\n" in rendered[path]
            assert rendered[path].startswith(f'---\ntitle: "{node.title}"\n---\n')
    for path in ("index.md", "intent.md", "traceability.md", "coverage.md", "glossary.md"):
        assert path in rendered
    assert "waterfall.md" in rendered


def test_page_paths(small: Playbook) -> None:
    nodes = small.nodes
    assert page_path(nodes["small-mission"]) == "index.md"
    assert page_path(nodes["intent"]) == "intent.md"
    assert page_path(nodes["sf-wins"]) == "factors/sf-wins.md"
    assert page_path(nodes["kt-demand"]) == "tasks/kt-demand.md"
    assert page_path(nodes["marketing"]) == "functions/marketing.md"
    assert page_path(nodes["est-mkt-demand"]) == "estimates/est-mkt-demand.md"
    assert page_path(nodes["mkt-abm"]) == "plans/mkt-abm.md"
    assert page_path(nodes["mkt-abm-revenue"]) == "plans/mkt-abm.md#mkt-abm-revenue"
    assert page_path(nodes["mql"]) == "waterfall.md#mql"
    assert page_path(nodes["small-sla"]) == "waterfall.md"


def test_every_link_resolves(rendered: dict[str, str]) -> None:
    """Markdown links (``.md`` targets) and the HTML fragments' links (site URLs)."""
    ids = {path: anchors(text) for path, text in rendered.items()}
    broken = []
    checked = {"markdown": 0, "html": 0}
    for path, text in rendered.items():
        targets = [("markdown", t, resolve_md(path, t)) for t in md_links(text)]
        targets += [("html", h, resolve_href(path, h)) for h in HREF.findall(text)]
        for kind, target, (file, anchor) in targets:
            checked[kind] += 1
            if file not in rendered:
                broken.append(f"{path}: ({target}) -> no page {file}")
            elif anchor and anchor not in ids[file]:
                broken.append(f"{path}: ({target}) -> no #{anchor} in {file}")
    assert checked["markdown"] > 10 and checked["html"] > 100, checked  # both kinds, many
    assert not broken, "\n".join(broken)


def test_every_diagram_box_links_to_a_page(rendered: dict[str, str]) -> None:
    """Diagram links are site URLs (not .md): resolve them as a browser does."""
    urls = {url_of(path): path for path in rendered}
    broken = []
    for path, text in rendered.items():
        base = "http://site.invalid/" + url_of(path)
        for href in CLICK.findall(text):
            url = urlsplit(urljoin(base, href))
            assert url.netloc == "site.invalid", f"{path}: diagram link {href} leaves the site"
            target = url.path[1:]
            if target not in urls:
                broken.append(f"{path}: {href} -> {target}")
            elif url.fragment and url.fragment not in anchors(rendered[urls[target]]):
                broken.append(f"{path}: {href} -> no #{url.fragment}")
    assert not broken, "\n".join(broken)


def test_diagram_links_without_directory_urls(small: Playbook) -> None:
    """With ``use_directory_urls: false`` a page is ``plans/p.html``, not ``plans/p/``."""
    rendered = pages.render_pages(small, pages.Options(directory_urls=False))
    urls = {url_of(path, False) for path in rendered}
    seen = 0
    for path, text in rendered.items():
        base = "http://site.invalid/" + url_of(path, False)
        for href in CLICK.findall(text):
            seen += 1
            target = urlsplit(urljoin(base, href)).path[1:]
            assert target in urls, f"{path}: {href} -> {target}"
    assert seen > 20


def test_headings_start_a_block(rendered: dict[str, str]) -> None:
    """A heading right under a table row is read as one more row of the table."""
    bad = []
    for path, text in rendered.items():
        lines = outside_fences(text.split("---\n", 2)[2])
        for before, line in itertools.pairwise(lines):
            if HEADING.match(line) and before.strip():
                bad.append(f"{path}: {before[:50]!r} then {line!r}")
    assert not bad, "headings glued to the line above:\n" + "\n".join(bad)


def test_no_empty_sections(rendered: dict[str, str]) -> None:
    """A heading followed by a heading of the same or a higher level heads nothing."""
    empty = []
    for path, text in rendered.items():
        lines = [line for line in outside_fences(text.split("---\n", 2)[2]) if line.strip()]
        for line, after in itertools.pairwise(lines):
            here, there = HEADING.match(line), HEADING.match(after)
            if here and there and len(there.group(1)) <= len(here.group(1)):
                empty.append(f"{path}: {line!r} is empty")
    assert not empty, "\n".join(empty)


def test_counts_agree_in_number(rendered: dict[str, str]) -> None:
    wrong = [
        f"{path}: {m.group(0)!r}"
        for path, text in rendered.items()
        for m in re.finditer(r"(?<![\d,.])1 (estimates|plans|key tasks|metrics|functions)\b", text)
    ]
    assert not wrong, "\n".join(wrong)


def test_trail_of_a_plan_lists_every_path_up(small: Playbook, rendered: dict[str, str]) -> None:
    """Why a plan exists: its trail names every success factor, key task and estimate above
    it, and nothing else (a plan supporting an estimate that answers two key tasks has two
    paths)."""
    by_path = node_pages(small)
    several = 0
    for plan in small.of_kind("plan"):
        path = page_path(plan)
        trail = {by_path[resolve_href(path, t)[0]] for t in crumb_links(rendered[path])}
        above = {n for n in small.ladder.ancestors(plan) if n.kind != "mission"}
        assert trail == above, path
        several += len([n for n in above if n.kind == "success_factor"]) > 1
    assert several, "no plan of the fixture serves two success factors"


def test_every_node_page_says_why_it_exists(small: Playbook, rendered: dict[str, str]) -> None:
    by_path = node_pages(small)
    by_path["index.md"] = small.nodes["small-mission"]
    for path, node in node_pages(small).items():
        linked = [by_path[resolve_href(path, t)[0]] for t in crumb_links(rendered[path])]
        if node.kind == "success_factor":
            assert [n.kind for n in linked] == ["mission"]
        elif node.kind == "function":
            kinds = {n.kind for n in linked}
            assert kinds == {"success_factor", "key_task", "estimate"}, path
            assert all(n.owner is node for n in linked if n.kind == "estimate")
        else:
            assert linked and set(linked) <= set(small.ladder.ancestors(node)), path
    for path in ("index.md", "intent.md", "traceability.md", "coverage.md", "glossary.md"):
        assert "Why this exists" not in rendered[path]


def test_plan_page_lists_dependencies_both_ways(small: Playbook, rendered: dict[str, str]) -> None:
    plans = small.of_kind("plan")
    assert any(p.data.depends_on for p in plans)
    for plan in plans:
        path = page_path(plan)
        text = rendered[path]
        deps = {resolve_href(path, t)[0] for t in HREF.findall(field_line(text, "Depends on"))}
        assert deps == {f"plans/{d}.md" for d in plan.data.depends_on}, path
        dependents = {
            resolve_href(path, t)[0]
            for t in HREF.findall(field_line(text, "Plans that depend on it"))
        }
        assert dependents == {page_path(p) for p in plans if plan.id in p.data.depends_on}, path
    campaigns = rendered["plans/mkt-campaigns.md"]
    assert "<strong>Depends on:</strong> <em>nothing</em>" in campaigns
    assert '<a href="../mkt-abm/">Account-based programs</a>' in field_line(
        campaigns, "Plans that depend on it"
    )
    assert (
        "<strong>Plans that depend on it:</strong> <em>none</em>"
        in rendered["plans/sales-followup.md"]
    )


def test_plan_page_shows_metrics_with_anchors(rendered: dict[str, str]) -> None:
    text = rendered["plans/mkt-campaigns.md"]
    assert '<span id="mkt-campaigns-wins"></span>Marketing-sourced wins' in text
    # a leading metric links to the outcome it drives, on the same page
    assert '<a href="#mkt-campaigns-wins">Marketing-sourced wins</a>' in text
    assert '<a href="../../factors/sf-wins/">Win new designs</a>' in text


def test_traceability_cells_link_to_the_key_task_section(
    small: Playbook, rendered: dict[str, str]
) -> None:
    text = rendered["traceability.md"]
    cells = {
        (kt, fn): int(n)
        for kt, fn, n in re.findall(
            r'<a href="\.\./tasks/([a-z0-9-]+)/#([a-z0-9-]+)">(\d+)</a>', text
        )
    }
    assert cells == {
        ("kt-demand", "marketing"): 1,
        ("kt-demand", "sales"): 2,
        ("kt-accounts", "marketing"): 1,
        ("kt-accounts", "sales"): 2,
    }
    for (kt, fn), count in cells.items():
        task_page = rendered[f"tasks/{kt}.md"]
        assert fn in anchors(task_page)
        section = task_page.split(f"{{: #{fn} }}", 1)[1].split("\n#", 1)[0]
        assert section.count("../plans/") == count, f"tasks/{kt}.md#{fn}"


def test_coverage_lists_an_uncovered_estimate(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    sales = root / "plans" / "functions" / "sales.yaml"
    sales.write_text(
        sales.read_text(encoding="utf-8")
        + "  - id: est-sales-partners\n    title: Partner channel\n    supports: [kt-demand]\n",
        encoding="utf-8",
    )
    playbook = load(root / "plans")
    assert [d.code for d in playbook.diagnostics] == ["PB007"]
    text = pages.render_pages(playbook)["coverage.md"]
    section = text.split("## Estimates no supporting plan carries out\n", 1)[1].split("\n## ", 1)[0]
    assert '<li><a href="../estimates/est-sales-partners/">Partner channel</a></li>' in section
    assert "*None.*" not in section
    row = (
        '<tr><td>Estimates</td><td data-label="How many" style="text-align: right;">4</td>'
        '<td data-label="Linked" style="text-align: right;">3</td>'
        '<td data-label="Coverage" style="text-align: right;">75%</td></tr>'
    )
    assert row in text
    assert "PB007" in text.split("## Findings of the check", 1)[1]
    # and nothing else is reported uncovered
    other = text.split("## Key tasks no estimate answers\n", 1)[1].split("\n## ", 1)[0]
    assert "*None.*" in other


def test_coverage_of_a_clean_playbook(rendered: dict[str, str]) -> None:
    text = rendered["coverage.md"]
    headings = [*Queries.UNCOVERED.values(), *Queries.UNLINKED.values()]
    sections = re.findall(r"^## ([^\n]*)\n\n([^\n]*)", text, re.M)
    sections = [(h, first) for h, first in sections if h in headings]
    assert len(sections) == 6
    assert all(first == "*None.*" for _, first in sections), sections
    assert "*No findings: the playbook checks clean.*" in text


# --- 3. template overrides -------------------------------------------------------------

FOOTER = "Questions about this plan? Ask in the planning channel."


def test_block_override_changes_only_that_block(
    tmp_path: Path, small: Playbook, rendered: dict[str, str]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "plan.md.j2").write_text(
        '{% extends "default/plan.md.j2" %}\n{% block footer %}\n' + FOOTER + "\n{% endblock %}\n",
        encoding="utf-8",
    )
    custom = pages.render_pages(small, pages.Options(templates=templates))
    assert custom.keys() == rendered.keys()
    plan_paths = {page_path(p) for p in small.of_kind("plan")}
    for path, text in custom.items():
        if path in plan_paths:
            assert text.count(FOOTER) == 1, path
            without = re.sub(r"\n{3,}", "\n\n", text.replace(FOOTER + "\n", "", 1))
            assert without.rstrip("\n") == rendered[path].rstrip("\n"), path
            # the footer comes after everything else the packaged template writes
            assert text.index(FOOTER) > text.index("## Where it sits on the ladder")
        else:
            assert text == rendered[path], path


def test_full_file_override_replaces_the_page(
    tmp_path: Path, small: Playbook, rendered: dict[str, str]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "glossary.md.j2").write_text(
        "# Our words\n\n"
        "{% for g in pb.of_kind('glossary') %}{% for t in g.data.terms %}"
        "- {{ t.term | inline }}\n"
        "{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    custom = pages.render_pages(small, pages.Options(templates=templates))
    glossary = custom["glossary.md"]
    assert glossary.startswith('---\ntitle: "Glossary"\n---\n\n# Our words\n\n')
    assert "- Marketing qualified lead\n- Design win\n" in glossary
    assert "A shared vocabulary" not in glossary
    assert "| Term |" not in glossary
    for path, text in custom.items():
        if path != "glossary.md":
            assert text == rendered[path], path


README = TESTS.parent / "README.md"


def readme_table(header: str) -> list[str]:
    """The first cell of each row of the README's table under ``header`` (its first row), in
    the section on templates."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Changing how pages look", 1)[1].split("\n## ", 1)[0]
    lines = section.split(header + "\n", 1)[1].splitlines()
    rows = itertools.takewhile(lambda line: line.startswith("|"), lines[1:])
    return [row.split("|")[1].strip() for row in rows]


def documented_calls(cells: list[str], prefix: str = "") -> dict[str, int | None]:
    """``{name: how many arguments it is shown with}`` (None: shown as a value, no parentheses)."""
    calls: dict[str, int | None] = {}
    for cell in cells:
        for name, call, args in re.findall(rf"`{re.escape(prefix)}(\w+)(\(([^)]*)\))?`", cell):
            calls[name] = len([a for a in args.split(",") if a.strip()]) if call else None
    return calls


def test_the_readme_documents_every_template_query_and_no_other(small: Playbook) -> None:
    """The queries a user's template relies on: the README's table and the code are the same
    names, taking the arguments shown."""
    documented = documented_calls(readme_table("| query | returns |"), "pb.")
    assert len(documented) > 20
    queries = pages.Renderer(small).queries
    public = {name for name in dir(queries) if not name.startswith("_")}
    assert set(documented) == public
    for name, args in documented.items():
        value = getattr(queries, name)
        if args is None:
            assert not callable(value), f"pb.{name} is documented as a value"
        else:
            assert callable(value), f"pb.{name} is documented as a call"
            assert len(inspect.signature(value).parameters) == args, f"pb.{name}"


def test_the_readme_documents_what_every_template_sees(small: Playbook) -> None:
    documented = documented_calls(readme_table("| name | what it is |"))
    renderer = pages.Renderer(small, pages.Options(changes=("v1", "Nothing changed.")))
    by_path = {page.path: page for page in renderer.pages()}
    for path in ("plans/mkt-abm.md", "coverage.md", "changes.md"):
        context = renderer.context(by_path[path])
        extra = {"changes", "base"} if path == "changes.md" else set()
        assert set(context) == set(documented) | extra, path
        for name, args in documented.items():
            if args is not None:
                assert len(inspect.signature(context[name]).parameters) == args, name
    for name in ("changes", "base"):  # the What changed page's own
        assert f"`{name}`" in README.read_text(encoding="utf-8")


def test_templates_are_compiled_once_per_process_and_again_when_edited(
    tmp_path: Path, small: Playbook, compiled: list[str | None]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    override = templates / "glossary.md.j2"
    override.write_text("# Words, first\n", encoding="utf-8")
    options = pages.Options(templates=templates)
    first = pages.render_pages(small, options)["glossary.md"]
    compiled.clear()
    again = pages.render_pages(small, options)  # a new Renderer, as each rebuild of serve makes
    assert again["glossary.md"] == first and "# Words, first" in first
    assert compiled == []  # nothing compiled twice
    override.write_text("# Words, secnd\n", encoding="utf-8")  # same name, same size
    edited = pages.render_pages(small, options)["glossary.md"]
    assert "# Words, secnd" in edited and "first" not in edited
    assert compiled == ["glossary.md.j2"]


def test_packaged_templates_compiled_by_one_process_are_read_by_the_next(
    tmp_path: Path,
    small: Playbook,
    rendered: dict[str, str],
    compiled: list[str | None],
) -> None:
    scratch = tmp_path / "scratch"  # the file names' first part: this installation's tag
    pages.render_pages(small, compiled=CompiledTemplates(scratch))
    installation = next(scratch.iterdir()).name.partition("-")[0]
    folder = tmp_path / "cache" / "templates"
    folder.mkdir(parents=True)
    (folder / f"{installation}-0000000000000000-0.0-old.jinja").write_bytes(b"another stamp")
    (folder / "ffffffffffff-0000000000000000-0.0-other.jinja").write_bytes(b"another install")
    templates = tmp_path / "templates"  # a playbook's own override: never written to disk
    templates.mkdir()
    (templates / "glossary.md.j2").write_text("# Our words\n", encoding="utf-8")
    options = pages.Options(templates=templates)

    compiled.clear()
    first = pages.render_pages(small, options, CompiledTemplates(folder))
    assert "plan.md.j2" in compiled and "glossary.md.j2" in compiled
    written = sorted(p.name for p in folder.iterdir() if p.name.startswith(installation))
    assert len(written) == len(set(compiled)) - 1  # every packaged one, not the override
    assert not any("-0000000000000000-" in name for name in written)  # its old stamp gone
    assert (folder / "ffffffffffff-0000000000000000-0.0-other.jinja").exists()  # not its own

    compiled.clear()
    assert pages.render_pages(small, options, CompiledTemplates(folder)) == first  # the next
    assert compiled == ["glossary.md.j2"]  # the override only
    assert {k: v for k, v in first.items() if k != "glossary.md"} == {
        k: v for k, v in rendered.items() if k != "glossary.md"
    }

    header = jinja2.bccache.bc_magic
    for i, path in enumerate(sorted(folder.glob(f"{installation}-*"))):  # damaged: no error
        path.write_bytes([b"damaged", header, header + b"x", path.read_bytes()[:-9]][i % 4])
    compiled.clear()
    assert pages.render_pages(small, options, CompiledTemplates(folder)) == first
    assert "plan.md.j2" in compiled


def test_a_store_without_a_folder_and_the_library_write_nothing(
    tmp_path: Path, small: Playbook, compiled: list[str | None]
) -> None:
    """Only a shell decides to keep compiled templates on disk; the package is never written."""
    packaged = sorted(PACKAGED_TEMPLATES.rglob("*"))
    cache = Path(os.environ["PLAYBOOK_CACHE_DIR"])
    store = CompiledTemplates()
    compiled.clear()
    first = pages.render_pages(small, compiled=store)
    assert "plan.md.j2" in compiled
    compiled.clear()
    assert pages.render_pages(small, compiled=store) == first
    assert compiled == []  # kept in memory
    pages.render_pages(small)  # the library's own store: memory too
    assert sorted(PACKAGED_TEMPLATES.rglob("*")) == packaged
    assert not cache.exists() or list(cache.iterdir()) == []


def test_cli_render_keeps_compiled_templates_in_the_cache_folder_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled: list[str | None]
) -> None:
    root = copy_fixture(tmp_path)
    monkeypatch.chdir(root)
    cache = Path(os.environ["PLAYBOOK_CACHE_DIR"])
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", "out"]) == 0
    kept = sorted((cache / "templates").glob("*.jinja"))
    assert kept and len(kept) == len(set(compiled))  # every template the pages used
    compiled.clear()
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", "out"]) == 0
    assert compiled == []  # a second run reads them

    shutil.rmtree(cache / "templates")
    edit(root / "mkdocs.yml", "plans: plans", "plans: plans\n      cache: false")
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", "out"]) == 0
    assert not (cache / "templates").exists()


def test_a_compiled_template_carries_no_glossary_into_the_next_build(tmp_path: Path) -> None:
    """Jinja applies filters to constants while compiling; ``text`` marks the glossary's terms,
    which change from one build to the next while the compiled template is kept."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "glossary.md.j2").write_text(
        '# Words\n\n{{ "Every MQL counts" | text }}\n', encoding="utf-8"
    )
    plans = tmp_path / "plans"
    shutil.copytree(FIXTURE / "plans", plans)
    options = pages.Options(templates=templates)
    first = pages.render_pages(load(plans), options)["glossary.md"]
    assert "Every <abbr title=" in first and ">MQL</abbr> counts" in first
    glossary = plans / "glossary.yaml"
    glossary.write_text(
        glossary.read_text("utf-8").replace("aliases: [MQL]", "aliases: [LEAD]"), "utf-8"
    )
    second = pages.render_pages(load(plans), options)["glossary.md"]
    assert "Every MQL counts" in second  # MQL is no longer a term


def test_missing_templates_folder_uses_the_packaged_templates(
    tmp_path: Path, small: Playbook, rendered: dict[str, str]
) -> None:
    options = pages.Options(templates=tmp_path / "no-such-folder")
    assert pages.render_pages(small, options) == rendered


# --- 5. URL helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "directory_urls", "url"),
    [
        ("index.md", True, ""),
        ("index.md", False, "index.html"),
        ("plans/p.md", True, "plans/p/"),
        ("plans/p.md", False, "plans/p.html"),
        ("glossary.md", True, "glossary/"),
        ("guide/index.md", True, "guide/"),
        ("guide/index.md", False, "guide/index.html"),
        ("waterfall.md#mql", True, "waterfall/#mql"),
        ("plans/p.md#m-1", False, "plans/p.html#m-1"),
        ("index.md#top", True, "#top"),
    ],
)
def test_url_of(path: str, directory_urls: bool, url: str) -> None:
    assert url_of(path, directory_urls) == url


@pytest.mark.parametrize(
    ("src", "dst", "directory_urls", "url"),
    [
        ("plans/p.md", "functions/f.md", True, "../../functions/f/"),
        ("plans/p.md", "index.md", True, "../../"),
        ("plans/p.md", "plans/q.md", True, "../q/"),
        ("plans/p.md", "plans/p.md", True, "./"),
        ("plans/p.md", "plans/p.md#m", True, "./#m"),
        ("plans/p.md", "waterfall.md#mql", True, "../../waterfall/#mql"),
        ("index.md", "plans/p.md", True, "plans/p/"),
        ("index.md", "index.md", True, "./"),
        ("index.md", "factors/sf.md", True, "factors/sf/"),
        ("glossary.md", "index.md", True, "../"),
        ("plans/p.md", "functions/f.md", False, "../functions/f.html"),
        ("plans/p.md", "index.md", False, "../index.html"),
        ("index.md", "plans/p.md", False, "plans/p.html"),
        ("plans/p.md", "plans/p.md", False, "p.html"),
        ("plans/p.md", "plans/q.md#m", False, "q.html#m"),
    ],
)
def test_relative_url(src: str, dst: str, directory_urls: bool, url: str) -> None:
    assert relative_url(src, dst, directory_urls) == url


@pytest.mark.parametrize("directory_urls", [True, False])
def test_relative_url_resolves_to_the_target(directory_urls: bool) -> None:
    paths = ["index.md", "intent.md", "plans/a.md", "functions/f.md", "waterfall.md#mql"]
    for src in paths[:-1]:
        for dst in paths:
            base = "http://x.invalid/" + url_of(src, directory_urls)
            got = urljoin(base, relative_url(src, dst, directory_urls))
            assert got == "http://x.invalid/" + url_of(dst, directory_urls), (src, dst)


@pytest.mark.parametrize(
    ("src", "dst", "target"),
    [
        ("plans/p.md", "functions/f.md", "../functions/f.md"),
        ("plans/p.md", "index.md", "../index.md"),
        ("plans/p.md", "plans/q.md", "q.md"),
        ("plans/p.md", "plans/q.md#m", "q.md#m"),
        ("plans/p.md", "plans/p.md#m", "#m"),
        ("index.md", "plans/p.md", "plans/p.md"),
        ("index.md", "waterfall.md#mql", "waterfall.md#mql"),
        ("index.md", "index.md#top", "#top"),
        ("traceability.md", "tasks/kt.md#sales", "tasks/kt.md#sales"),
    ],
)
def test_relative_md(src: str, dst: str, target: str) -> None:
    assert relative_md(src, dst) == target
    assert resolve_md(src, target) == tuple(dst.partition("#")[::2])


# --- 7. `playbook render` and output.write_tree ----------------------------------------


def test_cli_render_writes_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fixture(tmp_path)
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", str(out)]) == 0
    expected = pages.render_pages(load(Path("plans")), pages.Options(templates=root / "templates"))
    written = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file()
    }
    assert written == expected
    assert f"wrote {len(expected)} pages to {out}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_render_uses_template_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "plan.md.j2").write_text(
        '{% extends "default/plan.md.j2" %}{% block footer %}' + FOOTER + "{% endblock %}",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", "out"]) == 0
    assert FOOTER in (root / "out" / "plans" / "mkt-abm.md").read_text(encoding="utf-8")
    assert FOOTER not in (root / "out" / "functions" / "sales.md").read_text(encoding="utf-8")


def test_cli_render_refuses_a_playbook_with_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fixture(tmp_path)
    edit(root / "plans/functions/marketing/mkt-abm.yaml", "[est-mkt-accounts]", "[est-mkt-acounts]")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.md").write_text("previous render\n", encoding="utf-8")
    monkeypatch.chdir(root)
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "plans/functions/marketing/mkt-abm.yaml:5:12: error PB004" in err
    assert "not rendered" in err
    assert [p.name for p in out.iterdir()] == ["keep.md"]
    assert (out / "keep.md").read_text(encoding="utf-8") == "previous render\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small"]


def test_cli_render_refuses_a_playbook_with_errors_into_a_new_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture(tmp_path)
    edit(root / "plans/functions/marketing/mkt-abm.yaml", "[est-mkt-accounts]", "[est-mkt-acounts]")
    monkeypatch.chdir(root)
    assert cli.main(["render", "--config", "mkdocs.yml", "--out", "out"]) == 1
    assert not (root / "out").exists()
    assert sorted(p.name for p in root.iterdir()) == ["mkdocs.yml", "plans"]


@pytest.mark.parametrize("target", ["plans", ".", "plans/.."])
def test_cli_render_never_replaces_the_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """``--out`` replaces the folder it names: it must not be the plans or a folder above."""
    root = copy_fixture(tmp_path)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    monkeypatch.chdir(root)
    try:
        code: object = cli.main(["render", "--config", "mkdocs.yml", "--out", target])
    except Exception as exc:  # a crash fails too, after checking what was lost
        code = exc
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    assert after == before, "playbook render replaced the folder holding the plans"
    assert isinstance(code, int) and code != 0, f"expected a refusal, got {code!r}"


def test_write_tree_writes_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"index.md": "home\n", "plans/p.md": "plan ✓\n", "a/b/c.md": "deep\n"}
    assert output.write_tree(out, files) == 3
    assert (out / "plans" / "p.md").read_text(encoding="utf-8") == "plan ✓\n"
    assert (out / "a" / "b" / "c.md").read_text(encoding="utf-8") == "deep\n"
    # a second write replaces the folder: stale pages do not survive
    assert output.write_tree(out, {"index.md": "new\n"}) == 1
    assert sorted(p.name for p in out.rglob("*")) == ["index.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "bad", ["../escape.md", "plans/../../escape.md", "/tmp/absolute-escape.md", "a/../../x.md"]
)
def test_write_tree_refuses_a_path_outside_the_folder(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "site" / "out"
    out.mkdir(parents=True)
    (out / "old.md").write_text("old\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outside the output folder"):
        output.write_tree(out, {"index.md": "new\n", bad: "evil\n"})
    assert sorted(p.name for p in out.iterdir()) == ["old.md"]
    assert (out / "old.md").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"], "staging folder left behind"
    assert not (tmp_path / "escape.md").exists()
    assert not (tmp_path / "site" / "escape.md").exists()
    assert not (tmp_path / "site" / "x.md").exists()
    assert not Path("/tmp/absolute-escape.md").exists()


def test_write_tree_leaves_the_folder_intact_when_writing_fails(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.md").write_text("old\n", encoding="utf-8")
    # "index.md" as a file and as a folder: the second write fails half-way
    with pytest.raises(OSError):
        output.write_tree(out, {"index.md": "new\n", "index.md/child.md": "x\n"})
    assert sorted(p.name for p in out.iterdir()) == ["old.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_amounts_in_html_fragments_carry_no_markdown_escapes(small: Playbook) -> None:
    env = pages.Renderer(small, pages.Options(templates=None)).env
    shown = env.from_string(
        '{{ 1200 | amount_html("MQLs | [beta] {x} <b>", "month") }}/'
        '{{ "about 5k *" | amount_html }}/{{ 0.25 | amount_html }}/{{ none | amount_html }}'
    ).render()
    amount, text, fraction, empty = shown.split("/")
    assert amount.startswith("1,200 MQLs | [beta] {x} &lt;") and amount.endswith(" a month")
    assert "\\" not in shown and "<b>" not in shown
    assert (text, fraction, empty) == ("about 5k *", "0.25", "")
