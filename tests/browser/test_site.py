"""The real site, built from this repository, in headless Chromium: every page loads cleanly,
every internal link and anchor resolves, every diagram renders, nothing leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .harness import CrawlReport, PageSession, crawl, serve_directory

pytestmark = pytest.mark.browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def report(browser: Browser, site_dir: Path, site_url: str) -> CrawlReport:
    with PageSession(browser) as session:
        return crawl(session, site_dir, site_url)


def test_crawl_reaches_pages(report: CrawlReport) -> None:
    assert "index.html" in report.pages
    assert len(report.pages) > 1, "the home page links to no other page"
    bad = {path: page.status for path, page in report.pages.items() if page.status != 200}
    assert bad == {}


def test_every_page_loads_without_console_or_page_errors(report: CrawlReport) -> None:
    assert report.errors_by_page() == {}
    assert report.http_errors == []


def test_every_internal_link_and_anchor_resolves(report: CrawlReport) -> None:
    assert report.broken_links == []


def test_every_mermaid_diagram_renders(report: CrawlReport) -> None:
    failing = {path: page.mermaid for path, page in report.pages.items() if not page.mermaid.ok}
    assert failing == {}


def test_no_request_leaves_localhost(report: CrawlReport) -> None:
    assert report.offhost_requests == []


def test_home_page_has_a_rendered_diagram(report: CrawlReport) -> None:
    home = report.pages["index.html"].mermaid
    assert home.total >= 1
    assert home.rendered == home.total


def test_screenshots(
    browser: Browser, report: CrawlReport, site_url: str, artifacts_dir: Path
) -> None:
    plans = sorted(p for p in report.pages if p.startswith("plans/") and p != "plans/index.html")
    assert plans, "no page under plans/ was reached from the home page"
    shots = {"home.png": "index.html", "plan.png": plans[0]}
    with PageSession(browser) as session:
        for name, path in shots.items():
            session.goto(report.pages[path].url)
            shot = session.screenshot(artifacts_dir / name)
            assert shot.read_bytes()[:8] == PNG_MAGIC
            assert shot.stat().st_size > 10_000
        assert session.offhost_requests == []


def test_edit_button_of_a_plan_opens_its_yaml(
    browser: Browser, report: CrawlReport, site_url: str
) -> None:
    """The edit button of a plan page opens that plan's YAML file in the web editor."""
    path = "plans/mkt-demand-engine/index.html"
    assert path in report.pages
    with PageSession(browser) as session:
        session.goto(report.pages[path].url, wait_for_mermaid=False)
        button = session.page.locator("a.md-content__button[title='Edit this page']")
        href = button.get_attribute("href")
    assert href is not None
    assert href.endswith("/edit/main/plans/functions/marketing/mkt-demand-engine.yaml")
    repo_file = Path(__file__).parents[2] / "plans/functions/marketing/mkt-demand-engine.yaml"
    assert "id: mkt-demand-engine" in repo_file.read_text(encoding="utf-8")


def test_glossary_terms_show_their_definition_on_hover(
    browser: Browser, report: CrawlReport
) -> None:
    with PageSession(browser) as session:
        session.goto(report.pages["waterfall/index.html"].url, wait_for_mermaid=False)
        title = session.page.locator("abbr", has_text="SLA").first.get_attribute("title")
    assert title is not None and "Marketing and Sales" in title


def test_views_are_reached_and_their_charts_render(report: CrawlReport) -> None:
    for path in (
        "waterfall/index.html",
        "schedule/index.html",
        "metrics/index.html",
        "customers/index.html",
        "traceability/index.html",
        "coverage/index.html",
    ):
        assert path in report.pages, f"{path} not reached"
    for path in ("waterfall/index.html", "schedule/index.html"):
        # the funnel and the timeline are HTML, drawn without Mermaid (test_reader.py)
        assert report.pages[path].mermaid.total == 0, path
    assert "win-new-8-bit-designs" in report.pages["metrics/index.html"].ids
