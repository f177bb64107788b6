"""Snapshots: a playbook as plain values for the plan diff, and the comparison kept core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mission_playbook.compare.snapshot import RungCoverage, Snapshot, snapshot
from mission_playbook.playbook import load

REPO = Path(__file__).resolve().parents[1]


def test_a_snapshot_holds_each_node_as_plain_values(write_playbook, tmp_path, base):
    write_playbook(tmp_path, base)
    taken = snapshot(load("plans"))
    assert taken.root == "plans"
    assert list(taken.nodes) == list(load("plans").nodes)  # by id, in the playbook's order
    plan = taken.nodes["plan-a"]
    assert (plan.kind, plan.id, plan.title) == ("plan", "plan-a", "Plan A")
    assert (plan.owner, plan.owner_kind, plan.function) == (None, None, "marketing")
    assert plan.fields["title"] == "Plan A" and plan.fields["owner"] is None
    assert plan.fields["start"] == "2027-02-01"  # dates in ISO form
    assert plan.fields["markets"] == []
    assert {"id", "kind", "supports", "depends_on", "metrics"}.isdisjoint(plan.fields)
    assert plan.links == {"supports": ["est-a"], "depends_on": []}
    assert plan.parents == ["est-a"]
    assert plan.facts == {}
    metric = taken.nodes["met-a"]
    assert (metric.owner, metric.owner_kind, metric.function) == ("plan-a", "plan", "marketing")
    assert metric.links == {"drives": ["sf-a"]} and "drives" not in metric.fields
    assert metric.parents == []  # a metric drives an outcome; it hangs from no rung
    estimate = taken.nodes["est-a"]
    assert (estimate.owner, estimate.function, estimate.parents) == (
        "marketing",
        "marketing",
        ["kt-a"],
    )
    assert taken.nodes["sf-a"].parents == ["m"]  # a success factor hangs from the mission
    mission = taken.nodes["m"].fields
    assert "success_factors" not in mission and mission["horizon"]["start"] == "2027-01-01"
    assert taken.nodes["marketing"].fields.get("estimates") is None
    assert taken.coverage == [
        RungCoverage("success_factor", "success factors", 1, 1),
        RungCoverage("key_task", "key tasks", 1, 1),
        RungCoverage("estimate", "estimates", 1, 1),
        RungCoverage("plan", "plans", 1, 1),
    ]
    assert taken.findings == []


def test_a_snapshot_reads_back_from_json_as_it_was(write_playbook, tmp_path, base):
    files = {
        **base,
        "mission.yaml": base["mission.yaml"]
        + "environment:\n  markets: [{id: auto, name: Automotive}]\n",
        "functions/marketing/plan-b.yaml": "kind: plan\nid: plan-b\ntitle: B\n"
        "function: marketing\nsupports: [est-a, nowhere]\ndepends_on: [plan-a]\n"
        "milestones: [{name: Launch, date: 2027-03-01}]\nbudget: 1.5\n",
    }
    write_playbook(tmp_path, files)
    taken = snapshot(load("plans"))
    assert taken.findings and taken.nodes["auto"].owner == "m"
    assert "markets" not in taken.nodes["m"].fields["environment"]  # a nested node of its own
    text = json.dumps(taken.to_json(), allow_nan=False)  # plain JSON
    back = Snapshot.from_json(json.loads(text))
    assert back == taken
    assert back is not None and list(back.nodes) == list(taken.nodes)


#: Imports a module in a fresh interpreter and prints the product's modules it loaded.
IMPORTS = (
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "print('\\n'.join(m for m in sys.modules if m.startswith('mission_playbook')))\n"
)


def imported_by(module: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator")}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, module],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(done.stdout.split())


def test_the_comparison_is_core_it_imports_no_command_and_no_view():
    for module in (
        "mission_playbook.compare.diff",
        "mission_playbook.compare.snapshot",
        "mission_playbook.compare.revisions",
    ):
        loaded = imported_by(module)
        assert module in loaded  # the probe sees what it imports
        assert "mission_playbook.model.ladder" in loaded
        assert "mission_playbook.cli" not in loaded
        assert "mission_playbook.views.textsafe" not in loaded
        shells = ("mission_playbook.cli", "mission_playbook.views", "mission_playbook.plugin")
        assert [m for m in loaded if m.startswith(shells)] == []
    views = imported_by("mission_playbook.views.changes")
    assert "mission_playbook.views.textsafe" in views  # the output escapes plan text
    assert [m for m in views if m.startswith("mission_playbook.cli")] == []
