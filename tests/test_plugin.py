"""The MkDocs plugin, through real ``mkdocs build`` runs on copies of the small playbook.

Builds take a few seconds each, so every build this module needs starts at once (in
parallel) the first time one is asked for, and each test reads the result it needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

from mission_playbook import load
from mission_playbook.plugin import MERMAID_JS, PlaybookPlugin, navigation
from mission_playbook.views import pages, sitemap

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "small"
EDIT_URI = "https://example.invalid/small-playbook/edit/main/plans/"
NODE_KINDS = ("success_factor", "key_task", "function", "estimate", "plan")
EXTRA_PLANS = 30


# --- builds ----------------------------------------------------------------------------


@dataclass
class Build:
    """One ``mkdocs build`` of a copy of the small playbook, started in the background."""

    root: Path
    site: Path
    strict: bool
    proc: subprocess.Popen[str] | None = None
    code: int | None = None
    output: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        cmd = [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs.yml", "-d", str(self.site)]
        if self.strict:
            cmd.insert(4, "--strict")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def result(self) -> Build:
        if self.code is None:
            assert self.proc is not None
            self.output, _ = self.proc.communicate(timeout=300)
            self.code = self.proc.returncode
        return self

    def ok(self) -> Build:
        self.result()
        assert self.code == 0, f"mkdocs build failed ({self.code}):\n{self.output[-4000:]}"
        return self

    def html(self, docs_path: str) -> str:
        return (self.site / sitemap.url_of(docs_path) / "index.html").read_text(encoding="utf-8")

    def edit_links(self, docs_path: str) -> list[str]:
        """The hrefs of the page's *Edit this page* buttons."""
        buttons = re.findall(r'<a [^>]*class="md-content__button[^"]*"[^>]*>', self.html(docs_path))
        return [
            re.search(r'href="([^"]*)"', b).group(1)  # type: ignore[union-attr]
            for b in buttons
            if 'title="Edit this page"' in b
        ]


def copy_fixture(dst: Path) -> Path:
    shutil.copytree(FIXTURE, dst, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_plans(root: Path, count: int) -> None:
    folder = root / "plans" / "functions" / "marketing"
    for i in range(count):
        (folder / f"mkt-extra-{i:02d}.yaml").write_text(
            f"kind: plan\nid: mkt-extra-{i:02d}\ntitle: Extra campaign {i:02d}\n"
            "function: marketing\nsupports: [est-mkt-demand]\n"
            "start: 2027-02-01\nend: 2027-05-31\n"
            f"metrics:\n  - id: mkt-extra-{i:02d}-wins\n    name: Wins\n    type: outcome\n"
            "    drives: sf-wins\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Build]]:
    base = tmp_path_factory.mktemp("builds")
    out: dict[str, Build] = {}

    small = copy_fixture(base / "small")
    out["small"] = Build(small, base / "site-small", strict=True)

    more = copy_fixture(base / "more")
    add_plans(more, EXTRA_PLANS)
    out["more"] = Build(more, base / "site-more", strict=True)

    error = copy_fixture(base / "error")
    abm = error / "plans" / "functions" / "marketing" / "mkt-abm.yaml"
    edit(abm, "supports: [est-mkt-accounts]", "supports: [est-mkt-acounts]")
    line = next(
        n for n, text in enumerate(abm.read_text().splitlines(), 1) if "est-mkt-acounts" in text
    )
    column = abm.read_text().splitlines()[line - 1].index("est-mkt-acounts") + 1
    out["error"] = Build(error, base / "site-error", strict=False)
    out["error"].extra["location"] = f"plans/functions/marketing/mkt-abm.yaml:{line}:{column}"

    warning = copy_fixture(base / "warning")
    edit(
        warning / "plans" / "functions" / "sales" / "sales-pursuits.yaml",
        "supports: [est-sales-pursuit]",
        "supports: [est-sales-pursuit, est-mkt-accounts]",
    )
    out["warning-strict"] = Build(warning, base / "site-warning-strict", strict=True)
    out["warning"] = Build(warning, base / "site-warning", strict=False)

    for build in out.values():
        build.start()
    yield out
    for build in out.values():
        if build.proc is not None and build.proc.poll() is None:
            build.proc.kill()
            build.proc.communicate()


@pytest.fixture(scope="module")
def site(builds: dict[str, Build]) -> Build:
    return builds["small"].ok()


@pytest.fixture(scope="module")
def playbook() -> Any:
    return load(FIXTURE / "plans")


# --- the build of a clean playbook -----------------------------------------------------


def test_build_writes_a_page_per_node(site: Build, playbook: Any) -> None:
    for kind in NODE_KINDS:
        for node in playbook.of_kind(kind):
            html = site.html(sitemap.page_path(node))
            assert re.search(r"<h1\b", html), sitemap.page_path(node)
            assert node.title in html, sitemap.page_path(node)
    for path in pages.render_pages(playbook):
        assert (site.site / sitemap.url_of(path) / "index.html").is_file(), path


def test_build_logs_no_warning(site: Build) -> None:
    assert not re.search(r"^(WARNING|ERROR)\b", site.output, re.M), site.output


def test_build_does_not_list_the_pages_the_navigation_leaves_out(site: Build) -> None:
    """Plans are reached through links: MkDocs is told so, and does not list each one."""
    assert "Documentation built" in site.output
    assert "not included in the" not in site.output, site.output


def test_plan_page_edit_link_opens_its_yaml(site: Build, playbook: Any) -> None:
    docs = (FIXTURE / "plans").resolve()
    for plan in playbook.of_kind("plan"):
        yaml = Path(plan.doc.file).resolve().relative_to(docs).as_posix()
        assert yaml == f"functions/{plan.function}/{plan.id}.yaml"
        assert site.edit_links(sitemap.page_path(plan)) == [EDIT_URI + yaml]


def test_node_pages_edit_links_open_their_yaml(site: Build) -> None:
    expected = {
        "index.md": "mission.yaml",
        "intent.md": "intent.yaml",
        "factors/sf-wins.md": "mission.yaml",
        "tasks/kt-demand.md": "intent.yaml",
        "functions/sales.md": "functions/sales.yaml",
        "estimates/est-mkt-demand.md": "functions/marketing.yaml",
        "waterfall.md": "sla.yaml",
    }
    for path, yaml in expected.items():
        assert site.edit_links(path) == [EDIT_URI + yaml], path


def test_glossary_page_edit_link_opens_its_yaml(site: Build) -> None:
    """README: every page has an Edit this page button that opens the YAML it comes from."""
    assert site.edit_links("glossary.md") == [EDIT_URI + "glossary.yaml"]


def test_diagram_links_open_pages_of_the_site(site: Build) -> None:
    broken, seen = [], 0
    for page in site.site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'click n\d+ href "([^"]*)"', html):
            seen += 1
            target = (page.parent / href.partition("#")[0]).resolve() / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site.site)}: {href}")
    assert seen > 50
    assert broken == []


def test_navigation_stays_small(builds: dict[str, Build]) -> None:
    small, more = builds["small"].ok(), builds["more"].ok()
    page = "plans/sales-followup.md"
    links = re.findall(r'<a [^>]*class="md-nav__link[^"]*"', small.html(page))
    more_links = re.findall(r'<a [^>]*class="md-nav__link[^"]*"', more.html(page))
    assert links
    assert len(more_links) == len(links)
    html = small.html(page)
    nav = html.split("md-nav--primary", 1)[1].split("md-nav--secondary", 1)[0]
    for plan_id in ("mkt-abm", "mkt-campaigns", "sales-pursuits"):
        assert f"plans/{plan_id}/" not in nav
    assert "functions/marketing/" in nav
    assert (more.site / "plans" / "mkt-extra-29" / "index.html").is_file()


def test_yaml_files_are_not_copied_into_the_site(site: Build) -> None:
    copied = [p for p in site.site.rglob("*") if p.suffix in (".yaml", ".yml", ".j2")]
    assert copied == []


def test_site_makes_no_request_to_another_host(site: Build) -> None:
    external = []
    for page in site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r'\bsrc="(https?://[^"]*)"', html):
            external.append(f"{page}: src={m.group(1)}")
        for tag in re.findall(r"<link\b[^>]*>", html):
            m = re.search(r'href="(https?://[^"]*)"', tag)
            if m:
                external.append(f"{page}: link {m.group(1)}")
        for m in re.finditer(r"""import\s[^;]*?from\s*["'](https?://[^"']*)""", html):
            external.append(f"{page}: import {m.group(1)}")
        for m in re.finditer(r"""import\(\s*["'](https?://[^"']*)""", html):
            external.append(f"{page}: import() {m.group(1)}")
    for css in site.site.rglob("*.css"):
        for m in re.finditer(r"""@import\s+(?:url\()?["']?(https?://[^"')]*)""", css.read_text()):
            external.append(f"{css}: @import {m.group(1)}")
    assert external == []


def test_mermaid_is_served_from_the_site(site: Build) -> None:
    js = site.site / MERMAID_JS
    assert js.is_file()
    assert js.stat().st_size > 100_000
    html = site.html("plans/sales-followup.md")
    assert 'src="../../js/mermaid.min.js"' in html
    assert re.search(r'<pre\s+class="mermaid" data-search-exclude>', html)
    assert (site.site / "css" / "playbook.css").is_file()


def test_mermaid_is_loaded_only_where_a_diagram_is_drawn(site: Build) -> None:
    """3.5 MB of Mermaid are for the pages with a diagram; the views draw none."""
    loading, drawing = set(), set()
    for page in site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "mermaid.min.js" in html:
            loading.add(page)
        if '<pre class="mermaid"' in html:
            drawing.add(page)
    assert loading == drawing
    assert site.site / "schedule" / "index.html" not in loading
    assert site.site / "waterfall" / "index.html" not in loading
    assert len(drawing) > 10


# --- builds that fail ------------------------------------------------------------------


def test_an_error_fails_the_build_with_its_location(builds: dict[str, Build]) -> None:
    build = builds["error"].result()
    assert build.code != 0
    location = build.extra["location"]
    assert f"{location}: error PB004" in build.output, build.output
    assert "est-mkt-acounts" in build.output
    assert not (build.site / "index.html").exists()


def test_a_warning_fails_a_strict_build(builds: dict[str, Build]) -> None:
    build = builds["warning-strict"].result()
    assert build.code != 0
    assert "warning PB011" in build.output
    assert "plans/functions/sales/sales-pursuits.yaml:" in build.output


def test_a_warning_passes_a_build_that_is_not_strict(builds: dict[str, Build]) -> None:
    build = builds["warning"].ok()
    assert re.search(r"^WARNING\b.*warning PB011", build.output, re.M), build.output
    assert (build.site / "plans" / "sales-pursuits" / "index.html").is_file()


# --- the plugin's events, in-process ---------------------------------------------------


class FakeServer:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str, *args: Any, **kwargs: Any) -> None:
        self.watched.append(str(path))


def test_on_serve_watches_the_plans_and_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = copy_fixture(tmp_path / "small")
    (root / "templates").mkdir()
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["playbook"]
    assert isinstance(plugin, PlaybookPlugin)
    config = plugin.on_config(config)
    server = FakeServer()
    assert plugin.on_serve(server, config=config, builder=None) is server
    watched = {Path(p).resolve() for p in server.watched}
    assert (root / "plans").resolve() in watched
    assert (root / "templates").resolve() in watched


def test_on_config_sets_a_short_navigation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = copy_fixture(tmp_path / "small")
    config = load_config(str(root / "mkdocs.yml"))
    config = config.plugins["playbook"].on_config(config)
    assert MERMAID_JS not in [str(s) for s in config.extra_javascript]  # only where needed
    flat = repr(config.nav)
    assert "functions/marketing.md" in flat
    assert "plans/" not in flat and "estimates/" not in flat and "tasks/" not in flat


def test_navigation_never_lists_plans(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "small")
    add_plans(root, EXTRA_PLANS)
    small, more = navigation(load(FIXTURE / "plans")), navigation(load(root / "plans"))
    assert repr(small) == repr(more)
    assert "plans/" not in repr(more)


@pytest.mark.parametrize(
    ("value", "error"),
    [("0.5", ""), ("2", "at_risk must be a number above 0"), ("'high'", "configuration error")],
)
def test_the_plugin_reads_and_checks_the_status_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, error: str
) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = copy_fixture(tmp_path / "small")
    mkdocs = root / "mkdocs.yml"
    text = mkdocs.read_text().replace(
        "      severity: {}\n", f"      severity: {{}}\n      at_risk: {value}\n"
    )
    mkdocs.write_text(text)
    if not error:
        config = load_config(str(mkdocs))
        plugin = config.plugins["playbook"]
        assert isinstance(plugin, PlaybookPlugin)
        plugin.on_config(config)
        assert plugin.settings is not None and plugin.settings.at_risk == 0.5
    else:
        with pytest.raises(Exception, match=error):  # MkDocs' own check, then ours
            config = load_config(str(mkdocs))
            config.plugins["playbook"].on_config(config)
