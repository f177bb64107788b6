"""The Impact section of the plan diff: what rests on a change above the plans, by owner."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mission_playbook import load
from mission_playbook.cli import main
from mission_playbook.compare.diff import diff_playbooks, diff_snapshots
from mission_playbook.compare.impact import Affected, Cause, OwnerImpact
from mission_playbook.compare.revisions import load_revision
from mission_playbook.compare.snapshot import NodeSnapshot, Snapshot
from mission_playbook.views.changes import to_markdown
from test_diff import check_golden

PEOPLE = """\
kind: people
id: people
people:
  - {id: emarquez, name: Elena Marquez, handle: "@emarquez"}
  - {id: praman, name: Priya Raman, handle: "@praman"}
  - {id: rnguyen, name: Rachel Nguyen, handle: "@rnguyen"}
"""

MISSION = """\
kind: mission
id: m
title: Win the 8-bit market
statement: Convert customers to 8-bit in 2027.
commander: {person: emarquez}
horizon: {start: 2027-01-01, end: 2027-12-31}
success_factors:
  - id: sf-wins
    title: Win designs
    metric: {name: Design wins, target: 200}
  - id: sf-share
    title: Grow share
"""

INTENT = """\
kind: intent
id: intent
purpose: Make 8-bit the default.
key_tasks:
  - id: kt-demand
    title: Build demand
    supports: [sf-wins]
  - id: kt-accounts
    title: Win top accounts
    supports: [sf-share]
"""

MARKETING = """\
kind: function
id: marketing
name: Marketing
leader: {person: praman}
estimates:
  - id: est-demand
    title: Demand capacity
    supports: [kt-demand]
"""

SALES = """\
kind: function
id: sales
name: Sales
leader: Tom Becker, Vice President of Sales
estimates:
  - id: est-pipeline
    title: Pipeline coverage
    supports: [kt-demand]
  - id: est-accounts
    title: Account coverage
    supports: [kt-accounts]
"""

SLA = """\
kind: sla
id: sla
parties: [marketing, sales]
period: quarter
revenue_target: 10000000
run_rate_share: 0.5
average_deal: 100000
stages:
  - {id: mql, owner: marketing, conversion: 0.5, definition: Engaged engineer}
  - {id: sal, owner: sales, conversion: 0.4, definition: Accepted by sales}
  - {id: won, owner: sales}
commitments:
  - {party: marketing, stage: mql, volume: 250, per: quarter}
"""


def plan(pid: str, function: str, supports: str, owner: str | None = None) -> str:
    who = f"owner: {owner}\n" if owner else ""
    return (
        f"kind: plan\nid: {pid}\ntitle: Plan {pid}\nfunction: {function}\n{who}"
        f"supports: [{supports}]\nmetrics:\n  - id: {pid}-wins\n    name: Wins\n"
        "    type: outcome\n    drives: sf-wins\n"
    )


BASE = {
    "people.yaml": PEOPLE,
    "mission.yaml": MISSION,
    "intent.yaml": INTENT,
    "sla.yaml": SLA,
    "functions/marketing.yaml": MARKETING,
    "functions/sales.yaml": SALES,
    "functions/marketing/mkt-engine.yaml": plan(
        "mkt-engine", "marketing", "est-demand", "{person: rnguyen}"
    ),
    "functions/marketing/mkt-webinars.yaml": plan("mkt-webinars", "marketing", "est-demand"),
    "functions/sales/sales-pipeline.yaml": plan(
        "sales-pipeline", "sales", "est-pipeline", "Jordan Pike"
    ),
    "functions/sales/sales-accounts.yaml": plan("sales-accounts", "sales", "est-accounts"),
}


def git(repo: Path, *args: str, when: str = "2027-01-04") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ann Author",
        "GIT_AUTHOR_EMAIL": "ann@example.invalid",
        "GIT_COMMITTER_NAME": "Ann Author",
        "GIT_COMMITTER_EMAIL": "ann@example.invalid",
        "GIT_AUTHOR_DATE": f"{when}T10:00:00+00:00",
        "GIT_COMMITTER_DATE": f"{when}T10:00:00+00:00",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / "plans" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose first commit (tagged ``base``) is the playbook above."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, BASE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The 2027 playbook")
    git(root, "tag", "base")
    monkeypatch.chdir(root)
    return root


def change(repo: Path, files: dict[str, str], when: str = "2027-02-01") -> None:
    write(repo, files)
    git(repo, "add", "-A", when=when)
    git(repo, "commit", "-q", "-m", "A change", when=when)


def diff_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["diff", "base", "HEAD", "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def owners(data: dict[str, Any]) -> list[tuple[str | None, str | None, list[tuple[str, str]]]]:
    """(name, handle, [(node id, on which changes)]) of each owner in the Impact section."""
    return [
        (o["name"], o["handle"], [(n["id"], ",".join(n["causes"])) for n in o["nodes"]])
        for o in data["impact"]["owners"]
    ]


def test_a_changed_key_task_reaches_its_estimates_and_plans_by_owner(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(repo, {"intent.yaml": INTENT.replace("Build demand", "Build 8-bit demand")})
    data = diff_json(capsys)
    assert data["impact"]["causes"] == [
        {"kind": "key_task", "id": "kt-demand", "title": "Build 8-bit demand", "how": "changed"}
    ]
    assert owners(data) == [
        ("Jordan Pike", None, [("sales-pipeline", "kt-demand")]),
        (
            "Priya Raman",
            "@praman",
            [("est-demand", "kt-demand"), ("mkt-webinars", "kt-demand")],  # no owner: the leader
        ),
        ("Rachel Nguyen", "@rnguyen", [("mkt-engine", "kt-demand")]),
        ("Tom Becker, Vice President of Sales", None, [("est-pipeline", "kt-demand")]),
    ]
    assert data["impact"]["nothing_beneath"] == []
    assert data["summary"]["impacted"] == 5
    assert main(["diff", "base", "HEAD"]) == 0
    check_golden("impact-key-task.md", capsys.readouterr().out)
    # the site's "What changed" page: the same section, a heading, links to the node pages
    page = to_markdown(
        diff_playbooks(load_revision("base", "plans", repo), load(Path("plans"))),
        lambda node_id: f"../nodes/{node_id}.md",
        fold=False,
    )
    assert "\n## Impact (4 owners, 5 nodes)\n" in page
    assert (
        "  - plan [Plan mkt-engine](../nodes/mkt-engine.md) `mkt-engine`, on [`kt-demand`]" in page
    )


def test_a_changed_sla_stage_reaches_the_plans_of_its_owner_and_committed_parties(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        repo,
        {
            "sla.yaml": SLA.replace(
                "conversion: 0.5, definition: Engaged engineer",
                "conversion: 0.4, definition: Engaged engineer",
            )
        },
    )
    data = diff_json(capsys)
    assert [c["id"] for c in data["impact"]["causes"]] == ["mql"]
    # mql is marketing's stage, and only marketing commits to it
    assert owners(data) == [
        ("Priya Raman", "@praman", [("mkt-webinars", "mql")]),
        ("Rachel Nguyen", "@rnguyen", [("mkt-engine", "mql")]),
    ]
    main(["diff", "base", "HEAD"])
    check_golden("impact-stage.md", capsys.readouterr().out)


def test_a_commitment_reaches_its_party_and_the_waterfall_every_party(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(repo, {"sla.yaml": SLA + "  - {party: sales, stage: sal, volume: 100, per: quarter}\n"})
    data = diff_json(capsys)
    assert [c["id"] for c in data["impact"]["causes"]] == ["sla"]
    assert {n for _, _, nodes in owners(data) for n, _ in nodes} == {
        "sales-pipeline",
        "sales-accounts",
    }
    change(repo, {"sla.yaml": SLA.replace("10000000", "12000000")}, "2027-02-02")
    data = diff_json(capsys)
    assert {n for _, _, nodes in owners(data) for n, _ in nodes} == {
        "mkt-engine",
        "mkt-webinars",
        "sales-pipeline",
        "sales-accounts",
    }


def test_removed_renamed_and_retargeted_nodes_and_nothing_beneath(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        repo,
        {
            # a new key task, with nothing beneath it yet
            "intent.yaml": INTENT
            + "  - id: kt-new\n    title: New task\n    supports: [sf-share]\n",
            # a success factor's target: everything beneath it
            "mission.yaml": MISSION.replace("target: 200", "target: 250"),
            # an estimate removed: its plan now hangs from nothing
            "functions/sales.yaml": SALES.split("  - id: est-accounts")[0],
        },
    )
    data = diff_json(capsys)
    causes = {c["id"]: c["how"] for c in data["impact"]["causes"]}
    assert causes == {
        "sf-wins": "target changed",
        "kt-new": "added",
        "est-accounts": "removed",
    }
    resting = {n: on for _, _, nodes in owners(data) for n, on in nodes}
    assert resting == {
        "kt-demand": "sf-wins",
        "est-demand": "sf-wins",
        "est-pipeline": "sf-wins",
        "mkt-engine": "sf-wins",
        "mkt-webinars": "sf-wins",
        "sales-pipeline": "sf-wins",
        "sales-accounts": "est-accounts",
    }
    assert [c["id"] for c in data["impact"]["nothing_beneath"]] == ["kt-new"]
    assert main(["diff", "base", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "Nothing beneath: key task **New task** `kt-new` (added)." in out
    assert (
        "- **Elena Marquez** `@emarquez`\n  - key task **Build demand** `kt-demand`, on `sf-wins`"
        in out
    )


def test_nodes_added_by_the_change_are_not_listed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        repo,
        {
            "intent.yaml": INTENT.replace("Build demand", "Build more demand"),
            "functions/marketing/mkt-new.yaml": plan("mkt-new", "marketing", "est-demand"),
        },
    )
    resting = {n for _, _, nodes in owners(diff_json(capsys)) for n, _ in nodes}
    assert "mkt-new" not in resting and "mkt-engine" in resting


def test_a_plan_only_change_has_no_impact_section(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        repo, {"functions/marketing/mkt-engine.yaml": plan("mkt-engine", "marketing", "est-demand")}
    )
    data = diff_json(capsys)
    assert data["impact"] == {"causes": [], "owners": [], "nothing_beneath": []}
    main(["diff", "base", "HEAD"])
    assert "Impact" not in capsys.readouterr().out


def _node(kind: str, node_id: str, **more: Any) -> NodeSnapshot:
    values: dict[str, Any] = {
        "title": node_id,
        "owner": None,
        "owner_kind": None,
        "function": None,
        "fields": {},
        "links": {},
        "parents": [],
    } | more
    return NodeSnapshot(kind=kind, id=node_id, **values)


def test_an_assumption_reaches_its_branch_plan_and_its_functions_work() -> None:
    """Assumptions as nodes come with the actuals work; the walk reads them from snapshots."""
    nodes = [
        _node("function", "sales", function="sales", fields={"leader": "Tom"}),
        _node("estimate", "est-s", function="sales", owner="sales", owner_kind="function"),
        _node("plan", "plan-s", function="sales", parents=["est-s"]),
        _node("function", "marketing", function="marketing", fields={"leader": "Priya"}),
        _node("plan", "plan-branch", function="marketing"),
    ]
    assumption = {"statement": "Buyers wait", "branch": "plan-branch"}
    before = _node(
        "assumption", "as-buyers", owner="sales", owner_kind="function", fields=assumption
    )
    after = _node(
        "assumption",
        "as-buyers",
        owner="sales",
        owner_kind="function",
        fields=assumption | {"statement": "Buyers wait a year"},
    )
    base = Snapshot("plans", {n.id: n for n in [*nodes, before]}, [], [])
    head = Snapshot("plans", {n.id: n for n in [*nodes, after]}, [], [])
    impact = diff_snapshots(base, head).impact
    assert impact.causes == [Cause("assumption", "as-buyers", "as-buyers", "changed")]
    assert impact.owners == [
        OwnerImpact(
            "Priya",
            None,
            [Affected("plan", "plan-branch", "plan-branch", "marketing", ["as-buyers"])],
        ),
        OwnerImpact(
            "Tom",
            None,
            [
                Affected("estimate", "est-s", "est-s", "sales", ["as-buyers"]),
                Affected("plan", "plan-s", "plan-s", "sales", ["as-buyers"]),
            ],
        ),
    ]
