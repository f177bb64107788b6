"""The demand waterfall's arithmetic: exact fractions, rounding up only at the end."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mission_playbook.checks.waterfall import MONTHS, convert, exact, required_volumes
from mission_playbook.model import records
from mission_playbook.model.kinds import Sla

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
