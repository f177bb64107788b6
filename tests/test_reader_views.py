"""The reader's site, below the browser: why a node exists (every path up), the metric ladder
as a tree, the synchronization timeline, the funnel chart's scale, numbers and currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from mission_playbook import load
from mission_playbook.playbook import Playbook
from mission_playbook.views import funnel, pages, timeline, trace
from mission_playbook.views.queries import Queries

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "plans"


@pytest.fixture(scope="module")
def sample() -> Playbook:
    playbook = load(SAMPLE)
    assert playbook.errors == 0
    return playbook


# --- why a node exists ---------------------------------------------------------------------


def every_path_up(playbook: Playbook, node_id: str) -> set[tuple[str, ...]]:
    """Every (success factor, ..., parent) chain above a node, found the slow way."""
    ladder = playbook.ladder
    out: set[tuple[str, ...]] = set()

    def walk(node_id: str, below: tuple[str, ...]) -> None:
        node = ladder.nodes[node_id]
        if node.kind == "success_factor":
            out.add((node.id, *below))
            return
        for parent in ladder.up(node):
            walk(parent.id, (parent.id, *below) if parent.kind != "success_factor" else below)

    walk(node_id, ())
    return out


@pytest.mark.parametrize("kind", ["plan", "estimate", "key_task"])
def test_why_a_node_exists_lists_every_path_up(sample: Playbook, kind: str) -> None:
    several = 0
    for node in sample.ladder.of_kind(kind):
        found = trace.paths_up(sample.ladder, node)
        paths = {(r.factor.id, *(n.id for n in p)) for r in found.reasons for p in r.paths}
        assert paths == every_path_up(sample, node.id), node.id
        factors = [r.factor.id for r in found.reasons]
        assert len(factors) == len(set(factors))  # grouped: each factor once
        several += len(paths) > 1
    assert several, f"no {kind} of the sample has more than one path up"


def test_a_function_exists_for_the_key_tasks_its_estimates_answer(sample: Playbook) -> None:
    marketing = sample.nodes["marketing"]
    found = trace.paths_up(sample.ladder, marketing)
    estimates = {p[-1].id for r in found.reasons for p in r.paths}
    assert estimates == {
        e.id for e in sample.ladder.of_kind("estimate") if e.owner and e.owner.id == "marketing"
    }


def test_paths_up_are_capped_and_counted(sample: Playbook) -> None:
    plan = sample.nodes["mkt-demand-engine"]
    total = len(every_path_up(sample, plan.id))
    assert total > 2
    found = trace.paths_up(sample.ladder, plan, limit=2)
    assert sum(len(r.paths) for r in found.reasons) == 2
    assert found.more == total - 2


def test_the_trail_of_a_plan_names_every_success_factor_it_serves(sample: Playbook) -> None:
    page = pages.render_pages(sample)["plans/mkt-demand-engine.md"]
    trail = page[page.index("Why this exists") : page.index("# ")]
    for factor_id, *_ in every_path_up(sample, "mkt-demand-engine"):
        assert f"../factors/{factor_id}/" in trail


# --- the metric ladder is a tree -------------------------------------------------------------

METRICS_PLAN = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
metrics:
  - {id: m-zeta, name: Zeta wins, type: outcome, drives: sf-a}
  - {id: m-alpha, name: Alpha wins, type: outcome, drives: sf-a}
  - {id: m-zeta-leads, name: Zeta leads, type: leading, drives: m-zeta}
  - {id: m-alpha-leads, name: Alpha leads, type: leading, drives: m-alpha}
  - {id: m-alpha-calls, name: Alpha calls, type: activity, drives: m-alpha-leads}
"""


def test_the_metric_ladder_page_says_what_each_metric_drives(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    playbook = check({**base, "functions/marketing/plan-a.yaml": METRICS_PLAN})
    assert playbook.errors == 0, [str(d) for d in playbook.diagnostics]
    page = pages.render_pages(playbook)["metrics.md"]
    # a "Drives" column names each metric's parent
    assert '<td data-label="Drives"><a href="#m-alpha-leads">Alpha leads</a>' not in page
    assert (
        '<td data-label="Drives"><a href="../plans/plan-a/#m-alpha-leads">Alpha leads</a></td>'
        in page
    )


# --- the synchronization timeline ------------------------------------------------------------


def test_timeline_places_each_plan_on_the_horizon(sample: Playbook) -> None:
    t = Queries(sample).timeline()
    assert t is not None
    assert (t.start, t.end) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert [tick.label for tick in t.ticks] == ["2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"]
    assert sum(tick.width for tick in t.ticks) == pytest.approx(100)
    days = 365
    bars = {bar.plan.id: bar for lane in t.lanes for bar in lane.bars}
    dated = [p for p in sample.ladder.of_kind("plan") if p.data.start and p.data.end]
    assert set(bars) == {p.id for p in dated}
    for plan in dated:
        bar = bars[plan.id]
        assert bar.left == pytest.approx(100 * (plan.data.start - t.start).days / days, abs=0.01)
        length = (plan.data.end - plan.data.start).days + 1
        assert bar.width == pytest.approx(100 * length / days, abs=0.01)
        assert [m.title for m in bar.marks] == [m.title for m in plan.data.milestones if m.date]
        for mark in bar.marks:
            assert bar.left <= mark.at <= bar.left + bar.width
    for lane in t.lanes:  # each plan after what it depends on
        order = [bar.plan.id for bar in lane.bars]
        for bar in lane.bars:
            for dep in bar.plan.data.depends_on:
                if dep in order:
                    assert order.index(dep) < order.index(bar.plan.id)


def test_timeline_cuts_plans_at_the_horizon_and_counts_the_rest(
    check: Callable[..., Playbook], base: dict[str, str]
) -> None:
    plans = {
        f"functions/marketing/p{i}.yaml": base["functions/marketing/plan-a.yaml"]
        .replace("plan-a", f"p{i}")
        .replace("met-a", f"met-{i}")
        .replace("start: 2027-02-01", "start: 2026-11-01" if i == 0 else "start: 2027-02-01")
        for i in range(5)
    }
    playbook = check({**base, **plans})
    pb = Queries(playbook)
    functions = pb.of_kind("function")
    t = timeline.layout(functions, pb.plans_of, dt.date(2027, 1, 1), dt.date(2027, 12, 31), 3)
    lane = t.lanes[0]
    assert len(lane.bars) == 3 and lane.more == 3  # plan-a and p0..p4: six plans
    early = next(b for b in lane.bars if b.plan.id == "p0")
    assert early.left == 0 and early.width == pytest.approx(100 * 90 / 365, abs=0.01)


# --- the funnel chart ------------------------------------------------------------------------


def test_funnel_bars_keep_the_smallest_stage_visible(sample: Playbook) -> None:
    w = sample.waterfalls[0]
    bars = funnel.bars(w.stages)
    widths = [b.needed for b in bars]
    assert widths == sorted(widths, reverse=True)  # needs never grow down the funnel
    assert max(widths + [b.yielded or 0 for b in bars]) == funnel.MAX_WIDTH  # 4,500 yielded
    # 4,445 against 50: on a linear scale the last bar would be 1% of the first
    assert widths[-1] > 0.25 * widths[0]
    for bar in bars:
        assert bar.yielded is not None and bar.yielded >= bar.needed  # the sample is covered


# --- numbers as readers read them -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "up", "shown"),
    [
        (0.15, False, "15%"),
        (0.5, False, "50%"),
        (1, False, "100%"),
        (Fraction(20, 27), False, "74.1%"),
        (Fraction(20, 27), True, "74.1%"),
        (Fraction(10, 27), False, "37%"),
        (Fraction(10, 27), True, "37.1%"),
        (0.1234, False, "12.3%"),
    ],
)
def test_percent(value: object, up: bool, shown: str) -> None:
    assert Queries.percent(value, up=up) == shown


def test_amounts_carry_the_playbooks_currency(sample: Playbook) -> None:
    assert sample.mission is not None and sample.mission.data.currency == "USD"
    page = pages.render_pages(sample)["waterfall.md"]
    assert "USD\u00a010,000,000" in page and "USD\u00a05,000,000" in page
    assert "USD\u00a0620,000" in pages.render_pages(sample)["plans/mkt-demand-engine.md"]
