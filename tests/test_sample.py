"""The sample playbook in ``plans/`` loads clean and holds the worked example of docs/model.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from mission_playbook.playbook import Playbook, load

SAMPLE = Path(__file__).resolve().parents[1] / "plans"


@pytest.fixture(scope="module")
def sample() -> Playbook:
    return load(SAMPLE)


def test_the_sample_has_no_findings(sample):
    assert [str(d) for d in sample.diagnostics] == []


def test_the_sample_has_at_least_40_nodes(sample):
    assert len(sample.nodes) >= 40


def test_the_sample_has_one_mission_and_one_intent(sample):
    assert sample.mission is not None
    assert sample.intent is not None
    assert len(sample.of_kind("mission")) == 1
    assert len(sample.of_kind("intent")) == 1


def test_the_sample_functions(sample):
    functions = {n.id for n in sample.of_kind("function")}
    assert {"marketing", "sales", "sales-enablement", "customer-success"} <= functions


def test_every_rung_of_the_sample_is_covered(sample):
    for rung in sample.coverage():
        assert rung.total > 0, rung.label
        assert rung.covered == rung.total, rung.label


def test_every_plan_traces_up_to_the_mission(sample):
    for plan in sample.of_kind("plan"):
        kinds = [n.kind for n in sample.ladder.trace(plan)]
        assert kinds == ["mission", "success_factor", "key_task", "estimate", "plan"], plan


def test_the_sla_waterfall_is_the_worked_example(sample):
    assert len(sample.waterfalls) == 1
    waterfall = sample.waterfalls[0]
    assert waterfall.period == "quarter"
    assert waterfall.gap_revenue == 5_000_000
    needed = [(s.stage.id, s.needed) for s in waterfall.stages]
    assert needed == [
        ("inquiry", 4445),
        ("mql", 667),
        ("sal", 334),
        ("opportunity", 200),
        ("won", 50),
    ]
    assert [waterfall.stages[i].needed for i in range(5)] == [4445, 667, 334, 200, 50]
