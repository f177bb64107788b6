"""The ``playbook check`` command: output formats against golden files, and exit codes.

Regenerate the goldens after an intended change of the output with
``UPDATE_GOLDENS=1 python -m pytest tests/test_cli.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mission_playbook.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"

# The base plan with an unknown field (PB002), a link to an unknown estimate (PB004, which
# leaves the plan an orphan, PB006, and est-a uncovered, PB007) and a start before the mission
# horizon (PB009, a warning); its metric is monthly, and a check-in reports February (the
# summary shows the statuses).
BROKEN_PLAN = """\
kind: plan
id: plan-a
title: Plan A
ownr: Ana
function: marketing
supports: [est-b]
start: 2026-12-01
end: 2027-03-31
metrics:
  - id: met-a
    name: Metric A
    target: 100
    per: month
    type: outcome
    drives: sf-a
"""

CHECKIN = """\
kind: checkin
id: actuals-2027-03-10
as_of: 2027-03-10
values:
  - metric: met-a
    period: 2027-02
    value: 90
"""


@pytest.fixture
def broken(write_playbook, tmp_path, base) -> Path:
    """A playbook with four errors and one warning, written in ``tmp_path`` (the cwd)."""
    return write_playbook(
        tmp_path,
        {
            **base,
            "functions/marketing/plan-a.yaml": BROKEN_PLAN,
            "actuals/2027-03-10.yaml": CHECKIN,
        },
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.is_file(), f"{path} is missing: run with UPDATE_GOLDENS=1 to create it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("text", "check.txt"), ("json", "check.json"), ("github", "check.github.txt")],
)
def test_output_formats_match_the_goldens(broken, capsys, fmt, golden):
    code, out, err = run(capsys, "--format", fmt)
    assert code == 1
    assert err == ""
    assert_golden(golden, out)


def test_the_command_offers_every_format_of_the_report_and_no_other():
    """``cli/check.py`` names the formats itself (a warm check does not import the report)."""
    from mission_playbook.cli import check
    from mission_playbook.views import report

    assert check.FORMATS == report.FORMATS


def test_text_is_the_default_format(broken, capsys):
    code, out, _ = run(capsys)
    assert code == 1
    assert out == (GOLDEN / "check.txt").read_text(encoding="utf-8")


def test_json_output_is_a_list_of_findings(broken, capsys):
    _, out, _ = run(capsys, "--format", "json")
    findings = json.loads(out)
    assert [(f["code"], f["severity"], f["file"], f["line"], f["column"]) for f in findings] == [
        ("PB007", "error", "plans/functions/marketing.yaml", 5, 9),
        ("PB002", "error", "plans/functions/marketing/plan-a.yaml", 4, 1),
        ("PB006", "error", "plans/functions/marketing/plan-a.yaml", 6, 11),
        ("PB004", "error", "plans/functions/marketing/plan-a.yaml", 6, 12),
        ("PB009", "warning", "plans/functions/marketing/plan-a.yaml", 7, 8),
    ]
    assert "did you mean 'owner'?" in findings[1]["message"]
    assert "did you mean 'est-a'?" in findings[3]["message"]


def test_github_format_annotates_lines(broken, capsys):
    _, out, _ = run(capsys, "--format", "github")
    lines = out.splitlines()
    assert lines[0].startswith(
        "::error file=plans/functions/marketing.yaml,line=5,col=9,title=PB007::"
    )
    assert lines[4].startswith(
        "::warning file=plans/functions/marketing/plan-a.yaml,line=7,col=8,title=PB009::"
    )
    assert lines[-1].startswith("failed: 4 errors, 1 warning")


# --- exit codes ---------------------------------------------------------------------------


def test_exit_0_on_the_clean_sample_playbook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--plans", str(SAMPLE))
    assert code == 0
    assert out.startswith("ok: 0 errors, 0 warnings |")
    assert "coverage 100%" in out
    assert err == ""


def test_exit_0_with_only_warnings(write_playbook, tmp_path, base, capsys):
    plan = base["functions/marketing/plan-a.yaml"].replace("2027-02-01", "2026-12-01")
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": plan})
    code, out, _ = run(capsys)
    assert code == 0
    assert "warning PB009" in out
    assert "ok: 0 errors, 1 warning |" in out


def test_exit_1_with_warnings_under_strict(write_playbook, tmp_path, base, capsys):
    plan = base["functions/marketing/plan-a.yaml"].replace("2027-02-01", "2026-12-01")
    write_playbook(tmp_path, {**base, "functions/marketing/plan-a.yaml": plan})
    code, _, _ = run(capsys, "--strict")
    assert code == 1


def test_exit_0_under_strict_when_clean(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, base)
    code, out, _ = run(capsys, "--strict")
    assert code == 0
    assert out.startswith(
        "ok: 0 errors, 0 warnings | success factors 1/1 | key tasks 1/1 | estimates 1/1 | "
        "plans 1/1 | coverage 100%"
    )
    assert out.count("\n") == 1


def test_exit_1_with_errors(broken, capsys):
    code, _, _ = run(capsys)
    assert code == 1


def test_exit_2_for_a_missing_plans_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--plans", "nowhere")
    assert code == 2
    assert out == ""
    assert "nowhere" in err
    assert "does not exist" in err
    assert "Traceback" not in err


def test_exit_2_for_a_bad_format(broken, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'xml'" in err
    assert "Traceback" not in err


MKDOCS_UNKNOWN_CODE = """\
site_name: Playbook
plugins:
  - playbook:
      severity:
        PB099: error
"""


def test_exit_2_for_an_unknown_severity_code_in_the_config(broken, tmp_path, capsys):
    (tmp_path / "site.yml").write_text(MKDOCS_UNKNOWN_CODE, encoding="utf-8")
    code, out, err = run(capsys, "--config", "site.yml")
    assert code == 2
    assert out == ""
    assert "unknown check code 'PB099'" in err
    assert "Traceback" not in err


def test_mkdocs_yml_in_the_working_folder_is_read(broken, tmp_path, capsys):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_UNKNOWN_CODE, encoding="utf-8")
    code, _, err = run(capsys)
    assert code == 2
    assert "PB099" in err


def test_severity_from_the_config_changes_the_exit_code(broken, tmp_path, capsys):
    severity = "{PB002: off, PB004: warning, PB006: warning, PB007: off}"
    config = f"plugins:\n  - playbook:\n      severity: {severity}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    code, out, _ = run(capsys)
    assert code == 0
    assert "ok: 0 errors, 3 warnings |" in out
    assert "PB002" not in out


def test_exit_2_for_a_missing_config_file(broken, capsys):
    code, _, err = run(capsys, "--config", "missing.yml")
    assert code == 2
    assert "missing.yml" in err
    assert "Traceback" not in err


def test_the_console_entry_point_in_a_real_process(broken, tmp_path):
    paths = [str(REPO / "generator"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    env.pop("UPDATE_GOLDENS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mission_playbook",
            "check",
            "--plans",
            "plans",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout) == json.loads((GOLDEN / "check.json").read_text("utf-8"))


@pytest.mark.parametrize("columns", ["50", "132", "", "wide", "0", "-1", "10"])
def test_help_is_as_wide_as_argparse_makes_it(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our formatter finds the width as argparse does (via shutil), without importing shutil."""
    import argparse

    from mission_playbook.cli import _Formatter

    monkeypatch.setenv("COLUMNS", columns)
    assert _Formatter("playbook")._width == argparse.HelpFormatter("playbook")._width


def test_a_bad_option_shows_the_whole_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["check", "--bogus"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "{check,render,diff," in err and "unrecognized arguments: --bogus" in err
