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


def test_the_sample_has_a_quarter_of_checkins(sample):
    assert str(sample.as_of) == "2027-03-31"
    assert [n.id for n in sample.actuals.checkins] == [
        "actuals-2027-01-31",
        "actuals-2027-02-28",
        "actuals-2027-03-31",
    ]
    monthly = sample.actuals.readings["mkt-demand-engine-mqls"]
    assert [str(r.period) for r in monthly] == ["2027-01", "2027-02", "2027-03"]


def test_some_of_the_sample_is_on_track_and_some_is_not(sample):
    factors, plans = sample.statuses.counts("success_factor"), sample.statuses.counts("plan")
    assert factors.on_track and factors.at_risk and factors.off_track
    assert plans.on_track and plans.at_risk and plans.off_track and plans.no_data
    assert factors.no_data == 0  # every success factor is reported


def test_the_sample_funnel_lapses_where_sales_accepts_leads(sample):
    (funnel,) = sample.funnels
    assert [str(p.period) for p in funnel.periods] == ["2027-01", "2027-02", "2027-03", "2027-Q1"]
    lapses = {str(p.lapse) for p in funnel.periods if p.lapse is not None}
    assert len(lapses) == 4
    assert all(lapse.startswith("mql (marketing) → sal (sales): ") for lapse in lapses)
    quarter = funnel.periods[-1]
    assert quarter.summed
    shorts = {s.stage.id: s.short for s in quarter.stages}
    assert shorts["inquiry"] == shorts["mql"] == 0  # Marketing met its volumes
    assert shorts["sal"] > 0  # the lapse: Sales short of what the target needs
