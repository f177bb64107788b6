"""A playbook survives the platform's split: the small playbook built by ProperDocs with the
plugin (as MkDocs builds it), and rendered by ``playbook render --out docs --zensical`` then
built by Zensical with the ``mkdocs.yml`` the README gives; each site in Chromium: every page
loads, every link resolves, every diagram is drawn by the Mermaid library the site serves,
no request leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from mission_playbook import __version__

from .harness import CrawlReport, PageSession, crawl, serve_directory

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "small"
BIN = Path(sys.executable).parent
PLATFORMS = ("properdocs", "zensical")


def tool(name: str) -> Path:
    path = BIN / name
    if not path.is_file():
        pytest.fail(f"{path} not found: run `make venv` (it is pinned in pyproject.toml)")
    return path


def build(cmd: list[str | Path], cwd: Path) -> str:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def readme_zensical_config() -> str:
    """The ``mkdocs.yml`` for Zensical that the README gives (the test builds with it)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# mkdocs\.yml for Zensical.*?)```", readme, re.S)
    assert found, "README.md gives no mkdocs.yml for Zensical"
    return found.group(1)


def copy_fixture(dst: Path) -> Path:
    shutil.copytree(FIXTURE, dst, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return dst


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("platforms")
    out: dict[str, Path] = {}

    root = copy_fixture(base / "properdocs")
    log = build([tool("properdocs"), "build", "--strict", "-f", "mkdocs.yml", "-d", "site"], root)
    assert "WARNING" not in log, log
    out["properdocs"] = root / "site"

    root = copy_fixture(base / "zensical")
    build([tool("playbook"), "render", "--out", "docs", "--zensical"], root)
    (root / "mkdocs.yml").write_text(readme_zensical_config(), encoding="utf-8")
    build([tool("zensical"), "build"], root)
    out["zensical"] = root / "site"
    return out


@pytest.fixture(scope="module")
def reports(browser: Browser, sites: dict[str, Path]) -> Iterator[dict[str, CrawlReport]]:
    found = {}
    for name, site in sites.items():
        with serve_directory(site) as url, PageSession(browser) as session:
            found[name] = crawl(session, site, url)
    yield found


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_site_was_built_by_the_platform(sites: dict[str, Path], platform: str) -> None:
    html = (sites[platform] / "index.html").read_text(encoding="utf-8")
    generator = re.search(r'<meta name="generator" content="([^"]*)"', html)
    assert generator and platform in generator.group(1).lower(), generator


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_page_loads_and_every_link_resolves(
    sites: dict[str, Path], reports: dict[str, CrawlReport], platform: str
) -> None:
    report, site = reports[platform], sites[platform]
    built = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    assert set(report.pages) == built
    assert len(built) >= 15
    assert {p: r.status for p, r in report.pages.items() if r.status != 200} == {}
    assert report.errors_by_page() == {}
    assert report.http_errors == []
    assert report.broken_links == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_diagram_is_drawn_from_the_served_library(
    sites: dict[str, Path], reports: dict[str, CrawlReport], platform: str
) -> None:
    report = reports[platform]
    assert sum(page.mermaid.total for page in report.pages.values()) >= 10
    assert {p: r.mermaid for p, r in report.pages.items() if not r.mermaid.ok} == {}
    assert report.offhost_requests == []
    assert (sites[platform] / "js" / "mermaid.min.js").is_file()
    html = (sites[platform] / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="(\./)?js/mermaid\.min\.js"', html), platform


def test_properdocs_runs_the_plugin(sites: dict[str, Path]) -> None:
    """The plugin's own output: a page per node, its style sheet and the generator's footer."""
    site = sites["properdocs"]
    assert (site / "plans" / "mkt-abm" / "index.html").is_file()
    assert (site / "css" / "playbook.css").is_file()
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f"Made with Mission Playbook {__version__}" in html
