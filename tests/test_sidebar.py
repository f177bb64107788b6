"""The theme's navigation sidebar, drawn once per folder (``plugin/sidebar.py``): the site is
the same, file by file, with it and without it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.test_plugin import add_plans, copy_fixture, edit

from mission_playbook.plugin import PlaybookPlugin
from mission_playbook.plugin.sidebar import SidebarMemo

pytestmark = pytest.mark.slow  # every test builds a site twice (make test runs them)


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # the sitemap's dates


def build_site(root: Path, site: Path, memo: bool, monkeypatch: pytest.MonkeyPatch) -> int:
    """Build ``root`` into ``site``; the memo's hits (0 without it)."""
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    plugin = config.plugins["playbook"]
    assert isinstance(plugin, PlaybookPlugin)
    monkeypatch.setattr(plugin, "sidebar", SidebarMemo() if memo else None)
    build(config)
    return plugin.sidebar.hits if plugin.sidebar is not None else 0


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("directory_urls", [True, False])
def test_the_site_is_the_same_with_the_sidebar_drawn_once_per_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directory_urls: bool
) -> None:
    root = copy_fixture(tmp_path / "small")
    add_plans(root, 5)
    if not directory_urls:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text() + "use_directory_urls: false\n", encoding="utf-8")
    hits = build_site(root, tmp_path / "memo", True, monkeypatch)
    assert build_site(root, tmp_path / "plain", False, monkeypatch) == 0
    memo, plain = files_of(tmp_path / "memo"), files_of(tmp_path / "plain")
    assert memo.keys() == plain.keys()
    assert [name for name in memo if memo[name] != plain[name]] == []
    plans = [name for name in memo if name.startswith("plans/") and name.endswith(".html")]
    assert hits >= len(plans) - 1  # one plan page drew it, the others were given it


def test_a_page_the_navigation_lists_is_drawn_for_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan listed in the navigation is active on its own page: its sidebar differs."""
    root = copy_fixture(tmp_path / "small")
    nav = "nav:\n  - Home: index.md\n  - ABM: plans/mkt-abm.md\n"
    edit(root / "mkdocs.yml", "site_name:", nav + "site_name:")
    build_site(root, tmp_path / "memo", True, monkeypatch)
    build_site(root, tmp_path / "plain", False, monkeypatch)
    memo, plain = files_of(tmp_path / "memo"), files_of(tmp_path / "plain")
    assert [name for name in memo if memo[name] != plain.get(name)] == []
    assert b"md-nav__link--active" in memo["plans/mkt-abm/index.html"]


def page(url: str) -> SimpleNamespace:
    return SimpleNamespace(url=url)


def test_pages_of_one_folder_share_a_sidebar_unless_a_link_points_inside_one() -> None:
    memo = SidebarMemo()
    memo.targets = ("", "functions/sales/", "plans/b/notes/")
    assert memo.key(page("plans/a/")) == memo.key(page("plans/c/")) == "dir:plans"
    assert memo.key(page("plans/b/")) is None  # a link inside its own folder
    assert memo.key(page("plans/a.html")) == memo.key(page("plans/b.html")) == "file:plans"
    assert memo.key(page("")) is None  # the home page
    listed = page("functions/sales/")
    memo.listed = {id(listed)}
    assert memo.key(listed) is None
