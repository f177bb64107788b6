"""End to end, as a company adopting Mission Playbook would: the wheel built from a clean copy
of this repository (``scripts/build_dist.py``: the tracked files and the verified Mermaid),
installed into a fresh virtual environment outside the repository (pip may reach the package
index for the dependencies), ``playbook init --yes`` into an empty folder, ``playbook check``,
``mkdocs build --strict``, and the site in Chromium: every page loads, every diagram is an
SVG drawn by the Mermaid library the site serves, no request leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from mission_playbook import __version__

from .harness import CrawlReport, PageSession, crawl, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "generator" / "mission_playbook" / "assets" / "mermaid.lock.json"


@dataclass(frozen=True)
class Adopted:
    """The installed package's venv, the playbook folder ``init`` wrote, and its built site."""

    venv: Path
    root: Path
    site: Path
    outputs: dict[str, str]


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, mermaid_js: Path) -> Adopted:
    base = tmp_path_factory.mktemp("adopt")
    assert not base.resolve().is_relative_to(REPO)
    # The environment of a machine without this repository: no venv, no PYTHONPATH.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("PLAYBOOK_")
    }
    env["PLAYBOOK_CACHE_DIR"] = str(base / "cache")
    env["NO_MKDOCS_2_WARNING"] = "1"
    run([sys.executable, REPO / "scripts" / "build_dist.py", "--out", base / "dist"], REPO, env)
    wheel = next((base / "dist").glob("mission_playbook-*.whl"))

    venv = base / "venv"
    run([sys.executable, "-m", "venv", venv], base, env)
    pip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "-q"]
    run([*pip, wheel], base, env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"

    root = base / "acme-playbook"
    root.mkdir()
    outputs = {
        "where": run(
            ["python", "-c", "import mission_playbook; print(mission_playbook.__file__)"], root, env
        ).stdout,
        "version": run(["playbook", "--version"], root, env).stdout,
        "second name": run(["mission-playbook", "--version"], root, env).stdout,
        "init": run(["playbook", "init", "--yes", "--company", "Acme Rockets"], root, env).stdout,
        "check": run(["playbook", "check"], root, env).stdout,
    }
    run(["mkdocs", "build", "--strict"], root, env)
    return Adopted(venv, root, root / "site", outputs)


@pytest.fixture(scope="module")
def report(browser: Browser, adopted: Adopted) -> Iterator[CrawlReport]:
    with serve_directory(adopted.site) as url, PageSession(browser) as session:
        yield crawl(session, adopted.site, url)


def test_the_installed_package_is_the_wheel(adopted: Adopted) -> None:
    where = Path(adopted.outputs["where"].strip())
    assert where.is_relative_to(adopted.venv)
    assert adopted.outputs["version"] == f"playbook {__version__}\n"
    assert adopted.outputs["second name"] == f"playbook {__version__}\n"


def test_init_and_check_pass(adopted: Adopted) -> None:
    assert "wrote mkdocs.yml" in adopted.outputs["init"]
    assert adopted.outputs["check"].startswith("ok: 0 errors, 0 warnings")


def test_the_site_serves_the_locked_mermaid(adopted: Adopted) -> None:
    served = adopted.site / "js" / "mermaid.min.js"
    locked = json.loads(LOCK.read_text(encoding="utf-8"))["sha256"]
    assert hashlib.sha256(served.read_bytes()).hexdigest() == locked


def test_every_page_loads_cleanly(adopted: Adopted, report: CrawlReport) -> None:
    built = {
        p.relative_to(adopted.site).as_posix()
        for p in adopted.site.rglob("index.html")
        if p.parent.name != "search"
    }
    assert set(report.pages) == built
    assert {p: r.status for p, r in report.pages.items() if r.status != 200} == {}
    assert report.errors_by_page() == {}
    assert report.http_errors == []
    assert report.broken_links == []


def test_every_diagram_is_an_svg(report: CrawlReport) -> None:
    assert sum(page.mermaid.total for page in report.pages.values()) >= len(report.pages) // 2
    assert {p: r.mermaid for p, r in report.pages.items() if not r.mermaid.ok} == {}


def test_no_request_leaves_the_local_host(report: CrawlReport) -> None:
    assert report.offhost_requests == []


def test_the_footer_names_the_version(adopted: Adopted) -> None:
    html = (adopted.site / "index.html").read_text(encoding="utf-8")
    assert f"Made with Mission Playbook {__version__}" in html
