"""Versioned publishing with mike, on real temporary git repositories.

mike builds the site with ``mkdocs`` (a subprocess found on ``PATH``: the venv's ``bin`` goes
first) and commits it to the ``gh-pages`` branch: a folder per version, ``versions.json``
listing the versions with their aliases, an alias as a symlink, and an ``index.html`` that
redirects to the default. These tests publish two planning cycles by hand, through
``make publish``, and through the publish steps of ``.github/workflows/playbook.yml`` run as
written, and read what lands on ``gh-pages``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
MIKE = VENV_BIN / "mike"
MAKEFILE = REPO / "Makefile"
WORKFLOW = REPO / ".github" / "workflows" / "playbook.yml"
MERMAID_JS = REPO / "generator" / "mission_playbook" / "assets" / "js" / "mermaid.min.js"

MISSION_FILE = "plans/mission.yaml"
MISSION_TITLE = "Convert the world from 4-bit to 8-bit microcontrollers"
REVISED_TITLE = "Convert every 4-bit design in the world to 8-bit"
# Material's page configuration: the version selector is on when it names the provider.
CONFIG_RE = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)

pytestmark = pytest.mark.slow  # every test builds the site at least once


def _base_env(tmp_path: Path) -> dict[str, str]:
    """The environment of every command: a git identity, no user or system git config, the
    venv's bin first on PATH, and no version selector unless a test asks for it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PLAYBOOK_"))}
    env.update(
        GIT_AUTHOR_NAME="Playbook Tester",
        GIT_AUTHOR_EMAIL="tester@example.invalid",
        GIT_COMMITTER_NAME="Playbook Tester",
        GIT_COMMITTER_EMAIL="tester@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(tmp_path),
        NO_MKDOCS_2_WARNING="1",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.pop("MAKEFLAGS", None)
    env.pop("MFLAGS", None)
    return env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment for a manual `mike deploy`, with the version selector on (as `make
    publish` and the workflow set it)."""
    return {**_base_env(tmp_path), "PLAYBOOK_VERSIONS": "mike"}


def run(
    cmd: Sequence[str | Path], cwd: Path, env: Mapping[str, str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {result.returncode} in {cwd}:\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def git(repo: Path, env: Mapping[str, str], *args: str) -> str:
    return run(["git", *args], repo, env).stdout


def make_playbook(dest: Path, env: Mapping[str, str]) -> Path:
    """A playbook repository: this repository's plans/, templates/, mkdocs.yml and .gitignore
    (which keeps the build's site/ out), committed on main."""
    dest.mkdir(parents=True)
    for folder in ("plans", "templates"):
        shutil.copytree(REPO / folder, dest / folder)
    for name in ("mkdocs.yml", ".gitignore"):
        shutil.copy2(REPO / name, dest / name)
    git(dest, env, "init", "--quiet", "--initial-branch=main")
    git(dest, env, "add", "--all")
    git(dest, env, "commit", "--quiet", "--message", "The 2027 playbook")
    return dest


def revise_mission(repo: Path, env: Mapping[str, str]) -> None:
    mission = repo / MISSION_FILE
    text = mission.read_text(encoding="utf-8")
    assert f"title: {MISSION_TITLE}\n" in text
    mission.write_text(text.replace(MISSION_TITLE, REVISED_TITLE, 1), encoding="utf-8")
    git(repo, env, "commit", "--quiet", "--all", "--message", "Revise the mission")


def show(repo: Path, env: Mapping[str, str], path: str, ref: str = "gh-pages") -> str:
    return git(repo, env, "show", f"{ref}:{path}")


def versions(repo: Path, env: Mapping[str, str], ref: str = "gh-pages") -> Any:
    return json.loads(show(repo, env, "versions.json", ref))


def page_config(html: str) -> Any:
    match = CONFIG_RE.search(html)
    assert match, "no Material __config in the page"
    return json.loads(match.group(1))


def redirect_target(repo: Path, env: Mapping[str, str], ref: str = "gh-pages") -> str:
    """Where the site's root (gh-pages:index.html, written by `mike set-default`) sends."""
    match = re.search(r'url=([^"]+)"', show(repo, env, "index.html", ref))
    assert match, "index.html on gh-pages is not mike's redirect"
    return match.group(1)


def bare_origin(tmp_path: Path, repo: Path, env: Mapping[str, str]) -> Path:
    """A bare repository as `origin` of ``repo``, holding its main branch."""
    origin = tmp_path / "origin.git"
    git(tmp_path, env, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(repo, env, "remote", "add", "origin", str(origin))
    git(repo, env, "push", "--quiet", "origin", "main")
    return origin


@pytest.fixture(scope="module", autouse=True)
def _tools() -> None:
    if not MIKE.is_file():
        pytest.fail(f"{MIKE} not found: run `make venv` (mike is pinned in pyproject.toml)")
    if not MERMAID_JS.is_file():
        pytest.fail(f"{MERMAID_JS} is missing: run `make mermaid`")


def test_two_planning_cycles_with_latest_alias_and_default(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_playbook(tmp_path / "playbook", env)
    main_head = git(repo, env, "rev-parse", "main").strip()

    run([MIKE, "deploy", "2027.1"], repo, env)
    revise_mission(repo, env)
    run([MIKE, "deploy", "--update-aliases", "2027.2", "latest"], repo, env)
    run([MIKE, "set-default", "latest"], repo, env)

    assert versions(repo, env) == [
        {"version": "2027.2", "title": "2027.2", "aliases": ["latest"]},
        {"version": "2027.1", "title": "2027.1", "aliases": []},
    ]
    assert redirect_target(repo, env) == "latest/"
    # The alias is a symlink to its version, as GitHub Pages serves it.
    mode, kind, _ = git(repo, env, "ls-tree", "gh-pages", "latest").split(maxsplit=2)
    assert (mode, kind) == ("120000", "blob")
    assert show(repo, env, "latest") == "2027.2"

    # Each version is the playbook as it was when it was published.
    old_home = show(repo, env, "2027.1/index.html")
    new_home = show(repo, env, "2027.2/index.html")
    assert MISSION_TITLE in old_home and REVISED_TITLE not in old_home
    assert REVISED_TITLE in new_home
    # Every version serves its own Mermaid and turns Material's version selector on.
    for version in ("2027.1", "2027.2"):
        js = show(repo, env, f"{version}/js/mermaid.min.js")
        assert len(js) == len(MERMAID_JS.read_text(encoding="utf-8"))
        config = page_config(show(repo, env, f"{version}/index.html"))
        assert config["version"] == {"provider": "mike", "default": "latest"}

    # mike only commits to gh-pages: main and the work tree are left as they were.
    assert git(repo, env, "rev-parse", "main^").strip() == main_head
    assert git(repo, env, "status", "--porcelain") == ""


def test_a_plain_build_has_no_version_selector(tmp_path: Path) -> None:
    """Without PLAYBOOK_VERSIONS=mike (`make site`, `mkdocs serve`) the pages do not ask for
    a versions.json that is not there."""
    env = _base_env(tmp_path)
    repo = make_playbook(tmp_path / "playbook", env)
    run([VENV_BIN / "mkdocs", "build", "--quiet", "-d", tmp_path / "site"], repo, env)
    config = page_config((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    # Material fetches ../versions.json only when the provider is mike.
    assert (config.get("version") or {}).get("provider") != "mike"


def test_make_publish_needs_a_version(tmp_path: Path, env: dict[str, str]) -> None:
    result = run(["make", "-f", MAKEFILE, "publish"], tmp_path, env, check=False)
    assert result.returncode != 0
    assert "VERSION=" in result.stderr
    assert not (tmp_path / ".git").exists()


def test_make_publish_deploys_latest_and_pushes(tmp_path: Path) -> None:
    env = _base_env(tmp_path)  # make publish turns the version selector on by itself
    repo = make_playbook(tmp_path / "playbook", env)
    origin = bare_origin(tmp_path, repo, env)
    venv = VENV_BIN.parent
    # The repository's Makefile, run in the playbook; the venv and Mermaid are this
    # repository's and already set up (-o: do not remake them).
    make: list[str | Path] = [
        "make",
        "-f",
        MAKEFILE,
        f"VENV={venv}",
        "-o",
        f"{venv}/.stamp",
        "-o",
        "mermaid",
    ]

    run([*make, "publish", "VERSION=2027.1"], repo, env)
    expected_1 = [{"version": "2027.1", "title": "2027.1", "aliases": ["latest"]}]
    assert versions(repo, env) == expected_1
    assert redirect_target(repo, env) == "latest/"
    assert page_config(show(repo, env, "2027.1/index.html"))["version"]["provider"] == "mike"
    # make publish prints the operation order (PLAYBOOK_PDF=true) and the home page offers it
    downloads = git(repo, env, "ls-tree", "--name-only", "gh-pages", "2027.1/downloads/")
    assert downloads.split() == [
        f"2027.1/downloads/playbook.{ext}" for ext in ("json", "pdf", "xlsx")
    ]
    assert 'href="downloads/playbook.pdf"' in show(repo, env, "2027.1/index.html")
    pdf_size = git(repo, env, "cat-file", "-s", "gh-pages:2027.1/downloads/playbook.pdf")
    assert int(pdf_size) > 10_000
    # Without PUSH=1 nothing leaves the machine.
    assert git(origin, env, "branch", "--list", "gh-pages") == ""

    revise_mission(repo, env)
    run([*make, "publish", "VERSION=2027.2", "PUSH=1"], repo, env)
    expected_2 = [
        {"version": "2027.2", "title": "2027.2", "aliases": ["latest"]},
        {"version": "2027.1", "title": "2027.1", "aliases": []},
    ]
    assert versions(origin, env) == expected_2
    assert redirect_target(origin, env) == "latest/"


def _workflow_publish_steps() -> dict[str, dict[str, Any]]:
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW.read_text(encoding="utf-8"))
    return {step["name"]: step for step in workflow["jobs"]["publish"]["steps"] if "name" in step}


def _run_step(
    step: dict[str, Any], repo: Path, env: Mapping[str, str], context: Mapping[str, str]
) -> None:
    """Run one `run:` step as GitHub's runner does (bash -e), with its env: the expressions
    in it are looked up in ``context``."""
    step_env = dict(env)
    for key, value in (step.get("env") or {}).items():
        value = str(value)
        if value.startswith("${{"):
            assert value in context, f"no value for {value} in the test"
            value = context[value]
        step_env[key] = value
    run(["bash", "--noprofile", "--norc", "-e", "-c", step["run"]], repo, step_env)


def test_workflow_publish_steps(tmp_path: Path) -> None:
    """The publish job's steps after the install, run as written on fresh clones of a bare
    origin (as actions/checkout with fetch-depth 0 leaves them): a push to main publishes
    `dev`, the default until a tag publishes a planning cycle as `latest`."""
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW.read_text(encoding="utf-8"))
    base = _base_env(tmp_path)
    # The steps get the workflow's env and the identity the workflow sets, none of ours.
    env = {k: v for k, v in base.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    env.update({k: str(v) for k, v in (workflow.get("env") or {}).items()})
    steps = _workflow_publish_steps()
    check = steps["Check the playbook"]
    identity = steps["Set the git identity of the gh-pages commits"]
    dev = steps["Publish main as dev"]
    cycle = steps["Publish the planning cycle as latest"]
    assert dev["if"] == "github.ref == 'refs/heads/main'"
    assert cycle["if"] == "startsWith(github.ref, 'refs/tags/')"

    source = make_playbook(tmp_path / "playbook", base)
    origin = bare_origin(tmp_path, source, base)

    def checkout(name: str) -> Path:
        clone = tmp_path / name
        git(tmp_path, base, "clone", "--quiet", str(origin), str(clone))
        for step in (check, identity):
            _run_step(step, clone, env, {})
        return clone

    _run_step(dev, checkout("push-main-1"), env, {})
    assert versions(origin, env) == [{"version": "dev", "title": "dev", "aliases": []}]
    assert redirect_target(origin, env) == "dev/"
    assert page_config(show(origin, env, "dev/index.html"))["version"]["provider"] == "mike"

    _run_step(cycle, checkout("push-tag"), env, {"${{ github.ref_name }}": "v2027.1"})
    published = {v["version"]: v["aliases"] for v in versions(origin, env)}
    assert published == {"2027.1": ["latest"], "dev": []}
    assert redirect_target(origin, env) == "latest/"

    _run_step(dev, checkout("push-main-2"), env, {})
    published = {v["version"]: v["aliases"] for v in versions(origin, env)}
    assert published == {"2027.1": ["latest"], "dev": []}
    assert redirect_target(origin, env) == "latest/"  # main does not take the default back
    log = git(origin, env, "log", "--format=%an", "gh-pages")
    assert set(log.split("\n")) - {""} == {"github-actions[bot]"}
