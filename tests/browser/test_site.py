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
