"""Fixtures for the browser tests: one Chromium per session, the real site built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from .harness import launch_chromium, mkdocs_build

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
MERMAID_JS = REPO / "generator" / "mission_playbook" / "assets" / "js" / "mermaid.min.js"
AXE_JS = REPO / "tests" / "browser" / "vendor" / "axe.min.js"  # make axe (never committed)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    try:
        chromium = launch_chromium(playwright_instance)
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    if not MERMAID_JS.is_file():
        pytest.fail(f"{MERMAID_JS} is missing: run `make mermaid`")
    return MERMAID_JS


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `make axe`")
    return AXE_JS


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Path:
    """The real site, built from the repository root with ``mkdocs build --strict``."""
    if not (REPO / "mkdocs.yml").is_file():
        pytest.fail(f"{REPO / 'mkdocs.yml'} not found: the real site cannot be built")
    return mkdocs_build(REPO, tmp_path_factory.mktemp("site") / "site")
