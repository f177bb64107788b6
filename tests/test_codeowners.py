"""``playbook codeowners``: who must approve a change to each plan file, in a git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import BASE, write_playbook
from mission_playbook.cli import main
from mission_playbook.model.files import display_path

PEOPLE = """\
kind: people
id: people
people:
  - id: emarquez
    name: Elena Marquez
    handle: "@emarquez"
  - id: rnguyen
    name: Rachel Nguyen
    handle: "@rnguyen"
  - id: tbecker
    name: Tom Becker
"""

SALES = """\
kind: function
id: sales
name: Sales
leader: {person: tbecker}
estimates:
  - id: est-s
    title: Sales estimate
    supports: [kt-a]
"""

SALES_PLAN = """\
kind: plan
id: plan-s
title: Sales plan
function: sales
owner: Jordan Pike, Director of Inside Sales
supports: [est-s]
"""


def files() -> dict[str, str]:
    out = dict(BASE)
    out["mission.yaml"] = out["mission.yaml"].replace(
        "statement:", "commander: {person: emarquez}\nstatement:"
    )
    out["functions/marketing.yaml"] = out["functions/marketing.yaml"].replace(
        "name: Marketing\n", 'name: Marketing\nleader: {name: Priya Raman, handle: "@octet/mkt"}\n'
    )
    out["functions/marketing/plan-a.yaml"] = out["functions/marketing/plan-a.yaml"].replace(
        "function: marketing\n", "function: marketing\nowner: {person: rnguyen}\n"
    )
    out |= {"people.yaml": PEOPLE, "functions/sales.yaml": SALES}
    out["functions/sales/plan-s.yaml"] = SALES_PLAN
    return out


def git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the playbook in docs/plans, worked on from docs/."""
    root = tmp_path / "repo"
    write_playbook(root / "docs", files())
    git(root, "init", "-q")
    monkeypatch.chdir(root / "docs")
    return root


RULES = """\
# BEGIN playbook codeowners: written by `playbook codeowners` from the owners in the plans;
# change owners there and run it again (CI runs `playbook codeowners --check`).
/docs/plans/functions/marketing.yaml @octet/mkt
/docs/plans/functions/marketing/plan-a.yaml @rnguyen @octet/mkt
/docs/plans/intent.yaml @emarquez
/docs/plans/mission.yaml @emarquez
/docs/plans/people.yaml @emarquez
# END playbook codeowners
"""

GAPS = """\
no owner to ask: plans/functions/sales.yaml: the leader of function 'sales', Tom Becker, has no handle
no owner to ask: plans/functions/sales/plan-s.yaml: the owner of plan 'plan-s', Jordan Pike, Director of Inside Sales, has no handle
no owner to ask: plans/functions/sales/plan-s.yaml: the leader of sales, Tom Becker, has no handle
"""  # noqa: E501


def shown(repo: Path) -> str:
    """The CODEOWNERS file as the command names it (outside the working folder: in full)."""
    return display_path(repo / ".github" / "CODEOWNERS")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["codeowners", "--plans", "plans", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_codeowners_is_written_at_the_root_of_the_repository(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys) == (0, GAPS + f"wrote {shown(repo)}: 5 plan files\n", "")
    assert (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == RULES
    assert run(capsys, "--check") == (0, GAPS + f"{shown(repo)} is up to date: 5 plan files\n", "")


def test_check_fails_when_an_owner_changes_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys)
    sales = Path("plans/functions/sales.yaml")
    sales.write_text(
        sales.read_text().replace("{person: tbecker}", '{name: Tom, handle: "@tbecker"}')
    )
    before = (repo / ".github" / "CODEOWNERS").read_bytes()
    code, out, _ = run(capsys, "--check")
    assert code == 1
    assert "+/docs/plans/functions/sales.yaml" in out
    assert "+/docs/plans/functions/sales/plan-s.yaml @tbecker\n" in out
    assert out.endswith(f"{shown(repo)} is out of date: run `playbook codeowners`\n")
    assert (repo / ".github" / "CODEOWNERS").read_bytes() == before
    assert run(capsys)[0] == 0
    assert run(capsys, "--check")[0] == 0


def test_rules_written_by_hand_outside_the_markers_are_kept(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = repo / ".github" / "CODEOWNERS"
    target.parent.mkdir()
    target.write_text("# the code\n/generator/ @octet/engineering\n", encoding="utf-8")
    assert run(capsys, "--check")[0] == 1
    run(capsys)
    assert target.read_text() == "# the code\n/generator/ @octet/engineering\n\n" + RULES
    target.write_text(target.read_text().replace("@rnguyen ", "@someone-else ") + "/x @y\n")
    assert run(capsys, "--check")[0] == 1
    run(capsys)
    assert target.read_text() == (
        "# the code\n/generator/ @octet/engineering\n\n" + RULES + "/x @y\n"
    )


def test_a_file_name_codeowners_cannot_hold_is_listed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = Path("plans/functions/marketing/plan-a.yaml")
    plan.rename(plan.with_name("plan a #1.yaml"))
    code, out, _ = run(capsys)
    assert code == 0
    assert (
        "no owner to ask: plans/functions/marketing/plan a #1.yaml: its name cannot be written "
        "in CODEOWNERS; rename it\n"
    ) in out
    assert "plan a" not in (repo / ".github" / "CODEOWNERS").read_text()


def test_without_any_handle_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    write_playbook(tmp_path, BASE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--check")
    assert code == 0
    assert "no owner has a handle: .github/CODEOWNERS is left as it is\n" in out
    assert run(capsys)[0] == 0
    assert not (tmp_path / ".github").exists()


def test_a_playbook_with_errors_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Path("plans/functions/marketing/plan-a.yaml")
    plan.write_text(plan.read_text().replace("{person: rnguyen}", "{person: rnguyn}"))
    code, _, err = run(capsys)
    assert code == 1
    assert err == (
        "playbook: the playbook has 1 error(s) (playbook check); CODEOWNERS not written\n"
    )
    assert not (repo / ".github").exists()
