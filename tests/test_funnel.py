"""The funnel against the SLA: volumes against need, conversions, the lapse, the re-forecast.

The SLA is the worked example of docs/model.md (10,000,000 a quarter, run rate 0.5, deals of
100,000, conversions 0.15 / 0.5 / 0.6 / 0.25: a quarter needs 4,445 inquiries, 667 MQLs,
334 SALs, 200 opportunities and 50 wins), Marketing owning the first two stages and Sales the
rest. Expected figures are worked out by hand in each test.
"""

from __future__ import annotations

from fractions import Fraction

from mission_playbook.checks.funnel import Funnel, FunnelPeriod, StageActual
from mission_playbook.playbook import Playbook

SLA = """\
kind: sla
id: sla
parties: [marketing, sales]
period: quarter
revenue_target: 10000000
run_rate_share: 0.5
average_deal: 100000
stages:
  - id: inquiry
    owner: marketing
    conversion: 0.15
  - id: mql
    owner: marketing
    conversion: 0.5
  - id: sal
    owner: sales
    conversion: 0.6
  - id: opportunity
    owner: sales
    conversion: 0.25
  - id: won
    owner: sales
commitments:
  - party: marketing
    stage: mql
    volume: 225
    per: month
  - party: sales
    stage: sal
    volume: 340
    per: quarter
"""

SALES = """\
kind: function
id: sales
name: Sales
estimates:
  - id: est-s
    title: Estimate S
    supports: [kt-a]
"""

SALES_PLAN = """\
kind: plan
id: plan-s
title: Plan S
function: sales
supports: [est-s]
metrics:
  - id: met-s
    name: Metric S
    type: outcome
    drives: sf-a
"""

STAGES = ("inquiry", "mql", "sal", "opportunity", "won")


def checkin(as_of: str, period: str, volumes: tuple[int, ...], cid: str = "") -> str:
    text = f"kind: checkin\nid: {cid or 'ci-' + period.lower()}\nas_of: {as_of}\nfunnel:\n"
    for stage, volume in zip(STAGES, volumes, strict=False):
        text += f"  - stage: {stage}\n    period: {period}\n    volume: {volume}\n"
    return text


def load(check, base, *checkins: str) -> Playbook:
    files = {
        **base,
        "sla.yaml": SLA,
        "functions/sales.yaml": SALES,
        "functions/sales/plan-s.yaml": SALES_PLAN,
    }
    for i, text in enumerate(checkins):
        files[f"actuals/{i}.yaml"] = text
    pb = check(files)
    assert [str(d) for d in pb.diagnostics] == []
    return pb


def funnel_of(pb: Playbook) -> Funnel:
    (funnel,) = pb.funnels
    return funnel


def by_stage(period: FunnelPeriod) -> dict[str, StageActual]:
    return {s.stage.id: s for s in period.stages}


QUARTER = (4500, 675, 270, 170, 45)


def test_each_stage_against_its_need_in_the_period(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", QUARTER))
    (period,) = funnel_of(pb).periods
    stages = by_stage(period)
    assert [(s.volume, s.needed, s.short) for s in period.stages] == [
        (4500, 4445, 0),
        (675, 667, 0),
        (270, 334, 64),
        (170, 200, 30),
        (45, 50, 5),
    ]
    assert stages["inquiry"].need == Fraction(40_000, 9)  # exact, rounded up only as a count
    assert period.pro_rata == 1 and not period.summed


def test_actual_conversions_beside_the_planned_ones(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", QUARTER))
    stages = by_stage(funnel_of(pb).periods[0])
    assert stages["inquiry"].actual_conversion == Fraction(675, 4500)
    assert stages["mql"].actual_conversion == Fraction(2, 5)
    assert stages["mql"].planned_conversion == Fraction(1, 2)
    assert stages["mql"].conversion_ratio == Fraction(4, 5)
    assert stages["won"].actual_conversion is None  # the last stage converts to nothing


def test_the_lapse_is_the_lowest_conversion_against_plan_with_both_owners(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", QUARTER))
    lapse = funnel_of(pb).periods[0].lapse
    assert lapse is not None
    assert (lapse.stage.stage.id, lapse.next.stage.id, lapse.ratio) == (
        "mql",
        "sal",
        Fraction(4, 5),
    )
    assert str(lapse) == "mql (marketing) → sal (sales): 40 % against 50 % planned"


def test_no_lapse_when_every_conversion_meets_its_plan(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", (4000, 600, 300, 180, 45)))
    assert funnel_of(pb).periods[0].lapse is None


def test_the_reforecast_at_the_actual_conversions(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", QUARTER))
    stages = funnel_of(pb).periods[0].stages
    # won 50; opportunity 50 ÷ (45/170); sal ÷ (170/270); mql ÷ 0.4; inquiry ÷ 0.15
    assert [s.reforecast for s in stages] == [
        Fraction(5000),
        Fraction(750),
        Fraction(300),
        Fraction(1700, 9),
        Fraction(50),
    ]


def test_no_reforecast_above_a_conversion_of_zero(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", (4000, 600, 0, 0, 0)))
    stages = funnel_of(pb).periods[0].stages
    assert stages[1].actual_conversion == 0  # no MQL became a SAL
    assert stages[2].actual_conversion is None  # no SAL to convert: the plan's 0.6 stands
    assert [s.reforecast for s in stages] == [None, None, Fraction(1000, 3), 200, 50]


def test_commitments_against_what_their_party_delivered(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", QUARTER))
    stages = by_stage(funnel_of(pb).periods[0])
    (mql,) = stages["mql"].commitments
    assert (mql.party, mql.committed, mql.delivered, mql.met) == ("marketing", 675, 675, True)
    (sal,) = stages["sal"].commitments
    assert (sal.party, sal.committed, sal.delivered, sal.short) == ("sales", 340, 270, 70)


def test_monthly_volumes_against_the_monthly_need_and_added_up_to_the_quarter(check, base):
    months = [
        checkin("2027-01-31", "2027-01", (1420, 214, 90, 55, 13)),
        checkin("2027-02-28", "2027-02", (1560, 238, 86, 52, 13)),
        checkin("2027-03-31", "2027-03", (1610, 246, 81, 50, 12)),
    ]
    pb = load(check, base, *months)
    periods = funnel_of(pb).periods
    assert [str(p.period) for p in periods] == ["2027-01", "2027-02", "2027-03", "2027-Q1"]
    january, quarter = periods[0], periods[3]
    assert quarter.summed and not january.summed
    assert [s.volume for s in quarter.stages] == [4590, 698, 257, 157, 38]
    assert by_stage(january)["inquiry"].need == Fraction(40_000, 27)
    assert [s.short for s in january.stages] == [62, 9, 22, 12, 4]
    (mql,) = by_stage(january)["mql"].commitments  # 225 a month
    assert (mql.committed, mql.short) == (225, 11)
    (sal,) = by_stage(january)["sal"].commitments  # 340 a quarter is 113.3 a month
    assert (sal.committed, sal.short) == (Fraction(340, 3), 24)


def test_a_quarter_missing_a_month_is_not_added_up(check, base):
    pb = load(
        check,
        base,
        checkin("2027-01-31", "2027-01", QUARTER),
        checkin("2027-03-31", "2027-03", QUARTER),
    )
    assert [str(p.period) for p in funnel_of(pb).periods] == ["2027-01", "2027-03"]


def test_the_period_in_progress_needs_its_share_to_date(check, base):
    # 14 of February's 28 days: half of the month's need
    pb = load(check, base, checkin("2027-02-14", "2027-02", (800, 120, 60, 36, 9)))
    (period,) = funnel_of(pb).periods
    assert period.pro_rata == Fraction(1, 2)
    inquiry = by_stage(period)["inquiry"]
    assert inquiry.need_to_date == Fraction(40_000, 54)
    assert (inquiry.needed, inquiry.short) == (741, 0)


def test_a_stage_left_out_has_no_volume(check, base):
    pb = load(check, base, checkin("2027-03-31", "2027-Q1", (4500, 675)))
    stages = funnel_of(pb).periods[0].stages
    assert [s.volume for s in stages] == [4500, 675, None, None, None]
    assert stages[1].actual_conversion is None
    assert stages[2].short is None and stages[2].commitments == ()


def test_no_funnel_without_volumes(check, base):
    pb = load(check, base)
    assert pb.funnels == []
