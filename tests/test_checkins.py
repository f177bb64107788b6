"""Check-ins load like every plan file: located findings for unknown ids, bad periods and dates.

Each test adds a check-in to the minimal playbook of ``conftest.py`` (horizon 2027; the success
factor sf-a without a metric) with plan-a's metrics replaced (``PLAN``). Lines and columns are
counted from the YAML written here (``HEAD`` draws them).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

from mission_playbook.authoring import rename
from mission_playbook.model.config import Settings
from mission_playbook.model.periods import parse
from mission_playbook.playbook import Playbook

ACTUALS = "plans/actuals/2027-03-31.yaml"

#: A plan whose metrics are a rate (per month) and a level, starting after the check-ins'
#: usual date (so that a metric without actuals is not stale); line numbers:
#:  9 - id: met-a       14 - id: met-level
#: 12     per: month    17     baseline: 10
PLAN = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
start: 2027-04-01
end: 2027-06-30
metrics:
  - id: met-a
    name: Metric A
    target: 100
    per: month
    type: outcome
    drives: sf-a
  - id: met-level
    name: A level
    baseline: 10
    target: 50
    type: leading
    drives: met-a
"""

#: Line numbers of the check-in written by ``checkin(...)``: 1 kind, 2 id, 3 as_of, 4 values:,
#: then each entry from line 5 (``  - metric:`` at column 5 for its value).
HEAD = "kind: checkin\nid: {id}\nas_of: {as_of}\n"


def checkin(
    values: str = "", funnel: str = "", *, as_of: str = "2027-03-31", id: str = "ci"
) -> str:
    text = HEAD.format(id=id, as_of=as_of)
    if values:
        text += "values:\n" + values
    if funnel:
        text += "funnel:\n" + funnel
    return text


def load(check, base, *files: tuple[str, str], settings: Settings | None = None) -> Playbook:
    written = {**base, "functions/marketing/plan-a.yaml": PLAN}
    for name, text in files:
        written[f"actuals/{name}"] = text
    return check(written, settings)


def found(pb: Playbook) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.location.file, d.location.line, d.location.column) for d in pb.diagnostics]


def message(pb: Playbook, code: str) -> str:
    (only,) = [d.message for d in pb.diagnostics if d.code == code]
    return only


def value(metric: str, v: object, period: str | None = None, extra: str = "") -> str:
    text = f"  - metric: {metric}\n"
    if period is not None:
        text += f"    period: {period}\n"
    return text + f"    value: {v}\n" + extra


# --- loading ----------------------------------------------------------------------------------


def test_a_good_checkin_loads_clean_and_sets_the_as_of_date(check, base):
    pb = load(
        check,
        base,
        ("2027-03-31.yaml", checkin(value("met-a", 120, "2027-03") + value("met-level", 20))),
    )
    assert found(pb) == []
    assert pb.as_of == dt.date(2027, 3, 31)
    (reading,) = pb.actuals.readings["met-a"]
    assert (reading.value, reading.period, reading.as_of) == (
        Fraction(120),
        parse("2027-03"),
        pb.as_of,
    )
    assert str(reading.location()) == f"{ACTUALS}:7:12"
    assert pb.actuals.readings["met-level"][0].period is None
    assert [n.id for n in pb.actuals.checkins] == ["ci"]
    assert "ci" not in pb.nodes  # a check-in is not a node of the ladder


def test_without_checkins_there_is_no_as_of_date_and_no_status(check, base):
    pb = load(check, base)
    assert pb.as_of is None
    assert pb.status("met-a") is None
    assert pb.funnels == []


def test_the_as_of_date_is_the_latest_checkin_whatever_the_file_order(check, base):
    pb = load(
        check,
        base,
        ("a.yaml", checkin(value("met-level", 30), as_of="2027-03-20", id="ci-mar")),
        ("b.yaml", checkin(value("met-level", 20), as_of="2027-02-28", id="ci-feb")),
    )
    assert found(pb) == []
    assert pb.as_of == dt.date(2027, 3, 20)
    assert [r.value for r in pb.actuals.readings["met-level"]] == [20, 30]  # oldest first


def test_a_later_checkin_replaces_the_value_of_the_same_period(check, base):
    pb = load(
        check,
        base,
        ("z.yaml", checkin(value("met-a", 80, "2027-03"), as_of="2027-03-20", id="early")),
        ("a.yaml", checkin(value("met-a", 130, "2027-03"), as_of="2027-04-02", id="late")),
    )
    assert found(pb) == []
    (reading,) = pb.actuals.readings["met-a"]
    assert (reading.value, reading.checkin) == (130, "late")


def test_a_rate_without_a_period_is_for_the_period_containing_as_of(check, base):
    pb = load(check, base, ("x.yaml", checkin(value("met-a", 40), as_of="2027-03-10")))
    assert pb.actuals.readings["met-a"][0].period == parse("2027-03")


def test_the_same_value_twice_on_one_date_is_pb018_at_the_second(check, base):
    pb = load(
        check,
        base,
        ("2027-03-31.yaml", checkin(value("met-a", 1, "2027-03") + value("met-a", 2, "2027-03"))),
    )
    assert found(pb) == [("PB018", ACTUALS, 8, 5)]
    assert "'met-a' for 2027-03 is reported twice as of 2027-03-31" in pb.diagnostics[0].message
    assert f"(also at {ACTUALS}:7:12)" in pb.diagnostics[0].message


# --- unknown and wrong ids ----------------------------------------------------------------------


def test_pb004_unknown_metric_with_did_you_mean(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-b", 1, "2027-03"))))
    assert found(pb) == [("PB004", ACTUALS, 5, 13)]
    assert message(pb, "PB004") == (
        "check-in 'ci' reports 'met-b', but no plan metric or success factor has that id; "
        "did you mean 'met-a'?"
    )


def test_pb005_a_value_for_a_plan_is_the_wrong_kind(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("plan-a", 1))))
    assert found(pb) == [("PB005", ACTUALS, 5, 13)]
    assert "which is a plan" in message(pb, "PB005")


def test_pb004_unknown_stage(check, base):
    funnel = "  - stage: mqll\n    period: 2027-03\n    volume: 3\n"
    pb = load(check, base, ("2027-03-31.yaml", checkin(funnel=funnel)))
    assert found(pb) == [("PB004", ACTUALS, 5, 12)]
    assert "no SLA stage has that id" in message(pb, "PB004")


def test_pb018_a_success_factor_without_a_metric(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("sf-a", 1))))
    assert found(pb) == [("PB018", ACTUALS, 5, 13)]
    assert "has no metric to report against" in message(pb, "PB018")


def test_a_checkin_id_shares_the_namespace(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-level", 1), id="plan-a")))
    assert [f[:2] for f in found(pb)] == [
        ("PB003", "plans/actuals/2027-03-31.yaml"),
        ("PB003", "plans/functions/marketing/plan-a.yaml"),
    ]


def test_pb013_a_malformed_checkin_id(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-level", 1), id="Q1 Actuals")))
    assert found(pb) == [("PB013", ACTUALS, 2, 5)]


# --- periods and dates --------------------------------------------------------------------------


def test_pb018_a_period_that_is_not_one(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-a", 1, "2027-13"))))
    assert found(pb) == [("PB018", ACTUALS, 6, 13)]
    assert message(pb, "PB018") == (
        "'2027-13' is not a period: write a month (2027-03), a quarter (2027-Q1) or a year (2027)"
    )


def test_pb018_a_period_of_the_wrong_length(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-a", 1, "2027-Q1"))))
    assert found(pb) == [("PB018", ACTUALS, 6, 13)]
    assert "'met-a' is counted per month: its period is a month such as 2027-03" in message(
        pb, "PB018"
    )


def test_pb018_a_period_for_a_level(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-level", 1, "2027-03"))))
    assert found(pb) == [("PB018", ACTUALS, 6, 13)]
    assert "'met-level' has no 'per'" in message(pb, "PB018")


def test_pb018_a_period_after_as_of(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-a", 1, "2027-04"))))
    assert found(pb) == [("PB018", ACTUALS, 6, 13)]
    assert "2027-04 has not begun on this check-in's as_of (2027-03-31)" in message(pb, "PB018")


def test_pb018_a_period_outside_the_horizon(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-a", 1, "2026-12"))))
    assert found(pb) == [("PB018", ACTUALS, 6, 13)]
    assert "outside the mission horizon (2027-01-01 to 2027-12-31)" in message(pb, "PB018")


def test_pb018_the_default_period_outside_the_horizon(check, base):
    text = checkin(value("met-a", 1), as_of="2028-01-05")
    pb = load(check, base, ("2028-01-05.yaml", text))
    assert found(pb) == [("PB018", "plans/actuals/2028-01-05.yaml", 5, 13)]


def test_a_level_may_be_reported_before_the_horizon(check, base):
    # a baseline measured before the plan starts
    pb = load(check, base, ("base.yaml", checkin(value("met-level", 10), as_of="2026-12-31")))
    assert found(pb) == []


def test_pb018_a_negative_volume(check, base):
    sla = (
        "kind: sla\nid: sla\nperiod: quarter\nrevenue_target: 100\naverage_deal: 10\n"
        "stages:\n  - id: lead\n    owner: marketing\n    conversion: 0.5\n"
        "  - id: won\n    owner: marketing\n"
    )
    funnel = "  - stage: lead\n    period: 2027-03\n    volume: -4\n"
    pb = load(check, {**base, "sla.yaml": sla}, ("2027-03-31.yaml", checkin(funnel=funnel)))
    assert found(pb) == [("PB018", ACTUALS, 7, 13)]
    assert "0 or more, not -4" in message(pb, "PB018")


def test_pb002_a_bad_as_of_sets_the_checkin_aside(check, base):
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-level", 1), as_of="March")))
    assert found(pb) == [("PB002", ACTUALS, 3, 8)]
    assert pb.as_of is None  # the placeholder date never counts
    assert pb.actuals.readings == {}


def test_pb002_a_bad_value_is_set_aside_and_the_rest_read(check, base):
    values = value("met-level", "lots") + value("met-a", 90, "2027-03")
    pb = load(check, base, ("2027-03-31.yaml", checkin(values)))
    assert found(pb) == [("PB002", ACTUALS, 6, 12)]
    assert "met-level" not in pb.actuals.readings  # no placeholder 0 as an actual
    assert [r.value for r in pb.actuals.readings["met-a"]] == [90]


def test_pb002_confidence_must_be_one_of_three_words(check, base):
    extra = "    confidence: fine\n"
    pb = load(check, base, ("2027-03-31.yaml", checkin(value("met-level", 1, extra=extra))))
    assert found(pb) == [("PB002", ACTUALS, 7, 17)]
    assert "'on-track', 'at-risk' or 'off-track'" in pb.diagnostics[0].message


def test_pb002_a_measure_that_does_not_fit_per(check, base):
    plan = PLAN.replace("    per: month\n", "    per: month\n    measure: total\n")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB002", "plans/functions/marketing/plan-a.yaml", 13, 14)]
    assert "a running total is a level" in pb.diagnostics[0].message


# --- authoring --------------------------------------------------------------------------------


def test_rename_changes_the_ids_a_checkin_names(check, base, tmp_path):
    load(check, base, ("2027-03-31.yaml", checkin(value("met-a", 1, "2027-03"))))
    settings = Settings(plans=Path("plans"), cache=False)
    plan = rename.plan_rename(Path("plans"), settings, "met-a", "met-main")
    rename.apply(plan, Path("plans"))
    text = (tmp_path / ACTUALS).read_text()
    assert "  - metric: met-main\n" in text
