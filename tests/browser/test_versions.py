"""Published versions in headless Chromium: two planning cycles deployed with mike on a
temporary git repository, its gh-pages branch extracted and served on 127.0.0.1. Material's
version selector lists both versions and switches between them; nothing leaves 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .harness import PageSession, serve_directory, wait_for_mermaid_done

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MISSION_FILE = "plans/mission.yaml"
MISSION_TITLE = "Convert the world from 4-bit to 8-bit microcontrollers"
REVISED_TITLE = "Convert every 4-bit design in the world to 8-bit"


def _run(cmd: Sequence[str | Path], cwd: Path, env: Mapping[str, str]) -> str:
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} exited {result.returncode} in {cwd}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@pytest.fixture(scope="module")
def gh_pages(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Path:
    """The gh-pages branch after `mike deploy 2027.1`, a revised mission, `mike deploy
    --update-aliases 2027.2 latest` and `mike set-default latest`, extracted to a folder."""
    tmp = tmp_path_factory.mktemp("versions")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Playbook Tester",
        GIT_AUTHOR_EMAIL="tester@example.invalid",
        GIT_COMMITTER_NAME="Playbook Tester",
        GIT_COMMITTER_EMAIL="tester@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        NO_MKDOCS_2_WARNING="1",
        PLAYBOOK_VERSIONS="mike",  # turns Material's version selector on (mkdocs.yml)
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # mike runs mkdocs
    )
    repo = tmp / "playbook"
    repo.mkdir()
    for folder in ("plans", "templates"):
        shutil.copytree(REPO / folder, repo / folder)
    for name in ("mkdocs.yml", ".gitignore"):
        shutil.copy2(REPO / name, repo / name)
    mike = VENV_BIN / "mike"
    _run(["git", "init", "--quiet", "--initial-branch=main"], repo, env)
    _run(["git", "add", "--all"], repo, env)
    _run(["git", "commit", "--quiet", "--message", "The 2027 playbook"], repo, env)
    _run([mike, "deploy", "2027.1"], repo, env)
    mission = repo / MISSION_FILE
    mission.write_text(
        mission.read_text(encoding="utf-8").replace(MISSION_TITLE, REVISED_TITLE, 1),
        encoding="utf-8",
    )
    _run(["git", "commit", "--quiet", "--all", "--message", "Revise the mission"], repo, env)
    _run([mike, "deploy", "--update-aliases", "2027.2", "latest"], repo, env)
    _run([mike, "set-default", "latest"], repo, env)

    out = tmp / "gh-pages"
    out.mkdir()
    _run(["bash", "-o", "pipefail", "-c", f"git archive gh-pages | tar -x -C '{out}'"], repo, env)
    return out


@pytest.fixture(scope="module")
def site_url(gh_pages: Path) -> Iterator[str]:
    with serve_directory(gh_pages) as base_url:
        yield base_url


def test_gh_pages_holds_both_versions_and_mermaid(gh_pages: Path, mermaid_js: Path) -> None:
    assert (gh_pages / "latest").is_symlink()
    for version in ("2027.1", "2027.2", "latest"):
        js = gh_pages / version / "js" / "mermaid.min.js"
        assert js.read_bytes() == mermaid_js.read_bytes()


def test_root_opens_the_default_version(browser: Browser, site_url: str) -> None:
    with PageSession(browser) as session:
        session.goto(site_url, wait_for_mermaid=False)
        session.page.wait_for_url(f"{site_url}latest/", timeout=15_000)
        assert session.offhost_requests == []


def test_version_selector_lists_and_switches_versions(
    browser: Browser, site_url: str, artifacts_dir: Path
) -> None:
    with PageSession(browser) as session:
        page = session.page
        assert session.goto(f"{site_url}latest/") == 200
        assert REVISED_TITLE in page.inner_text("body")
        # Material draws the selector once it has fetched ../versions.json.
        page.wait_for_selector(".md-version__current", timeout=15_000)
        assert page.inner_text(".md-version__current").strip() == "2027.2"
        titles = [t.strip() for t in page.locator(".md-version__link").all_text_contents()]
        assert titles == ["2027.2", "2027.1"]

        page.hover(".md-version")
        session.screenshot(artifacts_dir / "versions.png")
        page.locator(".md-version__link", has_text="2027.1").click()
        page.wait_for_url(f"{site_url}2027.1/**", timeout=15_000)
        with_errors = len(session.page_errors)
        page.wait_for_load_state("load")
        status = wait_for_mermaid_done(page, lambda: len(session.page_errors))

        body = page.inner_text("body")
        assert MISSION_TITLE in body and REVISED_TITLE not in body
        page.wait_for_selector(".md-version__current", timeout=15_000)
        assert page.inner_text(".md-version__current").strip() == "2027.1"
        assert status.ok and status.total >= 1, status
        assert len(session.page_errors) == with_errors
        assert session.console_errors == []
        assert session.page_errors == []
        assert session.http_errors == []
        assert session.offhost_requests == []
