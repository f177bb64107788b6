"""Rebuilds under ``mkdocs serve``: a page's HTML is reused only while nothing it is made from
changed, and a rebuild writes the same site as a clean build.

The builds run in this process, as ``mkdocs serve`` runs them: the plugin is kept from one
build to the next because it has ``on_startup``.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.test_diff import git
from tests.test_plugin import copy_fixture, edit

from mission_playbook.compare import revisions
from mission_playbook.plugin import PlaybookPlugin
from mission_playbook.views.environment import PACKAGED_TEMPLATES

pytestmark = pytest.mark.slow  # every test builds a site two or three times

ABM = Path("plans/functions/marketing/mkt-abm.yaml")


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    yield


def build_site(root: Path, site: Path, command: str) -> PlaybookPlugin:
    """One build as ``mkdocs serve`` (``command="serve"``) or ``mkdocs build`` runs it."""
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    plugin = config.plugins["playbook"]
    assert isinstance(plugin, PlaybookPlugin)
    if command == "build":
        config.plugins.on_shutdown()  # a plugin kept from an earlier serve forgets its pages
    elif plugin.memo is None:
        config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    return plugin


def pages_of(site: Path) -> dict[str, str]:
    """Every HTML page and the search index (the sitemap carries the build's date)."""
    paths = [*site.rglob("*.html"), site / "search" / "search_index.json"]
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def test_a_rebuild_reuses_unchanged_pages_and_writes_what_a_clean_build_writes(
    tmp_path: Path,
) -> None:
    root = copy_fixture(tmp_path / "small")
    first = build_site(root, tmp_path / "site-1", "serve")
    assert first.memo is not None and first.memo.hits == 0
    generated = len(first.memo.current)
    assert generated > 10

    edit(root / ABM, "title: Account-based programs", "title: Account-based growth programs")
    second = build_site(root, tmp_path / "site-2", "serve")
    assert second is first and second.memo is not None
    assert 0 < second.memo.hits < generated  # the edited plan and the pages naming it: again

    build_site(root, tmp_path / "site-clean", "build")
    served, clean = pages_of(tmp_path / "site-2"), pages_of(tmp_path / "site-clean")
    assert served.keys() == clean.keys()
    for path, html in clean.items():
        assert served[path] == html, path
    assert "Account-based growth programs" in served["plans/mkt-abm/index.html"]


def test_an_added_file_or_changed_settings_convert_every_page_again(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "small")
    plugin = build_site(root, tmp_path / "site", "serve")
    assert plugin.memo is not None
    build_site(root, tmp_path / "site", "serve")
    assert plugin.memo.hits == len(plugin.memo.current)  # nothing changed: all reused

    extra = (root / ABM).read_text(encoding="utf-8").replace("mkt-abm", "mkt-extra")
    (root / ABM).with_name("mkt-extra.yaml").write_text(extra, encoding="utf-8")
    build_site(root, tmp_path / "site", "serve")  # a new page: every link may resolve anew
    assert plugin.memo.hits == 0

    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("permalink: true", "permalink: false"),
        encoding="utf-8",
    )
    build_site(root, tmp_path / "site", "serve")
    assert plugin.memo.hits == 0
    build_site(root, tmp_path / "site", "build")
    assert plugin.memo is None


def test_the_plugin_keeps_compiled_templates_in_the_cache_folder_or_in_memory(
    tmp_path: Path, compiled: list[str | None]
) -> None:
    """Under the user's cache folder, never in the package; memory only under ``cache: false``;
    a rebuild under ``mkdocs serve`` compiles nothing again."""

    def ours() -> set[str]:  # not the theme's (MkDocs compiles those itself)
        return {n for n in compiled if n is not None and n.endswith(".md.j2")}

    packaged = sorted(PACKAGED_TEMPLATES.rglob("*"))
    cache = Path(os.environ["PLAYBOOK_CACHE_DIR"]) / "templates"
    root = copy_fixture(tmp_path / "small")
    build_site(root, tmp_path / "site-1", "build")
    assert ours() and len(list(cache.glob("*.jinja"))) == len(ours())
    compiled.clear()
    build_site(root, tmp_path / "site-2", "build")  # as the next process would: read back
    assert ours() == set()

    shutil.rmtree(cache)
    edit(root / "mkdocs.yml", "plans: plans", "plans: plans\n      cache: false")
    build_site(root, tmp_path / "site-3", "serve")
    assert ours()
    compiled.clear()
    build_site(root, tmp_path / "site-4", "serve")
    assert ours() == set()  # kept by the plugin across the rebuild
    assert not cache.exists()
    assert sorted(PACKAGED_TEMPLATES.rglob("*")) == packaged


def test_a_page_whose_conversion_logged_is_converted_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = copy_fixture(tmp_path / "small")
    edit(
        root / "plans" / "intent.yaml",
        "    title: Win the top accounts\n",
        "    title: Win the top accounts\n    description: See [the brief](missing-brief.md).\n",
    )
    caplog.set_level(logging.INFO, logger="mkdocs")
    for _ in range(2):
        caplog.clear()
        plugin = build_site(root, tmp_path / "site", "serve")
        said = [r.getMessage() for r in caplog.records if "missing-brief.md" in r.getMessage()]
        assert len(said) == 1, said  # said again on the rebuild, not only the first time
    assert plugin.memo is not None and plugin.memo.hits > 0
    kept = [r.content for r in plugin.memo.current.values()]
    # (the print pages show the description as text, without its link, and are kept)
    assert not any('href="missing-brief.md"' in html for html in kept)
    assert any("missing-brief" in html for html in kept)


def test_a_markdown_extension_object_made_per_build_turns_reuse_off(tmp_path: Path) -> None:
    """A plugin or hook whose extension learns from every conversion must see every one."""
    root = copy_fixture(tmp_path / "small")
    (root / "learns.py").write_text(
        "from markdown.extensions import Extension\n\n\n"
        "class Learns(Extension):\n"
        "    def extendMarkdown(self, md):\n"
        "        md.registerExtension(self)\n\n\n"
        "def on_config(config):\n"
        "    config.markdown_extensions.append(Learns())\n"
        "    return config\n",
        encoding="utf-8",
    )
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - learns.py\n", "utf-8")
    plugin = build_site(root, tmp_path / "site", "serve")
    assert plugin.memo is not None and plugin.memo.current  # pages were kept...
    build_site(root, tmp_path / "site", "serve")
    assert plugin.memo.hits == 0  # ...but the settings are new on every build


def tagged_repo(tmp_path: Path) -> Path:
    """The small playbook in git: "v1" tagged, then a commit that renames a plan."""
    root = copy_fixture(tmp_path / "small")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first cycle")
    git(root, "tag", "v1")
    edit(root / ABM, "title: Account-based programs", "title: Account-based growth programs")
    git(root, "commit", "-q", "-am", "second cycle")
    return root


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The revisions ``revisions.load_revision`` loads, in order."""
    names: list[str] = []
    load_revision = revisions.load_revision

    def counting(name: str, *args: Any, **kwargs: Any) -> Any:
        names.append(name)
        return load_revision(name, *args, **kwargs)

    monkeypatch.setattr(revisions, "load_revision", counting)
    return names


CHANGES = Path("changes/index.html")


def test_a_rebuild_loads_the_what_changed_base_once_per_commit(
    tmp_path: Path, loaded: list[str]
) -> None:
    root = tagged_repo(tmp_path)
    # no cache on disk: what keeps the base here is the plugin, across serve's rebuilds
    edit(root / "mkdocs.yml", "plans: plans", "plans: plans\n      cache: false")
    v1 = git(root, "rev-parse", "v1")
    build_site(root, tmp_path / "site-1", "serve")
    assert loaded == [v1]
    assert "Account-based growth programs" in (tmp_path / "site-1" / CHANGES).read_text("utf-8")

    edit(root / ABM, "title: Account-based growth programs", "title: Named-account programs")
    build_site(root, tmp_path / "site-2", "serve")
    assert loaded == [v1]  # the base is the same commit: kept from the first build
    page = (tmp_path / "site-2" / CHANGES).read_text("utf-8")
    assert "Named-account programs" in page and "Account-based growth programs" not in page

    git(root, "commit", "-q", "-am", "third cycle")
    git(root, "tag", "v2", "HEAD^")  # the previous version is now v2: another commit
    build_site(root, tmp_path / "site-3", "serve")
    assert loaded == [v1, git(root, "rev-parse", "v2")]
    assert "Named-account programs" in (tmp_path / "site-3" / CHANGES).read_text("utf-8")


def test_the_next_build_reads_the_what_changed_base_from_the_cache(
    tmp_path: Path, loaded: list[str]
) -> None:
    root = tagged_repo(tmp_path)
    v1 = git(root, "rev-parse", "v1")
    build_site(root, tmp_path / "site-1", "build")
    first = pages_of(tmp_path / "site-1")
    assert loaded == [v1]
    build_site(root, tmp_path / "site-2", "build")  # a new process would do the same
    assert loaded == [v1]
    assert pages_of(tmp_path / "site-2") == first  # the same site from the kept base

    cached = list(Path(os.environ["PLAYBOOK_CACHE_DIR"]).glob("*.base.json"))
    assert len(cached) == 1
    cached[0].write_bytes(b"damaged")  # a damaged entry is a miss, never an error
    build_site(root, tmp_path / "site-3", "build")
    assert loaded == [v1, v1]
    assert pages_of(tmp_path / "site-3") == first

    edit(root / "mkdocs.yml", "plans: plans", "plans: plans\n      cache: false")
    build_site(root, tmp_path / "site-4", "build")
    assert loaded == [v1, v1, v1]  # without the cache, the base is loaded every build


def test_a_rebuild_compiles_no_theme_template_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MkDocs makes a new theme environment per build; the compiled code is kept."""
    root = copy_fixture(tmp_path / "small")
    compiled: list[str | None] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: Any = None, *a: Any) -> Any:
        compiled.append(name)
        return compile_(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    build_site(root, tmp_path / "served", "serve")
    assert "main.html" in compiled and "404.html" in compiled
    compiled.clear()
    edit(root / ABM, "title: Account-based programs", "title: Account-based growth programs")
    build_site(root, tmp_path / "served", "serve")
    # (Material's search plugin reads its language strings from an environment of its own)
    assert not {"main.html", "base.html", "partials/nav.html", "404.html"} & set(compiled)
    build_site(root, tmp_path / "site-clean", "build")
    assert "main.html" in compiled  # a build compiles them, as MkDocs does
    assert pages_of(tmp_path / "served") == pages_of(tmp_path / "site-clean")
