"""Proves the harness on a tiny Material site built here: it must see a rendered diagram, a broken
diagram, a diagram over Mermaid's text limit, broken links and anchors, and (on a page made to
leak) an off-host request."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .harness import CrawlReport, PageSession, crawl, mkdocs_build, serve_directory

pytestmark = pytest.mark.browser

MKDOCS_YML = """\
site_name: Harness check
theme: {name: material, font: false}
plugins: [search, {mermaid2: {javascript: js/mermaid.min.js}}]
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:mermaid2.fence_mermaid_custom
nav: [index.md, other.md, big.md]
"""

INDEX_MD = """\
# Home

Go to [section two](other.md#section-two) or to [the other page](other.md).

<a href="no-such-page/">a missing page</a> and <a href="other/#no-such-anchor">a missing anchor</a>.

```mermaid
flowchart LR
    A[Start] --> B{Ready?}
    B -->|yes| C[Go]
    B -->|no| A
```
"""

OTHER_MD = """\
# Other

Back [home](index.md#home).

## Section two

```mermaid
flowchart LR
    A[Start] --> --> {{{ this is not mermaid
```
"""


# Over Mermaid's maxTextSize (50,000): no exception, a pink box drawn inside the shadow root.
BIG_MD = (
    "# Big\n\n```mermaid\nflowchart TD\n"
    + "".join(f'    N{i}["{"long label text " * 40}"] --> N{i + 1}\n' for i in range(100))
    + "```\n"
)


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Path:
    project = tmp_path_factory.mktemp("tiny")
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    docs = project / "docs"
    (docs / "js").mkdir(parents=True)
    (docs / "index.md").write_text(INDEX_MD, encoding="utf-8")
    (docs / "other.md").write_text(OTHER_MD, encoding="utf-8")
    (docs / "big.md").write_text(BIG_MD, encoding="utf-8")
    shutil.copyfile(mermaid_js, docs / "js" / "mermaid.min.js")
    return mkdocs_build(project, project / "site")


@pytest.fixture(scope="module")
def tiny_report(browser: Browser, tiny_site: Path) -> CrawlReport:
    with serve_directory(tiny_site) as base_url, PageSession(browser) as session:
        return crawl(session, tiny_site, base_url)


def test_crawler_visits_every_page(tiny_report: CrawlReport) -> None:
    assert set(tiny_report.pages) == {"index.html", "other/index.html", "big/index.html"}
    assert all(page.status == 200 for page in tiny_report.pages.values())


def test_valid_diagram_is_seen_as_svg(tiny_report: CrawlReport) -> None:
    home = tiny_report.pages["index.html"]
    assert home.mermaid.total == 1
    assert home.mermaid.rendered == 1
    assert home.mermaid.errors == ()
    assert home.mermaid.ok
    assert home.console_errors == []
    assert home.page_errors == []


def test_broken_diagram_is_seen_as_error(tiny_report: CrawlReport) -> None:
    other = tiny_report.pages["other/index.html"]
    assert other.mermaid.total == 1
    assert other.mermaid.rendered == 0
    assert "Syntax error" in other.mermaid.errors
    assert not other.mermaid.ok
    assert other.page_errors or other.console_errors
    assert set(tiny_report.errors_by_page()) == {"other/index.html"}


def test_oversized_diagram_is_seen_inside_the_shadow_root(tiny_report: CrawlReport) -> None:
    big = tiny_report.pages["big/index.html"]
    assert len(BIG_MD) > 50_000
    assert big.mermaid.total == big.mermaid.rendered == 1  # drawn, but as an error box
    assert big.mermaid.errors == ("Maximum text size",)
    assert not big.mermaid.ok
    assert big.page_errors == [] and big.console_errors == []  # silent but for the box


def test_crawler_reports_exactly_the_broken_links(tiny_report: CrawlReport) -> None:
    broken = {(b.page, b.href): b.reason for b in tiny_report.broken_links}
    assert set(broken) == {
        ("index.html", "no-such-page/"),
        ("index.html", "other/#no-such-anchor"),
    }
    assert broken["index.html", "no-such-page/"] == "target not found"
    assert "no-such-anchor" in broken["index.html", "other/#no-such-anchor"]


def test_tiny_site_makes_no_offhost_request(tiny_report: CrawlReport) -> None:
    assert tiny_report.offhost_requests == []
    assert tiny_report.http_errors == []


def test_offhost_request_is_blocked_and_recorded(browser: Browser, tmp_path: Path) -> None:
    # localhost is not 127.0.0.1 to the guard, so this stays on the machine even if unguarded.
    leak = "http://localhost:9/leak.png"
    (tmp_path / "index.html").write_text(
        textwrap.dedent(f"""\
            <!doctype html><html><head><title>leak</title></head>
            <body><h1 id="top">leak</h1><img src="{leak}"></body></html>
        """),
        encoding="utf-8",
    )
    with serve_directory(tmp_path) as base_url, PageSession(browser) as session:
        report = crawl(session, tmp_path, base_url)
    assert report.offhost_requests == [leak]
    assert report.pages["index.html"].console_errors  # the aborted load is logged too
