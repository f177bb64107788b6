"""Assumptions as nodes: trip-wires, states from actuals, decisions, branch plans (issue 19).

The playbook is the minimal one of ``conftest.py``, with an assumption node in Marketing's
mission analysis (``FUNCTION`` below, its lines numbered) watching the plan metric ``met-a``,
and a branch plan ``plan-b`` (``BRANCH``). Check-ins are written by each test; expected states,
lines and columns are worked out by hand from the YAML here.
"""

from __future__ import annotations

import json

import pytest

from mission_playbook.checks.assumptions import State
from mission_playbook.checks.review import fingerprint
from mission_playbook.compare.diff import diff_playbooks
from mission_playbook.playbook import Playbook
from mission_playbook.views.changes import to_json, to_markdown
from mission_playbook.views.queries import Queries
from mission_playbook.views.report import summary

FUNCTION = """\
kind: function
id: marketing
name: Marketing
mission_analysis:
  assumptions:
    - Text assumptions stay valid.
    - id: asm-a
      statement: Metric A stays at 40 or more.
      tripwire:
        metric: met-a
        below: 40
      decision:
        decider: Priya Raman
        decide_by: 2027-03-15
        options: [Hold course, Run plan B]
      branch: plan-b
estimates:
  - id: est-a
    title: Estimate A
    supports: [kt-a]
"""
FUNCTION_FILE = "plans/functions/marketing.yaml"

BRANCH = """\
kind: plan
id: plan-b
title: Plan B
function: marketing
supports: [est-a]
branch_of: asm-a
metrics:
  - id: met-b
    name: Metric B
    type: outcome
    drives: sf-a
"""
BRANCH_FILE = "plans/functions/marketing/plan-b.yaml"


def plan_a(metric: str = "") -> str:
    """Plan A with ``met-a``: a level unless ``metric`` adds fields (such as ``per``)."""
    return (
        "kind: plan\nid: plan-a\ntitle: Plan A\nfunction: marketing\nsupports: [est-a]\n"
        "start: 2027-01-04\nend: 2027-12-17\nmetrics:\n  - id: met-a\n    name: Metric A\n"
        f"    type: outcome\n    drives: sf-a\n{metric}"
    )


def checkin(as_of: str, value: object, period: str | None = None, metric: str = "met-a") -> str:
    text = f"kind: checkin\nid: ci-{as_of}\nas_of: {as_of}\nvalues:\n"
    text += f"  - metric: {metric}\n    value: {value}\n"
    return text + (f"    period: {period}\n" if period else "")


def playbook(check, base, *checkins: str, function: str = FUNCTION, **files: str) -> Playbook:
    found = {
        **base,
        "functions/marketing.yaml": function,
        "functions/marketing/plan-a.yaml": plan_a(),
        "functions/marketing/plan-b.yaml": BRANCH,
    }
    found.update({k.replace("__", "/"): v for k, v in files.items()})
    for i, text in enumerate(checkins):
        found[f"actuals/{i}.yaml"] = text
    return check(found)


def codes(pb: Playbook) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.location.file, d.location.line, d.location.column) for d in pb.diagnostics]


def state(pb: Playbook, node_id: str = "asm-a") -> State:
    found = pb.assumption(node_id)
    assert found is not None
    return found.state


def with_function(**changes: str) -> str:
    """FUNCTION with lines replaced: ``changes`` maps an old line (stripped) to new text."""
    out = FUNCTION
    for old, new in changes.items():
        assert old in out, old
        out = out.replace(old, new)
    return out


# --- the model -------------------------------------------------------------------------------


def test_an_assumption_node_is_a_node_of_the_function_and_text_stays_valid(check, base):
    pb = playbook(check, base)
    assert codes(pb) == []
    node = pb.nodes["asm-a"]
    assert node.kind == "assumption" and node.label == "assumption"
    assert node.owner is pb.nodes["marketing"] and node.function == "marketing"
    assert node.loc("id").line == 7
    analysis = pb.nodes["marketing"].data.mission_analysis
    assert analysis.assumptions[0] == "Text assumptions stay valid."


def test_an_assumption_of_the_mission_is_a_node_of_the_mission(check, base):
    mission = base["mission.yaml"] + (
        "environment:\n"  # 11
        "  assumptions:\n"  # 12
        "    - id: asm-m\n"  # 13
        "      statement: Factor A holds.\n"  # 14
        "      tripwire: {metric: sf-a, above: 10}\n"  # 15
    )
    pb = check({**base, "mission.yaml": mission})
    assert codes(pb) == []
    node = pb.nodes["asm-m"]
    assert node.owner is not None and node.owner.kind == "mission"
    assert node.function is None
    assert state(pb, "asm-m") is State.UNTESTED


def test_assumption_ids_share_the_one_namespace(check, base):
    pb = playbook(check, base, function=with_function(**{"- id: asm-a": "- id: est-a"}))
    assert ("PB003", FUNCTION_FILE, 7, 11) in codes(pb)
    assert ("PB003", FUNCTION_FILE, 18, 9) in codes(pb)


# --- states from actuals ---------------------------------------------------------------------


def test_without_check_ins_every_assumption_is_untested_and_the_branch_plan_dormant(check, base):
    pb = playbook(check, base)
    found = pb.assumption("asm-a")
    assert found is not None and found.state is State.UNTESTED
    assert found.reason == "no actual yet" and found.reading is None
    assert found.branch is pb.nodes["plan-b"]
    assert pb.assumptions.dormant() == {"plan-b"} == pb.ladder.dormant
    assert pb.as_of is None and pb.statuses.by_id == {}


def test_holding_when_the_latest_actual_is_on_the_right_side_of_the_line(check, base):
    pb = playbook(check, base, checkin("2027-02-28", 30), checkin("2027-03-31", 45))
    found = pb.assumption("asm-a")
    assert found is not None and found.state is State.HOLDING
    assert found.reading is not None and found.reading.value == 45
    assert found.since is None
    assert pb.ladder.dormant == {"plan-b"}  # an earlier crossing does not count: the latest does


def test_tripped_with_the_value_and_the_date_that_crossed(check, base):
    pb = playbook(
        check,
        base,
        checkin("2027-01-31", 44),
        checkin("2027-02-28", 39),
        checkin("2027-03-31", "36.5"),
    )
    found = pb.assumption("asm-a")
    assert found is not None and found.state is State.TRIPPED
    assert found.reading is not None and str(found.reading.value) == "73/2"
    assert found.reading.as_of.isoformat() == "2027-03-31"
    assert found.since is not None and found.since.as_of.isoformat() == "2027-02-28"
    assert found.line == 40
    assert pb.ladder.dormant == set()  # triggered: the branch plan counts like any plan
    assert [s.node.id for s in pb.assumptions.tripped()] == ["asm-a"]


def test_a_value_on_the_line_holds_and_above_trips_above(check, base):
    on_line = playbook(check, base, checkin("2027-03-31", 40))
    assert state(on_line) is State.HOLDING
    above = with_function(**{"below: 40": "above: 40"})
    assert state(playbook(check, base, checkin("2027-03-31", 40), function=above)) is (
        State.HOLDING
    )
    assert state(playbook(check, base, checkin("2027-03-31", 41), function=above)) is (
        State.TRIPPED
    )


def test_by_counts_only_actuals_from_its_date(check, base):
    later = with_function(**{"below: 40": "below: 40\n        by: 2027-04-01"})
    pb = playbook(check, base, checkin("2027-03-31", 10), function=later)
    found = pb.assumption("asm-a")
    assert found is not None and found.state is State.UNTESTED
    assert found.reason == "no actual since 2027-04-01"


def test_a_running_period_is_compared_with_the_line_pro_rata(check, base):
    rate = "    per: month\n"
    files = {"functions__marketing__plan-a.yaml": plan_a(rate)}
    # 15 of 30 April days: the line is 20 to date; 25 holds, 15 trips
    pb = playbook(check, base, checkin("2027-04-15", 25, "2027-04"), **files)
    found = pb.assumption("asm-a")
    assert found is not None and found.state is State.HOLDING and found.line == 20
    assert state(playbook(check, base, checkin("2027-04-15", 15, "2027-04"), **files)) is (
        State.TRIPPED
    )
    ratio = {"functions__marketing__plan-a.yaml": plan_a(rate + "    measure: ratio\n")}
    assert state(playbook(check, base, checkin("2027-04-15", 25, "2027-04"), **ratio)) is (
        State.TRIPPED
    )


def test_a_success_factor_can_be_the_trip_wire(check, base):
    mission = base["mission.yaml"] + "    metric: {name: Factor, target: 100}\n"
    function = with_function(**{"metric: met-a": "metric: sf-a"})
    pb = playbook(
        check,
        base,
        checkin("2027-03-31", 12, metric="sf-a"),
        function=function,
        **{"mission.yaml": mission},
    )
    assert state(pb) is State.TRIPPED


# --- PB017 -----------------------------------------------------------------------------------


def test_pb017_an_assumption_node_without_a_trip_wire(check, base):
    function = with_function(**{"      tripwire:\n        metric: met-a\n        below: 40\n": ""})
    pb = playbook(check, base, function=function)
    assert codes(pb) == [("PB017", FUNCTION_FILE, 7, 11)]
    assert pb.diagnostics[0].severity.value == "warning"
    assert "no trip-wire" in pb.diagnostics[0].message
    assert state(pb) is State.UNTESTED


def test_pb017_a_tripped_assumption_whose_decision_is_overdue(check, base):
    pb = playbook(check, base, checkin("2027-03-31", 30))
    assert codes(pb) == [("PB017", FUNCTION_FILE, 14, 20)]
    finding = pb.diagnostics[0]
    assert "30 on 2027-03-31 against a line below 40" in finding.message
    assert "due by 2027-03-15" in finding.message and "'plan-b' waiting" in finding.message
    assert [str(r) for r in finding.related] == ["plans/actuals/0.yaml:6:12"]


@pytest.mark.parametrize(
    ("as_of", "value", "decided"),
    [
        ("2027-03-15", 30, ""),  # due on the as-of date itself: not yet passed
        ("2027-03-31", 45, ""),  # holding
        ("2027-03-31", 30, "        decided: 2027-03-20\n"),  # decided
    ],
)
def test_pb017_not_before_the_date_nor_when_holding_or_decided(check, base, as_of, value, decided):
    function = with_function(**{"        options:": decided + "        options:"})
    pb = playbook(check, base, checkin(as_of, value), function=function)
    assert codes(pb) == []


def test_decisions_due_are_tripped_ones_not_yet_recorded(check, base):
    pb = playbook(check, base, checkin("2027-03-10", 30))
    found = pb.assumption("asm-a")
    assert found is not None and found.due and not found.overdue(pb.as_of)
    assert [s.node.id for s in pb.assumptions.due()] == ["asm-a"]


# --- PB021, PB004, PB005, PB002 ----------------------------------------------------------------


def test_pb021_a_branch_plan_the_assumption_does_not_name(check, base):
    pb = playbook(check, base, function=with_function(**{"      branch: plan-b\n": ""}))
    assert codes(pb) == [("PB021", BRANCH_FILE, 6, 12)]
    assert "add 'branch: plan-b'" in pb.diagnostics[0].message


def test_pb021_an_assumption_naming_a_plan_that_is_no_branch_plan(check, base):
    pb = playbook(check, base, function=with_function(**{"branch: plan-b": "branch: plan-a"}))
    assert ("PB021", FUNCTION_FILE, 16, 15) in codes(pb)
    assert ("PB021", BRANCH_FILE, 6, 12) in codes(pb)  # and plan-b's side
    message = next(d.message for d in pb.diagnostics if d.location.line == 16)
    assert "add 'branch_of: asm-a'" in message


def test_pb004_unknown_ids_in_trip_wire_branch_and_branch_of(check, base):
    function = with_function(
        **{"metric: met-a": "metric: met-x", "branch: plan-b": "branch: plan-c"}
    )
    branch = BRANCH.replace("branch_of: asm-a", "branch_of: asm-b")
    pb = playbook(check, base, function=function, **{"functions__marketing__plan-b.yaml": branch})
    found = {(c, line, col) for c, _f, line, col in codes(pb)}
    assert found == {("PB004", 10, 17), ("PB004", 16, 15), ("PB004", 6, 12)}
    messages = " ".join(d.message for d in pb.diagnostics)
    wire = next(d.message for d in pb.diagnostics if "'tripwire.metric'" in d.message)
    assert "did you mean" in wire and "'met-a'" in wire.split("did you mean")[1]
    assert "names 'plan-c' in 'branch'" in messages and "did you mean 'plan-b'" in messages
    assert "did you mean 'asm-a'" in messages


def test_pb005_branch_of_naming_something_that_is_not_an_assumption(check, base):
    branch = BRANCH.replace("branch_of: asm-a", "branch_of: est-a")
    pb = playbook(check, base, **{"functions__marketing__plan-b.yaml": branch})
    assert ("PB005", BRANCH_FILE, 6, 12) in codes(pb)
    message = next(d.message for d in pb.diagnostics if d.code == "PB005")
    assert "estimate 'est-a' in 'branch_of', which must name an assumption" in message


def test_pb005_a_trip_wire_on_something_that_is_not_a_metric(check, base):
    pb = playbook(check, base, function=with_function(**{"metric: met-a": "metric: est-a"}))
    assert codes(pb) == [("PB005", FUNCTION_FILE, 10, 17)]
    assert state(pb) is State.UNTESTED


@pytest.mark.parametrize(
    ("line", "where"),
    [("below: 40\n        above: 50", (12, 16)), ("by: 2027-04-01", (10, 9))],
)
def test_pb002_a_trip_wire_needs_exactly_one_line(check, base, line, where):
    pb = playbook(check, base, function=with_function(**{"below: 40": line}))
    assert codes(pb) == [("PB002", FUNCTION_FILE, *where)]


def test_pb002_an_unknown_field_of_an_assumption_says_did_you_mean(check, base):
    pb = playbook(check, base, function=with_function(**{"branch: plan-b": "brnach: plan-b"}))
    assert ("PB002", FUNCTION_FILE, 16, 7) in codes(pb)
    assert "did you mean 'branch'" in pb.diagnostics[0].message


# --- branch plans and coverage ---------------------------------------------------------------


def plans_rung(pb: Playbook) -> tuple[int, int]:
    rung = next(c for c in pb.coverage() if c.kind == "plan")
    return rung.covered, rung.total


def test_a_dormant_branch_plan_is_not_counted_in_coverage(check, base):
    pb = playbook(check, base)
    assert plans_rung(pb) == (1, 1)  # plan-a only
    tripped = playbook(check, base, checkin("2027-03-10", 30))
    assert plans_rung(tripped) == (2, 2)


def test_a_dormant_branch_plan_is_no_orphan_until_it_is_triggered(check, base):
    branch = BRANCH.replace("supports: [est-a]", "supports: []")
    files = {"functions__marketing__plan-b.yaml": branch}
    assert codes(playbook(check, base, **files)) == []
    tripped = playbook(check, base, checkin("2027-03-10", 30), **files)
    assert ("PB006", BRANCH_FILE, 5, 11) in codes(tripped)


def test_a_dormant_branch_plan_covers_nothing(check, base):
    # plan-a supports nothing of est-a: only the dormant branch plan is below it
    files = {"functions__marketing__plan-a.yaml": plan_a().replace("[est-a]", "[est-x]")}
    pb = playbook(check, base, **files)
    assert ("PB007", FUNCTION_FILE, 18, 9) in codes(pb)
    tripped = playbook(check, base, checkin("2027-03-10", 30), **files)
    assert ("PB007", FUNCTION_FILE, 18, 9) not in codes(tripped)


def test_an_assumption_node_leaves_the_mission_s_review_hash_as_it_was(check, base):
    before = fingerprint(check(base).nodes["m"])
    text = base["mission.yaml"] + "environment:\n  assumptions:\n    - Text only.\n"
    with_text = fingerprint(check({**base, "mission.yaml": text}).nodes["m"])
    node = (
        text
        + "    - id: asm-m\n      statement: A node.\n      tripwire: {metric: sf-a, above: 1}\n"
    )
    with_node = fingerprint(check({**base, "mission.yaml": node}).nodes["m"])
    assert with_node == with_text != before


def test_a_dormant_branch_plan_is_not_active_in_the_synchronization_matrix(check, base):
    dated = BRANCH.replace("branch_of:", "start: 2027-04-01\nend: 2027-06-30\nbranch_of:")
    files = {"functions__marketing__plan-b.yaml": dated}

    def active(pb: Playbook) -> set[str]:
        queries = Queries(pb)
        _labels, rows = queries.quarter_table()
        found = {p.id for _function, cells in rows for cell in cells for p in cell}
        timeline = queries.timeline()
        assert timeline is not None
        assert {b.plan.id for lane in timeline.lanes for b in lane.bars} == found
        return found

    assert active(playbook(check, base, **files)) == {"plan-a"}
    tripped = playbook(check, base, checkin("2027-03-10", 30), **files)
    assert active(tripped) == {"plan-a", "plan-b"}


# --- the plan diff -----------------------------------------------------------------------------


def test_the_diff_reports_an_assumption_tripping_and_its_branch_plan_triggered(check, base):
    before = playbook(check, base, checkin("2027-02-28", 45))
    after = playbook(check, base, checkin("2027-02-28", 45), checkin("2027-03-31", "36.5"))
    diff = diff_playbooks(before, after)
    assert [(c.node.id, c.old, c.new) for c in diff.assumptions] == [
        ("asm-a", "holding", "tripped")
    ]
    assert diff.assumptions[0].latest == "36.5 on 2027-03-31 against a line below 40"
    assert [(b.plan.id, b.assumption, b.how) for b in diff.branches] == [
        ("plan-b", "asm-a", "triggered")
    ]
    text = to_markdown(diff, fold=False)
    assert "1 assumption tripped, 1 branch plan triggered" in text.splitlines()[0]
    assert "## Assumptions and branch plans (2)" in text
    assert (
        "- assumption `asm-a` of function `marketing`: holding → **tripped**: "
        "36.5 on 2027-03-31 against a line below 40"
    ) in text
    assert "- branch plan **Plan B** `plan-b` of `asm-a`: triggered" in text
    document = json.loads(to_json(diff))
    assert document["summary"]["assumptions"] == 1
    assert document["decisions"]["branches"][0]["how"] == "triggered"


def test_the_diff_reports_a_branch_plan_added_and_nothing_when_states_stay(check, base):
    without = with_function(**{"      branch: plan-b\n": ""})
    before = check(
        {**base, "functions/marketing.yaml": without, "functions/marketing/plan-a.yaml": plan_a()}
    )
    after = playbook(check, base)
    diff = diff_playbooks(before, after)
    assert diff.assumptions == []  # untested before and after
    assert [(b.plan.id, b.how) for b in diff.branches] == [("plan-b", "added")]
    assert diff_playbooks(after, after).branches == []
    assert "Assumptions and branch plans" not in to_markdown(diff_playbooks(after, after))


def test_the_check_s_summary_counts_assumptions_by_state_only_when_there_are_some(check, base):
    assert "assumptions" not in summary(check(base))
    tripped = playbook(check, base, checkin("2027-03-10", 30))
    assert summary(tripped).endswith(
        "| assumptions 1 tripped, 0 holding, 0 untested; 1 decision due"
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("below: 40", "below: forty", (11, 16)),  # the value at fault, no "no line" beside it
        ("tripwire:\n        metric: met-a\n        below: 40", "tripwire: met-a", (9, 17)),
    ],
)
def test_a_malformed_trip_wire_is_one_pb002_and_no_pb017(check, base, old, new, where):
    pb = playbook(check, base, function=with_function(**{old: new}))
    assert codes(pb) == [("PB002", FUNCTION_FILE, *where)]
