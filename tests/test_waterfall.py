"""The demand waterfall's arithmetic: exact fractions, rounding up only at the end."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mission_playbook.checks import waterfall
from mission_playbook.checks.waterfall import MONTHS, Waterfall, convert, exact, required_volumes
from mission_playbook.model import records
from mission_playbook.model.diagnostics import Findings, Location
from mission_playbook.model.kinds import Commitment, Sla
from mission_playbook.model.ladder import Ladder, Node

WORKED = [("inquiry", 0.15), ("mql", 0.5), ("sal", 0.6), ("opportunity", 0.25), ("won", None)]


def sla(
    stages: list[tuple[str, Any]] = WORKED,
    *,
    revenue_target: Any = 10_000_000,
    run_rate_share: Any = 0.5,
    marketing_share: Any = 1,
    average_deal: Any = 100_000,
    period: str = "quarter",
) -> Sla:
    return records.validate(
        Sla,
        {
            "kind": "sla",
            "id": "sla",
            "period": period,
            "revenue_target": revenue_target,
            "run_rate_share": run_rate_share,
            "marketing_share": marketing_share,
            "average_deal": average_deal,
            "stages": [
                {"id": sid, "owner": "marketing", **({} if c is None else {"conversion": c})}
                for sid, c in stages
            ],
        },
    )


def needed(volumes: list[Fraction]) -> list[int]:
    return [math.ceil(v) for v in volumes]


def test_numbers_are_read_exactly_as_written():
    assert exact(0.15) == Fraction(3, 20)
    assert exact(0.1) == Fraction(1, 10)  # not 3602879701896397/36028797018963968
    assert exact("0.6") == Fraction(3, 5)
    assert exact(100_000) == Fraction(100_000)
    assert isinstance(exact(0.25), Fraction)


def test_the_worked_example_is_exact():
    volumes = required_volumes(sla())
    assert volumes == [
        Fraction(40_000, 9),
        Fraction(2_000, 3),
        Fraction(1_000, 3),
        Fraction(200),
        Fraction(50),
    ]
    assert all(isinstance(v, Fraction) for v in volumes)
    assert needed(volumes) == [4445, 667, 334, 200, 50]


def test_rounding_up_happens_only_at_the_end():
    # Rounding at every step would give sal 334 → mql 668 → inquiry 4,454.
    volumes = required_volumes(sla())
    assert needed(volumes)[:2] == [4445, 667]
    stepwise = 50
    for conversion in (0.25, 0.6, 0.5, 0.15):
        stepwise = math.ceil(Fraction(stepwise) / exact(conversion))
    assert stepwise == 4454
    assert needed(volumes)[0] != stepwise


def test_floats_would_have_gone_wrong():
    # 0.15 as a binary float is slightly above 0.15; exact arithmetic keeps 4,444.4... exact.
    assert required_volumes(sla())[0] * 9 == 40_000


@pytest.mark.parametrize(
    ("volume", "per", "period", "expected"),
    [
        (150, "month", "quarter", 450),
        (450, "quarter", "year", 1800),
        (150, "month", "year", 1800),
        (450, "quarter", "month", 150),
        (1800, "year", "quarter", 450),
        (1800, "year", "month", 150),
        (100, "month", "month", 100),
        (100, "quarter", "month", Fraction(100, 3)),
    ],
)
def test_period_conversion(volume, per, period, expected):
    assert convert(Fraction(volume), per, period) == expected


@settings(max_examples=100, deadline=None)
@given(
    volume=st.fractions(min_value=0, max_value=10**9),
    per=st.sampled_from(sorted(MONTHS)),
    period=st.sampled_from(sorted(MONTHS)),
)
def test_period_conversion_round_trips_exactly(volume, per, period):
    assert convert(convert(volume, per, period), period, per) == volume


def test_month_quarter_year_chain():
    month = Fraction(7)
    quarter = convert(month, "month", "quarter")
    year = convert(quarter, "quarter", "year")
    assert (quarter, year) == (21, 84)
    assert convert(year, "year", "month") == month


def test_zero_run_rate_needs_the_whole_target():
    volumes = required_volumes(sla(run_rate_share=0))
    assert volumes[-1] == 100  # 10,000,000 / 100,000
    assert needed(volumes) == [8889, 1334, 667, 400, 100]


def test_run_rate_of_one_needs_nothing():
    volumes = required_volumes(sla(run_rate_share=1))
    assert volumes == [0, 0, 0, 0, 0]
    assert needed(volumes) == [0, 0, 0, 0, 0]


def test_marketing_share_scales_the_gap():
    volumes = required_volumes(sla(marketing_share=0.5))
    assert volumes[-1] == 25
    assert needed(volumes) == [2223, 334, 167, 100, 25]


def test_conversion_of_exactly_one_passes_everything_on():
    stages = [("inquiry", 1), ("mql", 1.0), ("won", None)]
    assert required_volumes(sla(stages)) == [50, 50, 50]


@pytest.mark.parametrize("bad", [0, -0.5, 1.01, 2])
def test_an_unusable_conversion_gives_no_waterfall(bad):
    stages = [("inquiry", 0.15), ("mql", bad), ("won", None)]
    assert required_volumes(sla(stages)) is None


def test_a_missing_conversion_gives_no_waterfall():
    assert required_volumes(sla([("inquiry", None), ("won", None)])) is None


def test_the_last_stage_conversion_is_ignored():
    with_conversion = required_volumes(sla([("mql", 0.5), ("won", 0.3)]))
    assert with_conversion == [100, 50]


def test_a_single_stage_needs_the_deals():
    assert required_volumes(sla([("won", None)])) == [50]


def test_no_stages_or_no_deal_size_gives_no_waterfall():
    assert required_volumes(sla([])) is None
    assert required_volumes(sla(average_deal=0)) is None


CONVERSIONS = st.decimals(min_value="0.001", max_value="1", places=3).map(str)


@settings(max_examples=150, deadline=None)
@given(
    conversions=st.lists(CONVERSIONS, min_size=0, max_size=6),
    revenue=st.integers(min_value=0, max_value=10**12),
    run_rate=st.decimals(min_value=0, max_value=1, places=2).map(str),
    deal=st.integers(min_value=1, max_value=10**7),
)
def test_volumes_never_grow_down_the_funnel_and_round_up(conversions, revenue, run_rate, deal):
    stages = [(f"s{i}", float(c)) for i, c in enumerate(conversions)] + [("won", None)]
    volumes = required_volumes(
        sla(stages, revenue_target=revenue, run_rate_share=float(run_rate), average_deal=deal)
    )
    assert volumes is not None
    assert len(volumes) == len(stages)
    assert volumes[-1] == Fraction(revenue) * (1 - Fraction(run_rate)) / deal
    for upper, lower in pairwise(volumes):
        assert upper >= lower
    for exact_need in volumes:
        count = math.ceil(exact_need)
        assert count >= exact_need
        assert count - exact_need < 1
    for (_, conversion), upper, lower in zip(stages, volumes, volumes[1:], strict=False):
        assert upper * Fraction(str(conversion)) == lower


# --- forward again: what the commitments yield, and the levers ---------------------------------


class _Doc:
    """Where findings of a hand-made SLA point (any place will do)."""

    file = "sla.yaml"

    def loc(self, path: object) -> Location:
        return Location("sla.yaml", 1, 1)


def computed(
    stages: list[tuple[str, Any]] = WORKED, commitments: dict[str, tuple[Any, str]] | None = None
) -> Waterfall:
    """The waterfall of the worked example with ``{stage: (volume, per)}`` committed."""
    data = records.replace(
        sla(stages),
        commitments=[
            records.validate(Commitment, {"party": "marketing", "stage": s, "volume": v, "per": p})
            for s, (v, p) in (commitments or {}).items()
        ],
    )
    ladder = Ladder()
    top = ladder.nodes["sla"] = Node("sla", "sla", data, _Doc())  # type: ignore[arg-type]
    for i, stage in enumerate(data.stages):
        ladder.nodes[stage.id] = Node("stage", stage.id, stage, top.doc, ("stages", i), top)
    found = waterfall.check(ladder, Findings())
    assert len(found) == 1
    return found[0]


#: The seed's promise: 150 MQLs a month, every other stage committed as needed.
SHORT = {
    "inquiry": (1500, "month"),
    "mql": (150, "month"),
    "sal": (340, "quarter"),
    "opportunity": (200, "quarter"),
    "won": (50, "quarter"),
}


def test_a_shortfall_carries_down_the_funnel():
    w = computed(commitments=SHORT)
    assert [s.flow for s in w.stages] == [4500, 450, 225, 135, Fraction(135, 4)]
    assert [s.yielded for s in w.stages] == [4500, 450, 225, 135, 33]
    assert [s.short for s in w.stages] == [0, 217, 109, 65, 17]
    # the commitment alone covers the SAL stage; what reaches it does not
    assert w.stages[2].gap == 0 and w.stages[2].short == 109
    assert w.first_short is w.stages[1]
    assert w.outcome is w.stages[-1]


def test_the_shown_yield_and_shortfall_add_up_to_the_need():
    w = computed(commitments=SHORT)
    for s in w.stages:
        if s.short:
            assert s.yielded + s.short == s.needed


def test_commitments_that_cover_every_stage_yield_every_need():
    covered = {**SHORT, "mql": (225, "month")}
    w = computed(commitments=covered)
    assert [s.short for s in w.stages] == [0, 0, 0, 0, 0]
    assert w.first_short is None
    assert all(s.flow is not None and s.flow >= s.required for s in w.stages)


def test_nothing_is_yielded_above_the_first_commitment():
    w = computed(commitments={"sal": (340, "quarter")})
    assert [s.flow for s in w.stages] == [None, None, 340, 204, 51]
    assert w.stages[0].yielded is None and w.stages[0].short == 0
    assert computed().outcome is None  # no commitment at all: nothing to say


def test_one_point_more_at_each_stage():
    levers = waterfall.levers(computed(commitments=SHORT))
    top = Fraction(40_000, 9)
    assert [lv.stage.id for lv in levers] == ["inquiry", "mql", "sal", "opportunity"]
    for lever, conversion in zip(levers, [0.15, 0.5, 0.6, 0.25], strict=True):
        assert lever.conversion == exact(conversion)
        assert lever.better == exact(conversion) + Fraction(1, 100)
        assert lever.top_needed == math.ceil(top * lever.conversion / lever.better)
        assert lever.fewer == 4445 - lever.top_needed
    # not four equal rows: the weakest conversion is the strongest lever
    assert [lv.fewer for lv in levers] == [278, 87, 73, 171]


def test_the_conversion_that_closes_the_shortfall():
    levers = {lv.stage.id: lv for lv in waterfall.levers(computed(commitments=SHORT))}
    assert levers["inquiry"].closes_at is None
    assert levers["inquiry"].capped_by is not None and levers["inquiry"].capped_by.id == "mql"
    assert levers["mql"].closes_at == Fraction(20, 27)  # 334 SALs from 450 MQLs: 74.1%
    assert levers["sal"].closes_at == Fraction(8, 9)
    assert levers["opportunity"].closes_at == Fraction(10, 27)


def test_a_shortfall_no_conversion_can_close():
    w = computed(commitments={**SHORT, "mql": (10, "month")})
    levers = {lv.stage.id: lv for lv in waterfall.levers(w)}
    assert levers["mql"].above_one and levers["mql"].closes_at is None
    assert levers["opportunity"].closes_at is None and levers["opportunity"].above_one


def test_no_shortfall_nothing_to_close():
    w = computed(commitments={**SHORT, "mql": (225, "month")})
    assert all(lv.closes_at is None and lv.capped_by is None for lv in waterfall.levers(w))


def with_conversion(w: Waterfall, i: int, conversion: Fraction) -> list[Fraction | None]:
    """The yields of ``w`` with the conversion of stage ``i`` changed (held exactly)."""
    needs = [
        dataclasses.replace(
            need,
            stage=Node(
                "stage",
                need.stage.id,
                records.replace(need.stage.data, conversion=conversion),
                need.stage.doc,
            ),
        )
        if k == i
        else need
        for k, need in enumerate(w.stages)
    ]
    return waterfall.flows(needs)


@settings(max_examples=80, deadline=None)
@example(conversions=["0.15", "0.5", "0.6", "0.25"], committed=[4500, 450, 340, 200, 50])
@example(conversions=["0.15", "0.5", "0.6", "0.25"], committed=[4500, 675, 340, 120, None])
@given(
    conversions=st.lists(CONVERSIONS, min_size=1, max_size=4),
    committed=st.lists(
        st.one_of(st.none(), st.integers(min_value=1, max_value=20_000)), min_size=5
    ),
)
def test_the_closing_conversion_closes_the_shortfall_and_no_less_would(conversions, committed):
    stages = [(f"s{i}", float(c)) for i, c in enumerate(conversions)] + [("won", None)]
    pairs = zip(stages, committed, strict=False)
    w = computed(stages, {sid: (v, "quarter") for (sid, _), v in pairs if v is not None})
    last = w.stages[-1]
    for i, lever in enumerate(waterfall.levers(w)):
        if lever.closes_at is None:
            continue
        assert 0 < lever.closes_at <= 1
        assert with_conversion(w, i, lever.closes_at)[-1] >= last.required
        below = lever.closes_at - Fraction(1, 10**9)
        assert with_conversion(w, i, below)[-1] < last.required
