"""The reusable GitHub Action (``action.yml``) and the workflow ``playbook init`` writes.

Both are validated as the repository's own workflow is (``test_ci_files.py``): actionlint
checks the written workflow against the action's inputs (as a local action, ``uses: ./``),
and the action's steps as the jobs of a reusable workflow; check-jsonschema checks the
action's metadata against its schema. The action's shell steps are then run as written on a
playbook that ``playbook init`` made.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mission_playbook.cli import main

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
VENV_BIN = Path(sys.executable).parent
ACTION_REF = "octet-microsystems/mission-playbook@v1"


def tool(name: str) -> Path:
    path = VENV_BIN / name
    if not path.is_file():
        pytest.fail(f"{path} not found: run `make venv` (it is pinned in pyproject.toml)")
    return path


def run(
    cmd: list[str | Path], cwd: Path, env: Mapping[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def action() -> dict[str, Any]:
    data = load_yaml(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def step(name: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("name") == name)


@pytest.fixture
def playbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A playbook repository written by ``playbook init --yes``, committed in git."""
    root = tmp_path / "playbook"
    assert main(["init", str(root), "--yes", "--horizon", "2027"]) == 0
    capsys.readouterr()
    env = git_env(tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
        assert run(["git", *args], root, env).returncode == 0
    return root


def git_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Tester",
        GIT_AUTHOR_EMAIL="tester@example.invalid",
        GIT_COMMITTER_NAME="Tester",
        GIT_COMMITTER_EMAIL="tester@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


# --- validation --------------------------------------------------------------------------


def test_action_metadata_matches_the_schema() -> None:
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", ACTION], REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_action_fails_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / "action.yml"
    broken.write_text(
        ACTION.read_text(encoding="utf-8").replace("using: composite", "using: compost"), "utf-8"
    )
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", broken], REPO
    )
    assert result.returncode == 1, result.stdout + result.stderr


def steps_as_workflow(data: dict[str, Any]) -> str:
    """The action's steps as the one job of a reusable workflow with the same inputs, so that
    actionlint checks their expressions, contexts and step keys."""
    inputs = {
        name: {"type": "string", "required": bool(spec.get("required", False))}
        | ({"default": spec["default"]} if "${{" not in str(spec.get("default", "${{")) else {})
        for name, spec in data["inputs"].items()
    }
    workflow = {
        "name": "action",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": data["runs"]["steps"]}},
    }
    out = YAML(typ="safe", pure=True)
    out.default_flow_style = False
    buffer = io.StringIO()
    out.dump(workflow, buffer)
    return buffer.getvalue()


def actionlint(root: Path, workflow: Path) -> subprocess.CompletedProcess[str]:
    return run([tool("actionlint"), "-no-color", "-oneline", workflow], root)


def test_the_action_steps_pass_actionlint(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "action.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(steps_as_workflow(action()), encoding="utf-8")
    result = actionlint(tmp_path, workflow)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")

    data = action()
    data["runs"]["steps"][2]["if"] = "inputs.comand == 'check'"
    workflow.write_text(steps_as_workflow(data), encoding="utf-8")
    result = actionlint(tmp_path, workflow)
    assert result.returncode == 1 and 'property "comand" is not defined' in result.stdout


def local_copy(playbook: Path, workflow_text: str) -> Path:
    """The playbook's workflow, using this repository's action.yml as a local action."""
    (playbook / "action.yml").write_bytes(ACTION.read_bytes())
    workflow = playbook / ".github" / "workflows" / "playbook.yml"
    assert ACTION_REF in workflow_text
    workflow.write_text(workflow_text.replace(ACTION_REF, "./"), encoding="utf-8")
    return workflow


def test_the_written_workflow_passes_actionlint_against_the_action(playbook: Path) -> None:
    workflow = playbook / ".github" / "workflows" / "playbook.yml"
    text = workflow.read_text(encoding="utf-8")
    local_copy(playbook, text)
    result = actionlint(playbook, workflow)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")

    # actionlint reads the action's inputs: a misspelt or missing input fails.
    local_copy(playbook, text.replace("command: diff", "comand: diff", 1))
    result = actionlint(playbook, workflow)
    assert result.returncode == 1
    assert 'input "comand" is not defined in action "Mission Playbook"' in result.stdout
    assert 'missing input "command" which is required' in result.stdout


def test_the_inputs() -> None:
    inputs = action()["inputs"]
    assert inputs["command"]["required"] is True
    assert set(inputs) == {
        "command",
        "version",
        "python-version",
        "strict",
        "codeowners",
        "base",
        "comment",
        "token",
    }
    assert inputs["version"]["default"] == ""
    assert action()["runs"]["using"] == "composite"


# --- the steps, run as written --------------------------------------------------------------


def run_step(
    name: str, cwd: Path, env: Mapping[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """One of the action's bash steps, with the venv's commands first on PATH."""
    script = str(step(name)["run"])
    assert step(name)["shell"] == "bash"
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        **env,
    }
    return run(["bash", "-e", "-c", script], cwd, full)


def test_an_unknown_command_stops_the_install(playbook: Path, tmp_path: Path) -> None:
    result = run_step(
        "Install Mission Playbook", playbook, {"COMMAND": "chek", "VERSION": "x"}, tmp_path
    )
    assert result.returncode == 2
    assert "::error::command is 'chek'; use check, diff or publish" in result.stdout


def test_check_step_annotates_findings(playbook: Path, tmp_path: Path) -> None:
    ok = run_step(
        "Check the playbook", playbook, {"STRICT": "false", "CODEOWNERS": "true"}, tmp_path
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    plan = playbook / "plans" / "functions" / "sales" / "sales-pipeline.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("est-sales-conversion", "est-sales-conv"), "utf-8"
    )
    failed = run_step("Check the playbook", playbook, {"STRICT": "false"}, tmp_path)
    assert failed.returncode == 1
    assert re.search(
        r"^::error file=plans/functions/sales/sales-pipeline\.yaml,line=\d+,col=\d+.*PB004",
        failed.stdout,
        re.M,
    ), failed.stdout


def test_check_step_checks_codeowners(playbook: Path, tmp_path: Path) -> None:
    """No owner has a handle in a new playbook: nothing to check. Once one has, CODEOWNERS
    must name them, unless the input turns the check off."""
    env = {"STRICT": "false", "CODEOWNERS": "true"}
    assert run_step("Check the playbook", playbook, env, tmp_path).returncode == 0
    function = playbook / "plans" / "functions" / "sales.yaml"
    text = function.read_text(encoding="utf-8")
    function.write_text(
        text.replace("leader: Head of Sales", 'leader: {name: Head of Sales, handle: "@sales"}'),
        "utf-8",
    )
    stale = run_step("Check the playbook", playbook, env, tmp_path)
    assert stale.returncode == 1
    assert "is out of date: run `playbook codeowners`" in stale.stdout
    off = run_step("Check the playbook", playbook, env | {"CODEOWNERS": "false"}, tmp_path)
    assert off.returncode == 0
    assert main(["codeowners", "--plans", str(playbook / "plans")]) == 0
    assert run_step("Check the playbook", playbook, env, tmp_path).returncode == 0
    assert "@sales" in (playbook / ".github" / "CODEOWNERS").read_text(encoding="utf-8")


def test_diff_step_writes_the_summary(playbook: Path, tmp_path: Path) -> None:
    plan = playbook / "plans" / "functions" / "marketing" / "mkt-demand-programs.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("Demand programs sized by", "Demand programs, sized by"), "utf-8")
    result = run_step(
        "Diff the plans against the base branch", playbook, {"BASE": "HEAD"}, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    diff = (tmp_path / "plan-diff.md").read_text(encoding="utf-8")
    assert diff.startswith("<!-- playbook-diff -->\n")
    assert "mkt-demand-programs" in diff
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == diff

    no_base = run_step(
        "Diff the plans against the base branch", playbook, {"BASE": "", "BASE_REF": ""}, tmp_path
    )
    assert no_base.returncode == 2 and "set 'base'" in no_base.stdout
