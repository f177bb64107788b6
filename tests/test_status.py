"""Statuses against actuals: every rule of docs/model.md's "Actuals", the roll-up, PB015, PB016.

The playbook is the minimal one of ``conftest.py`` (horizon 2027-01-01 to 2027-12-31, 364 days
from start to end) with its plan's metric replaced by the one a test describes, and check-ins
written here. Expected values are worked out by hand in each test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from mission_playbook.checks.status import Counts, Status, Thresholds, compare, worst
from mission_playbook.cli import main
from mission_playbook.model.config import ConfigError, Settings, settings_from_options
from mission_playbook.model.diagnostics import Severity
from mission_playbook.playbook import Playbook

ON, RISK, OFF, NONE = Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA


def plan(metrics: str, *, start: str = "2027-01-04", end: str = "2027-12-17") -> str:
    return (
        "kind: plan\nid: plan-a\ntitle: Plan A\nfunction: marketing\nsupports: [est-a]\n"
        f"start: {start}\nend: {end}\nmetrics:\n{metrics}"
    )


def metric(
    mid: str = "met-a", mtype: str = "outcome", drives: str = "sf-a", **fields: object
) -> str:
    text = f"  - id: {mid}\n    name: {mid}\n"
    for key, value in fields.items():
        text += f"    {key}: {value}\n"
    return text + f"    type: {mtype}\n    drives: {drives}\n"


def checkin(as_of: str, *values: tuple[str, object, str | None], cid: str | None = None) -> str:
    text = f"kind: checkin\nid: {cid or 'ci-' + as_of}\nas_of: {as_of}\nvalues:\n"
    for mid, value, period in values:
        text += f"  - metric: {mid}\n    value: {value}\n"
        if period:
            text += f"    period: {period}\n"
    return text


def load(check, base, metrics: str, *checkins: str, settings=None, **dates: str) -> Playbook:
    files = {**base, "functions/marketing/plan-a.yaml": plan(metrics, **dates)}
    for i, text in enumerate(checkins):
        files[f"actuals/{i}.yaml"] = text
    return check(files, settings)


def status_of(pb: Playbook, node_id: str) -> Status:
    found = pb.status(node_id)
    assert found is not None, node_id
    return found.status


# --- the comparison itself ----------------------------------------------------------------------

TH = Thresholds()


@pytest.mark.parametrize(
    ("actual", "expected", "direction", "status"),
    [
        (100, 100, "increase", ON),
        (120, 100, "increase", ON),
        (85, 100, "increase", RISK),  # exactly 85 % of the way there
        (84, 100, "increase", OFF),
        (-5, 100, "increase", OFF),
        (90, 100, "decrease", ON),
        (100, 100, "decrease", ON),
        (110, 100, "decrease", RISK),  # 100 / 110 = 0.91
        (118, 100, "decrease", OFF),  # 100 / 118 = 0.847
        (105, 100, "maintain", ON),  # within the 5 % tolerance
        (95, 100, "maintain", ON),
        (106, 100, "maintain", RISK),
        (80, 100, "maintain", RISK),  # 20 off: the tolerance and another 15 %
        (79, 100, "maintain", OFF),
        (121, 100, "maintain", OFF),
    ],
)
def test_compare(actual, expected, direction, status):
    assert compare(Fraction(actual), Fraction(expected), direction, TH) is status


def test_thresholds_change_the_boundaries():
    loose = Thresholds(Fraction(1, 2), Fraction(1, 10))
    assert compare(Fraction(60), Fraction(100), "increase", loose) is RISK
    assert compare(Fraction(49), Fraction(100), "increase", loose) is OFF
    assert compare(Fraction(109), Fraction(100), "maintain", loose) is ON


def test_worst_ignores_no_data_unless_there_is_nothing_else():
    assert worst([ON, NONE, RISK]) is RISK
    assert worst([NONE, ON]) is ON
    assert worst([NONE]) is NONE
    assert worst([]) is NONE


def test_counts_are_by_status_in_words():
    counts = Counts.of([ON, OFF, ON, NONE])
    assert (counts[ON], counts[RISK], counts[OFF], counts[NONE]) == (2, 0, 1, 1)
    assert str(counts) == "2 on track, 0 at risk, 1 off track, 1 no data"
    assert counts.total == 4


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "status"), [(100, ON), (86, RISK), (84, OFF)])
def test_a_rate_compares_each_complete_period_with_its_target(check, base, value, status):
    pb = load(
        check,
        base,
        metric(target=100, per="month"),
        checkin("2027-02-28", ("met-a", 120, "2027-01"), ("met-a", value, "2027-02")),
    )
    found = pb.status("met-a")
    assert found is not None
    assert [p.status for p in found.points] == [ON, status]
    assert found.status is status  # the latest period's
    assert (found.actual, found.expected, found.target) == (value, 100, 100)
    assert str(found.period) == "2027-02"


@pytest.mark.parametrize(("value", "status"), [(49, ON), (42, RISK), (41, OFF)])
def test_the_period_in_progress_is_compared_pro_rata(check, base, value, status):
    # 15 of March's 31 days: 100 × 15/31 = 48.39 expected; 85 % of it is 41.13
    pb = load(
        check, base, metric(target=100, per="month"), checkin("2027-03-15", ("met-a", value, None))
    )
    found = pb.status("met-a")
    assert found is not None and found.latest is not None
    assert found.expected == Fraction(1500, 31)
    assert found.latest.pro_rata == Fraction(15, 31)
    assert found.latest.in_progress
    assert found.status is status


def test_pro_rata_uses_the_date_of_the_actual_not_the_latest_checkin(check, base):
    pb = load(
        check,
        base,
        metric(target=100, per="month") + metric("met-b", "leading", "met-a", target=1, per="year"),
        checkin("2027-03-15", ("met-a", 49, None)),
        checkin("2027-03-31", ("met-b", 1, None)),
    )
    assert pb.as_of is not None and str(pb.as_of) == "2027-03-31"
    assert status_of(pb, "met-a") is ON  # 49 against 48.39, as of 2027-03-15


def test_a_ratio_is_compared_whole_while_its_period_runs(check, base):
    pb = load(
        check,
        base,
        metric(target=60, per="month", measure="ratio"),
        checkin("2027-03-15", ("met-a", 55, None)),
    )
    found = pb.status("met-a")
    assert found is not None and found.latest is not None
    assert (found.expected, found.latest.pro_rata, found.status) == (60, 1, RISK)


def test_a_decreasing_rate(check, base):
    pb = load(
        check,
        base,
        metric(target=30, per="quarter", direction="decrease", measure="ratio"),
        checkin("2027-03-31", ("met-a", 33, "2027-Q1")),
    )
    found = pb.status("met-a")
    assert found is not None and found.latest is not None
    assert found.status is RISK  # 30 / 33 = 0.91
    assert found.latest.share == Fraction(30, 33)


# --- levels -------------------------------------------------------------------------------------

# 2027-07-02 is day 182 of the 364 from start to end: exactly half way.


@pytest.mark.parametrize(("value", "status"), [(150, ON), (128, RISK), (127, OFF)])
def test_a_level_follows_the_path_from_baseline_to_target(check, base, value, status):
    pb = load(
        check, base, metric(baseline=100, target=200), checkin("2027-07-02", ("met-a", value, None))
    )
    found = pb.status("met-a")
    assert found is not None
    assert found.expected == 150
    assert found.status is status


def test_a_running_total_starts_from_zero(check, base):
    pb = load(
        check,
        base,
        metric(baseline=120, target=200, measure="total"),
        checkin("2027-07-02", ("met-a", 100, None)),
    )
    found = pb.status("met-a")
    assert found is not None
    assert (found.expected, found.status) == (100, ON)


def test_a_level_without_baseline_is_compared_with_its_target(check, base):
    pb = load(check, base, metric(target=200), checkin("2027-07-02", ("met-a", 150, None)))
    found = pb.status("met-a")
    assert found is not None
    assert (found.expected, found.status) == (200, OFF)


def test_by_ends_the_path_early(check, base):
    # by 2027-06-30: 180 days; on 2027-03-31, 89 of them
    pb = load(
        check,
        base,
        metric(baseline=0, target=180, by="2027-06-30"),
        checkin("2027-03-31", ("met-a", 89, None)),
        checkin("2027-08-01", ("met-a", 170, None)),
    )
    found = pb.status("met-a")
    assert found is not None
    assert [p.expected for p in found.points] == [89, 180]
    assert [p.status for p in found.points] == [ON, RISK]


def test_a_decreasing_level(check, base):
    # 118 → 90: half way is 104
    pb = load(
        check,
        base,
        metric(baseline=118, target=90, direction="decrease"),
        checkin("2027-07-02", ("met-a", 110, None)),
    )
    found = pb.status("met-a")
    assert found is not None
    assert (found.expected, found.status) == (104, RISK)


def test_a_maintained_level_within_the_tolerance(check, base):
    pb = load(
        check,
        base,
        metric(baseline=90, target=95, direction="maintain"),
        checkin("2027-03-31", ("met-a", 91, None)),
    )
    found = pb.status("met-a")
    assert found is not None
    assert (found.expected, found.status) == (95, ON)


def test_thresholds_are_plugin_options(check, base):
    metrics = metric(target=100, per="month")
    ci = checkin("2027-01-31", ("met-a", 60, "2027-01"))
    assert status_of(load(check, base, metrics, ci), "met-a") is OFF
    loose = Settings(at_risk=0.5, tolerance=0.1)
    assert status_of(load(check, base, metrics, ci, settings=loose), "met-a") is RISK


def test_no_data_and_why(check, base):
    pb = load(
        check,
        base,
        metric(target=100, per="month") + metric("met-b", "leading", "met-a", target="TBD"),
        checkin("2027-01-31", ("met-b", 3, None)),
        start="2027-06-01",
    )
    a, b = pb.status("met-a"), pb.status("met-b")
    assert a is not None and b is not None
    assert (a.status, a.reason) == (NONE, "no actual yet")
    assert (b.status, b.reason) == (NONE, "no numeric target to compare with")


def test_the_owners_confidence_stays_beside_the_computed_status(check, base):
    text = checkin("2027-01-31", ("met-a", 50, "2027-01"))
    text += "    confidence: on-track\n    note: Two trade shows moved to February.\n"
    pb = load(check, base, metric(target=100, per="month"), text)
    found = pb.status("met-a")
    assert found is not None
    assert (found.status, found.confidence) == (OFF, "on-track")
    assert found.note == "Two trade shows moved to February."


# --- roll-up ------------------------------------------------------------------------------------


def test_a_plan_is_the_worst_of_its_outcome_metrics(check, base):
    metrics = (
        metric("met-a", target=100, per="month")
        + metric("met-b", target=100, per="month")
        + metric("met-c", "leading", "met-a", target=100, per="month")
    )
    pb = load(
        check,
        base,
        metrics,
        checkin(
            "2027-01-31", ("met-a", 100, "2027-01"), ("met-b", 90, "2027-01"), ("met-c", 1, None)
        ),
    )
    found = pb.status("plan-a")
    assert found is not None
    assert found.status is RISK  # met-c is off track, but only outcomes count
    assert [s.node.id for s in found.basis] == ["met-a", "met-b"]


def test_a_plan_without_outcome_metrics_is_the_worst_of_all(check, base):
    metrics = metric("met-a", "leading", target=10, per="month") + metric(
        "met-b", "activity", "met-a", target=10, per="month"
    )
    pb = load(check, base, metrics, checkin("2027-01-31", ("met-a", 10, None), ("met-b", 1, None)))
    assert status_of(pb, "plan-a") is OFF


def test_a_success_factor_is_its_own_metric_when_it_has_actuals(check, base):
    mission = base["mission.yaml"] + "    metric:\n      name: Wins\n      target: 100\n"
    pb = load(
        check,
        {**base, "mission.yaml": mission},
        metric(target=10, per="month"),
        checkin("2027-01-31", ("met-a", 1, None), ("sf-a", 100, None)),
    )
    assert status_of(pb, "met-a") is OFF
    found = pb.status("sf-a")
    assert found is not None
    assert (found.status, found.actual) == (ON, 100)


def test_a_success_factor_without_actuals_is_the_worst_outcome_driving_it(check, base):
    metrics = (
        metric("met-a", target=10, per="month")
        + metric("met-b", "leading", "sf-a", target=10, per="month")
        + metric("met-c", "outcome", "met-a", target=10, per="month")
    )
    pb = load(
        check,
        base,
        metrics,
        checkin("2027-01-31", ("met-a", 10, None), ("met-b", 1, None), ("met-c", 9, None)),
    )
    found = pb.status("sf-a")
    assert found is not None
    assert found.status is RISK  # met-c, through met-a; met-b is leading
    assert sorted(s.node.id for s in found.basis) == ["met-a", "met-c"]


def test_estimates_key_tasks_and_functions_count_the_plans_beneath(check, base):
    second = (
        plan(metric("met-z", target=10, per="month"))
        .replace("plan-a", "plan-b")
        .replace("Plan A", "Plan B")
    )
    pb = load(
        check,
        {**base, "functions/marketing/plan-b.yaml": second},
        metric(target=10, per="month"),
        checkin("2027-01-31", ("met-a", 1, None)),
    )
    for node_id in ("est-a", "kt-a", "marketing"):
        found = pb.status(node_id)
        assert found is not None
        assert (found.plans.off_track, found.plans.no_data, found.status) == (1, 1, OFF), node_id
    assert pb.statuses.counts("plan") == Counts(off_track=1, no_data=1)


# --- PB015 and PB016 ------------------------------------------------------------------------------


def codes(pb: Playbook) -> list[tuple[str, int, int]]:
    return [(d.code, d.location.line, d.location.column) for d in pb.diagnostics]


def test_pb015_no_actual_for_the_last_complete_period(check, base):
    pb = load(
        check,
        base,
        metric(target=10, per="month"),
        checkin("2027-03-10", ("met-a", 9, "2027-01"), ("met-a", 3, "2027-03")),
    )
    assert codes(pb) == [("PB015", 12, 10)]  # the metric's `per` in the plan
    (finding,) = pb.diagnostics
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "'met-a' is reported per month but has no actual for 2027-02, its last complete month "
        "as of 2027-03-10: add it to a check-in"
    )


def test_pb015_once_the_plan_has_started_even_without_actuals(check, base):
    metrics = metric(target=10, per="month") + metric(
        "met-b", "leading", "met-a", baseline=0, target=5
    )
    ci = checkin("2027-03-10", ("met-b", 1, None))
    assert codes(load(check, base, metrics, ci, start="2027-02-15")) == [("PB015", 12, 10)]
    assert codes(load(check, base, metrics, ci, start="2027-03-01")) == []  # not yet started


def test_no_pb015_once_the_plan_has_ended(check, base):
    pb = load(
        check,
        base,
        metric(target=10, per="month"),
        checkin("2027-06-30", ("met-a", 9, "2027-01")),
        start="2027-01-04",
        end="2027-02-26",
    )
    assert codes(pb) == []


def test_no_pb015_without_checkins(check, base):
    assert codes(load(check, base, metric(target=10, per="month"))) == []


def test_pb016_is_off_unless_a_team_opts_in(check, base):
    metrics = metric(target=100, per="month")
    ci = checkin("2027-01-31", ("met-a", 40, "2027-01"))
    assert codes(load(check, base, metrics, ci)) == []
    strict = Settings(severity={"PB016": Severity.ERROR})
    pb = load(check, base, metrics, ci, settings=strict)
    assert codes(pb) == [("PB016", 6, 12)]  # the value in the check-in
    assert pb.diagnostics[0].message == "'met-a' is off track: 40 for 2027-01 against 100 expected"
    assert str(pb.diagnostics[0].related[0]) == "plans/functions/marketing/plan-a.yaml:11:13"


# --- the check's summary line -------------------------------------------------------------------


def test_the_summary_line_adds_the_status_counts_and_the_as_of_date(
    write_playbook, tmp_path, base, capsys
):
    write_playbook(
        tmp_path,
        {
            **base,
            "functions/marketing/plan-a.yaml": plan(metric(target=100, per="month")),
            "actuals/2027-01-31.yaml": checkin("2027-01-31", ("met-a", 90, None)),
        },
    )
    assert main(["check", "--plans", "plans"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(
        " | as of 2027-01-31: success factors 0 on track, 1 at risk, 0 off track, 0 no data; "
        "plans 0 on track, 1 at risk, 0 off track, 0 no data"
    )


def test_without_checkins_the_summary_line_is_as_before(write_playbook, tmp_path, base, capsys):
    write_playbook(tmp_path, base)
    assert main(["check", "--plans", "plans"]) == 0
    assert "as of" not in capsys.readouterr().out


# --- the options ----------------------------------------------------------------------------------


def test_the_thresholds_are_read_from_the_plugin_options(tmp_path):
    settings = settings_from_options({"at_risk": 0.9, "tolerance": 0}, tmp_path)
    assert (settings.at_risk, settings.tolerance) == (0.9, 0)
    assert Thresholds.of(settings.at_risk, settings.tolerance) == Thresholds(Fraction(9, 10), 0)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"at_risk": 0}, "at_risk must be a number above 0 and at most 1"),
        ({"at_risk": 85}, "not 85"),
        ({"at_risk": "0.85"}, "not '0.85'"),
        ({"at_risk": True}, "not True"),
        ({"tolerance": 1}, "tolerance must be a number at least 0 and below 1"),
        ({"tolerance": -0.1}, "not -0.1"),
        ({"tolerance": float("nan")}, "not nan"),
        ({"at_risk_share": 0.8}, "unknown option 'at_risk_share'; did you mean 'at_risk'?"),
    ],
)
def test_bad_thresholds_are_clear_configuration_errors(tmp_path, options, words):
    with pytest.raises(ConfigError, match="playbook plugin: ") as caught:
        settings_from_options(options, tmp_path)
    assert words in str(caught.value)
