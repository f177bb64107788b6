"""Live preview (``mkdocs serve --dirty``, as ``make serve`` runs it): a rebuild writes only
the pages an edit changes, and leaves the site a clean build writes, byte for byte.

The serve-like builds run in this process with the plugins kept from one build to the next,
as ``mkdocs serve`` keeps them; each state of the plans is also built clean by ``mkdocs
build`` in a subprocess (in the background, while the next edit is served), and the two
sites are compared file by file: every page, the search index, the sitemap and its ``.gz``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from tests.test_plugin import add_plans, copy_fixture, edit

from mission_playbook.cli import main as playbook
from mission_playbook.plugin import PlaybookPlugin

pytestmark = pytest.mark.slow  # every test builds a site several times (make test runs them)

URL = "http://127.0.0.1:8000/"  # the address `mkdocs serve` gives the site
ABM = Path("plans/functions/marketing/mkt-abm.yaml")
MARKETING = Path("plans/functions/marketing.yaml")
UNRELATED = Path("plans/sales-followup/index.html")  # a plan of another function


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # the sitemap's dates


@dataclass
class Preview:
    """``mkdocs serve --dirty`` in this process: one site folder, rebuilt after each edit."""

    root: Path
    site: Path
    plugin: PlaybookPlugin | None = None

    def build(self) -> PlaybookPlugin:
        config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        if self.plugin is None:
            config.plugins.on_startup(command="serve", dirty=True)
        plugin = config.plugins["playbook"]
        assert isinstance(plugin, PlaybookPlugin)
        self.plugin = plugin
        build(config, serve_url=URL, dirty=True)
        plugin.wait_for_downloads()  # serve writes them once made, after the pages
        return plugin

    def close(self) -> None:
        """The plugins are kept by MkDocs for the whole process: leave them as a build does."""
        config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        config.plugins.on_startup(command="build", dirty=False)
        config.plugins.on_shutdown()


@dataclass
class CleanBuilds:
    """Clean ``mkdocs build`` runs of copies of the project, in the background."""

    folder: Path
    running: dict[str, subprocess.Popen[str]] = field(default_factory=dict)

    def start(self, root: Path, name: str) -> None:
        copy = self.folder / name
        shutil.copytree(root, copy / "project")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(copy / "site")],
            cwd=copy / "project",
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def site(self, name: str) -> Path:
        proc = self.running.pop(name)
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, output
        return self.folder / name / "site"

    def stop(self) -> None:
        for proc in self.running.values():
            proc.kill()
            proc.communicate()


def contents(site: Path) -> dict[str, bytes | None]:
    """Every file of a site by its path and bytes, and every folder (None)."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(site.rglob("*"))
    }


def assert_same_site(served: dict[str, bytes | None], clean: Path, step: str) -> None:
    expected = contents(clean)
    assert sorted(served) == sorted(expected), step
    differ = [path for path, data in expected.items() if served[path] != data]
    assert differ == [], f"after {step!r}, the served site differs from a clean build"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, Preview, CleanBuilds]]:
    root = copy_fixture(tmp_path / "project")
    edit(root / "mkdocs.yml", "site_dir: site\n", f"site_dir: site\nsite_url: {URL}\n")
    preview = Preview(root, tmp_path / "served")
    clean = CleanBuilds(tmp_path / "clean")
    try:
        yield root, preview, clean
    finally:
        clean.stop()
        preview.close()


def stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def rename_plan(root: Path) -> None:
    assert playbook(["rename", "--plans", str(root / "plans"), "mkt-abm", "mkt-named"]) == 0
    (root / ABM).rename(root / ABM.with_name("mkt-named.yaml"))


THEME_OVERRIDE = (
    '{% extends "base.html" %}\n'
    "{% block content %}{{ super() }}<p>Preview of {{ page.title }}</p>{% endblock %}\n"
)
PLAN_OVERRIDE = (
    '{% extends "default/plan.md.j2" %}\n'
    "{% block summary %}{{ super() }}\nReviewed every week.\n{% endblock %}\n"
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


Step = tuple[str, Callable[[Path], object]]

#: Edits, in order, each followed by a rebuild compared with a clean build.
STEPS: list[Step] = [
    ("a nested node's text", lambda r: edit(r / MARKETING, "from the second", "from the third")),
    ("a plan added", lambda r: add_plans(r, 1)),
    ("a plan removed", lambda r: (r / ABM).with_name("mkt-extra-00.yaml").unlink()),
    ("a plan renamed, and its file", rename_plan),
    ("a function's name", lambda r: edit(r / MARKETING, "name: Mark", "name: Demand mark")),
    ("a page template", lambda r: write(r / "templates" / "plan.md.j2", PLAN_OVERRIDE)),
    (
        "a theme folder (mkdocs.yml)",
        lambda r: (
            write(r / "overrides" / "main.html", THEME_OVERRIDE),
            edit(
                r / "mkdocs.yml",
                "  name: material\n",
                "  name: material\n  custom_dir: overrides\n",
            ),
        ),
    ),
    ("a theme template", lambda r: edit(r / "overrides" / "main.html", "Preview", "Draft")),
]


def serve_steps(root: Path, preview: Preview, clean: CleanBuilds, steps: list[Step]) -> None:
    """Make each change, rebuild, and compare every rebuilt site with a clean build."""
    served: dict[str, dict[str, bytes | None]] = {}
    for step, change in steps:
        change(root)
        clean.start(root, step)
        preview.build()
        served[step] = contents(preview.site)
    for step, site in served.items():
        assert_same_site(site, clean.site(step), step)


def test_a_rebuild_writes_only_the_pages_an_edit_changes(
    project: tuple[Path, Preview, CleanBuilds],
) -> None:
    root, preview, clean = project
    plugin = preview.build()
    assert plugin.reads is not None and plugin.written is not None
    pages = len(plugin.reads.kept)
    assert pages > 15
    assert plugin.collector is not None and not plugin.collector.paused  # a first build
    unrelated, edited = (
        stamp(preview.site / UNRELATED),
        stamp(preview.site / "plans/mkt-abm/index.html"),
    )

    title = ("a plan's title", lambda r: edit(r / ABM, "-based programs", "-based growth programs"))
    serve_steps(root, preview, clean, [title])
    # only the pages showing the plan are rendered, read by MkDocs and written again
    assert 0 < plugin.reads.rendered < pages
    assert 0 < len(plugin.written.read) < pages
    assert 0 < plugin.written.kept_count < pages
    # the rebuild ran without the cycle collector, which collects once after it
    assert plugin.collector.paused or plugin.collector.collections == 1
    assert stamp(preview.site / UNRELATED) == unrelated
    assert stamp(preview.site / "plans/mkt-abm/index.html") != edited
    index = (preview.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Account-based growth programs" in index


def test_after_any_edit_a_rebuild_writes_what_a_clean_build_writes(
    project: tuple[Path, Preview, CleanBuilds],
) -> None:
    root, preview, clean = project
    preview.build()
    serve_steps(root, preview, clean, STEPS)


def test_a_failed_build_then_its_fix_leave_a_whole_site(
    project: tuple[Path, Preview, CleanBuilds],
) -> None:
    root, preview, clean = project
    preview.build()
    pursuits = root / "plans/functions/sales/sales-pursuits.yaml"
    edit(root / ABM, "-based programs", "-based growth programs")
    edit(pursuits, "supports: [", "supports: [est-missing, ")
    with pytest.raises(Abort):
        preview.build()
    fix = ("the fix", lambda r: edit(pursuits, "est-missing, ", ""))
    serve_steps(root, preview, clean, [fix])


def test_navigation_titles_from_pages_are_followed(
    project: tuple[Path, Preview, CleanBuilds],
) -> None:
    """A navigation that takes a page's title from the page: every page shows it."""
    root, preview, clean = project
    nav = "nav:\n  - index.md\n  - functions/marketing.md\n  - functions/sales.md\n"
    edit(root / "mkdocs.yml", "theme:\n", nav + "\ntheme:\n")
    preview.build()
    serve_steps(root, preview, clean, [STEPS[4]])


def test_a_plugin_that_handles_pages_has_every_page_written(
    project: tuple[Path, Preview, CleanBuilds],
) -> None:
    root, preview, clean = project
    (root / "stamp.py").write_text(
        "def on_post_page(output, page, config):\n"
        "    return output.replace('</body>', '<!-- stamped --></body>')\n",
        encoding="utf-8",
    )
    edit(root / "mkdocs.yml", "plugins:\n", "hooks:\n  - stamp.py\n\nplugins:\n")
    plugin = preview.build()
    title = ("a plan's title", lambda r: edit(r / ABM, "-based programs", "-based growth programs"))
    serve_steps(root, preview, clean, [title])
    assert plugin.written is not None
    assert plugin.written.kept_count == 0 and "stamp.py" in plugin.written.unsure
