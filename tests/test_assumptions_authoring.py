"""Authoring assumption nodes: ``playbook new assumption``, ``fmt`` and ``rename`` of their
fields, on a copy of the sample (whose Sales function assumes ``asm-mql-to-sal``, with the
branch plan ``sales-inside-first-review``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mission_playbook.cli import main
from mission_playbook.model.config import Settings
from mission_playbook.playbook import load

SAMPLE = Path(__file__).resolve().parents[1] / "plans"


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    return Path("plans")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([argv[0], "--plans", "plans", *argv[1:]])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def codes(plans: Path) -> list[str]:
    return [d.code for d in load(plans, Settings(plans=plans, cache=False)).diagnostics]


# --- new ---------------------------------------------------------------------------------------


def test_new_assumption_in_a_function_appends_to_its_mission_analysis(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = plans / "functions" / "sales.yaml"
    before = path.read_text()
    code, out, _ = run(
        capsys, "new", "assumption", "asm-win-rate", "--in", "sales", "--title", "Win rate holds"
    )
    assert code == 0
    after = path.read_text()
    lines = after.splitlines()
    at = lines.index("    - id: asm-win-rate")
    assert lines[at + 1] == "      statement: Win rate holds"
    assert "\n".join(lines[:at] + lines[at + 2 :]) + "\n" == before  # only the new lines
    assert lines[at - 1].strip().startswith("- Add a regional manager")  # after the last one
    assert f"added to plans/functions/sales.yaml: assumption 'asm-win-rate' at line {at + 1}" in out
    assert "PB017 assumption 'asm-win-rate' has no trip-wire" in out
    assert "next: give 'asm-win-rate' a tripwire" in out
    node = load(plans, Settings(plans=plans, cache=False)).nodes["asm-win-rate"]
    assert node.kind == "assumption" and node.owner is not None and node.owner.id == "sales"
    assert codes(plans) == ["PB017"]


def test_new_assumption_in_the_mission_leaves_a_placeholder(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "new", "assumption", "asm-supply", "--in", "mission")
    assert code == 0
    assert "fill in the TODO placeholders on lines" in out
    playbook = load(plans, Settings(plans=plans, cache=False))
    node = playbook.nodes["asm-supply"]
    assert node.owner is not None and node.owner.kind == "mission"
    assert node.data.statement == "TODO"
    texts = [a for a in playbook.mission.data.environment.assumptions if isinstance(a, str)]
    assert len(texts) == 2  # the text assumptions stay as they were


def test_new_assumption_in_a_function_without_a_mission_analysis(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "new", "function", "partners", "--title", "Partners")[0] == 0
    code, _, _ = run(capsys, "new", "assumption", "asm-partners", "--in", "partners")
    assert code == 0
    text = (plans / "functions" / "partners.yaml").read_text()
    assert "mission_analysis:\n  assumptions:\n    - id: asm-partners\n" in text
    node = load(plans, Settings(plans=plans, cache=False)).nodes["asm-partners"]
    assert node.owner is not None and node.owner.id == "partners"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["asm-x"], "give --in mission or --in F"),
        (["asm-x", "--in", "salse"], "--in names 'salse', but no function has that id; "),
        (["asm-x", "--in", "est-sales-pipeline"], "which is an estimate, not a function"),
        (["asm-mql-to-sal", "--in", "sales"], "the id 'asm-mql-to-sal' is already used"),
    ],
)
def test_new_assumption_refuses_and_writes_nothing(
    plans: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = tree(plans)
    code, _, err = run(capsys, "new", "assumption", *argv)
    assert code == 1 and message in err
    assert tree(plans) == before


def test_new_refuses_in_for_anything_but_an_assumption(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "new", "function", "partners", "--in", "mission")
    assert code == 1 and "leave out --in" in err


# --- fmt and rename ----------------------------------------------------------------------------


def test_fmt_puts_an_assumption_s_keys_in_the_model_s_order(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = plans / "functions" / "sales.yaml"
    text = path.read_text()
    canonical = (
        "    - id: asm-mql-to-sal\n"
        "      statement: Half of the MQLs become SALs.\n"
        "      tripwire:\n"
        "        metric: se-l2r-definitions-first-accept\n"
        "        below: 40\n"
        "      branch: sales-inside-first-review\n"
    )
    messy = (
        "    - branch: sales-inside-first-review\n"
        "      tripwire:\n"
        "        below: 40\n"
        "        metric: se-l2r-definitions-first-accept\n"
        "      statement: Half of the MQLs become SALs.\n"
        "      id: asm-mql-to-sal\n"
    )
    start = text.index("    - id: asm-mql-to-sal\n")
    end = text.index("    - id: asm-transportation-budget\n")
    path.write_text(text[:start] + messy + text[end:])
    assert run(capsys, "fmt", str(path))[0] == 0
    assert path.read_text() == text[:start] + canonical + text[end:]


def test_rename_an_assumption_rewrites_the_branch_plan_s_branch_of(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(plans)
    code, out, _ = run(capsys, "rename", "asm-mql-to-sal", "asm-sal-conversion")
    assert code == 0
    assert out.endswith(": 2 places in 2 files\n")
    after = tree(plans)
    branch = "functions/sales/sales-inside-first-review.yaml"
    assert b"branch_of: asm-sal-conversion\n" in after[branch]
    for rel, raw in before.items():
        assert after[rel].replace(b"asm-sal-conversion", b"asm-mql-to-sal") == raw
    assert codes(plans) == []


@pytest.mark.parametrize(
    ("old", "new", "written"),
    [
        ("sales-inside-first-review", "sales-mql-triage", b"      branch: sales-mql-triage\n"),
        ("se-l2r-definitions-first-accept", "se-first-accept", b"metric: se-first-accept\n"),
    ],
)
def test_rename_a_branch_plan_or_a_metric_rewrites_the_assumption(
    plans: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, written: bytes
) -> None:
    assert run(capsys, "rename", old, new)[0] == 0
    assert written in (plans / "functions" / "sales.yaml").read_bytes()
    assert codes(plans) == []
