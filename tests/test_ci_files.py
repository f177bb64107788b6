"""The files playbook repositories use in CI: the GitHub Actions workflow (checked with
actionlint, and read for what the README promises) and the pre-commit hooks (the manifest
validated, and `playbook-check` run through `pre-commit try-repo` on a temporary playbook
repository).

The workflow's publish steps are run as written in ``test_publish.py``.
"""

from __future__ import annotations

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
WORKFLOW = REPO / ".github" / "workflows" / "playbook.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"

# A plan and the estimate it supports; the test breaks the reference.
PLAN_FILE = "plans/functions/marketing/mkt-demand-engine.yaml"
SUPPORTED = "est-mkt-demand-capacity"
MISSPELT = "est-mkt-demand-capacty"


def tool(name: str) -> Path:
    path = VENV_BIN / name
    if not path.is_file():
        pytest.fail(f"{path} not found: run `make venv` (it is pinned in pyproject.toml)")
    return path


def run(
    cmd: Sequence[str | Path], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def load_yaml(path: Path) -> Any:
    # YAML 1.2: the workflow's `on:` stays a string key.
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


# The workflow ------------------------------------------------------------------------------


def actionlint(workflow: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # actionlint runs shellcheck on the `run:` scripts when it is installed (Debian's
    # `shellcheck`); without it the scripts are not checked.
    return run([tool("actionlint"), "-no-color", "-oneline", workflow], cwd)


def test_workflow_passes_actionlint() -> None:
    result = actionlint(WORKFLOW, REPO)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("good", "bad", "message"),
    [
        ("${{ github.base_ref }}", "${{ github.base_reff }}", 'property "base_reff"'),
        ("steps.diff.outcome", "steps.dif.outcome", 'property "dif"'),
        ("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", '"runs-on" section is missing'),
        ("on:\n  pull_request:", "on:\n  pull-request:", 'unknown Webhook event "pull-request"'),
    ],
    ids=["expression", "step-id", "job-key", "event"],
)
def test_a_broken_workflow_fails_actionlint(
    tmp_path: Path, good: str, bad: str, message: str
) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert good in text
    line = text[: text.index(good) + len(good)].count("\n") + 1
    broken = tmp_path / ".github" / "workflows" / "playbook.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(good, bad, 1), encoding="utf-8")
    result = actionlint(broken, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout
    # It points at the change (an expression in a folded scalar: at the scalar's key).
    reported = [int(n) for n in re.findall(r"playbook\.yml:(\d+):\d+: ", result.stdout)]
    assert any(line - 2 <= n <= line for n in reported), (line, result.stdout)


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def _runs(job: dict[str, Any]) -> list[str]:
    return [str(step["run"]) for step in _steps(job) if "run" in step]


def test_workflow_checks_pull_requests_and_publishes_pushes() -> None:
    workflow = load_yaml(WORKFLOW)
    on = workflow["on"]
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert on["push"]["tags"] == ["v*", "20*"]
    assert workflow["env"]["PLAYBOOK_VERSIONS"] == "mike"  # the version selector (mkdocs.yml)
    assert workflow["permissions"] == {"contents": "read"}
    check, publish = workflow["jobs"]["check"], workflow["jobs"]["publish"]

    assert check["if"] == "github.event_name == 'pull_request'"
    assert check["permissions"]["pull-requests"] == "write"
    runs = _runs(check)
    assert "playbook check --format github" in runs
    assert "playbook codeowners --check" in runs
    diff = next(step for step in _steps(check) if "playbook diff" in step.get("run", ""))
    assert 'playbook diff "origin/$BASE_REF" --format markdown' in diff["run"]
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    comment = next(r for r in runs if "gh pr comment" in r)
    assert "plan-diff.md" in comment

    assert publish["if"] == "github.event_name == 'push'"
    assert publish["permissions"] == {"contents": "write"}
    runs = _runs(publish)
    fetch = runs.index("python scripts/fetch_mermaid.py")
    assert fetch < runs.index("python -m pip install .")  # the install copies Mermaid
    assert (REPO / "scripts" / "fetch_mermaid.py").is_file()
    assert any("mike deploy --push dev" in r for r in runs)
    assert any('mike deploy --push --update-aliases "$version" latest' in r for r in runs)
    assert any("mike set-default --push latest" in r for r in runs)

    for job in (check, publish):
        checkout = next(s for s in _steps(job) if str(s.get("uses", "")).startswith("actions/"))
        assert checkout["uses"] == "actions/checkout@v6"
        assert checkout["with"]["fetch-depth"] == 0
        assert "python -m pip install ." in _runs(job)
        for step in _steps(job):
            if "uses" in step:  # actions pinned by major version
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]


# The pre-commit hooks ----------------------------------------------------------------------


def test_hooks_manifest_is_valid() -> None:
    result = run([tool("pre-commit"), "validate-manifest", HOOKS], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {hook["id"]: hook for hook in load_yaml(HOOKS)}
    assert set(hooks) == {"playbook-check", "playbook-fmt"}

    check, fmt = hooks["playbook-check"], hooks["playbook-fmt"]
    assert (check["entry"], check["language"], check["pass_filenames"]) == (
        "playbook check",
        "python",
        False,
    )
    assert (fmt["entry"], fmt["language"]) == ("playbook fmt", "python")
    assert fmt.get("pass_filenames", True)  # it formats the files pre-commit hands it
    plans = ["plans/mission.yaml", "plans/functions/sales/x.yml"]
    others = ["mkdocs.yml", ".github/workflows/playbook.yml", "plans/README.md"]
    for hook in (check, fmt):
        assert all(re.search(hook["files"], path) for path in plans), hook["id"]
        assert not any(re.search(hook["files"], path) for path in others), hook["id"]


def _git_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="Playbook Tester",
        GIT_AUTHOR_EMAIL="tester@example.invalid",
        GIT_COMMITTER_NAME="Playbook Tester",
        GIT_COMMITTER_EMAIL="tester@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
    )
    return env


def _git(repo: Path, env: Mapping[str, str], *args: str) -> None:
    result = run(["git", *args], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr


def _commit_all(repo: Path, env: Mapping[str, str], message: str) -> None:
    _git(repo, env, "add", "--all")
    _git(repo, env, "commit", "--quiet", "--message", message)


def _snapshot_of_this_repository(dest: Path, env: Mapping[str, str]) -> Path:
    """This repository's work tree as one commit: the tracked files and the new ones that are
    not ignored, as they are on disk. `pre-commit try-repo` on this repository itself would
    leave out the files not yet committed (it takes HEAD plus the changes to tracked
    files)."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the work tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    _git(dest, env, "init", "--quiet", "--initial-branch=main")
    _commit_all(dest, env, "Mission Playbook, as in the work tree")
    return dest


@pytest.mark.slow
def test_try_repo_playbook_check(tmp_path: Path) -> None:
    """pre-commit installs this repository (pip, from PyPI) into its own environment and runs
    `playbook check` on a playbook repository: it passes on the sample, fails on a broken
    reference and names the finding's code."""
    env = _git_env(tmp_path)
    this_repo = _snapshot_of_this_repository(tmp_path / "mission-playbook", env)
    playbook = tmp_path / "playbook"
    playbook.mkdir()
    for folder in ("plans", "templates"):
        shutil.copytree(REPO / folder, playbook / folder)
    shutil.copy2(REPO / "mkdocs.yml", playbook / "mkdocs.yml")
    _git(playbook, env, "init", "--quiet", "--initial-branch=main")
    _commit_all(playbook, env, "The 2027 playbook")
    try_repo: list[str | Path] = [
        tool("pre-commit"),
        "try-repo",
        this_repo,
        "playbook-check",
        "--all-files",
    ]

    clean = run(try_repo, playbook, env)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert re.search(r"^playbook check\.+Passed$", output, re.M), output

    plan = playbook / PLAN_FILE
    text = plan.read_text(encoding="utf-8")
    assert SUPPORTED in text
    plan.write_text(text.replace(SUPPORTED, MISSPELT, 1), encoding="utf-8")
    _commit_all(playbook, env, "Break a reference")

    broken = run(try_repo, playbook, env)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert re.search(r"^playbook check\.+Failed$", output, re.M), output
    assert re.search(rf"{re.escape(PLAN_FILE)}:\d+:\d+: error PB004 .*'{MISSPELT}'", output)


@pytest.mark.slow  # a site build / pre-commit's hook in a subprocess
def test_fmt_hook_entry_runs_on_plan_files(tmp_path: Path) -> None:
    """The fmt hook's entry, with the file names pre-commit passes, on a copy of the plans:
    it succeeds and a second run changes nothing (pre-commit fails a hook that does)."""
    hooks = {hook["id"]: hook for hook in load_yaml(HOOKS)}
    entry = str(hooks["playbook-fmt"]["entry"]).split()
    assert entry[0] == "playbook"
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    files = sorted(
        p.relative_to(tmp_path).as_posix()
        for p in (tmp_path / "plans").rglob("*")
        if re.search(hooks["playbook-fmt"]["files"], p.relative_to(tmp_path).as_posix())
    )
    assert files
    cmd: list[str | Path] = [tool(entry[0]), *entry[1:], *files]
    first = run(cmd, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    before = {name: (tmp_path / name).read_bytes() for name in files}
    second = run(cmd, tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert {name: (tmp_path / name).read_bytes() for name in files} == before
