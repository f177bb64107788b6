"""Every check code PB001-PB013 on a small broken playbook: code, severity, file:line:col, message.

Each test starts from the minimal valid playbook of ``conftest.py`` (its line numbers are drawn
there) and breaks one thing. Expected lines and columns are 1-based and computed by hand from
the YAML written in the test.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mission_playbook.model import source
from mission_playbook.model.config import ConfigError, Settings, load_settings
from mission_playbook.model.diagnostics import CATALOGUE, Diagnostic, Location
from mission_playbook.playbook import Playbook

REPO = Path(__file__).resolve().parents[1]

MISSION = "plans/mission.yaml"
INTENT = "plans/intent.yaml"
FUNCTION = "plans/functions/marketing.yaml"
PLAN = "plans/functions/marketing/plan-a.yaml"
GLOSSARY = "plans/glossary.yaml"
SLA = "plans/sla.yaml"

Found = tuple[str, str, str, int, int]

#: The base plan of conftest.py (a test checks that they match).
PLAN_TEXT = """\
kind: plan
id: plan-a
title: Plan A
function: marketing
supports: [est-a]
start: 2027-02-01
end: 2027-03-31
metrics:
  - id: met-a
    name: Metric A
    type: outcome
    drives: sf-a
"""


def found(pb: Playbook) -> list[Found]:
    """Every finding as (code, severity, file, line, column), in report order."""
    return [
        (d.code, d.severity.value, d.location.file, d.location.line, d.location.column)
        for d in pb.diagnostics
    ]


def one(pb: Playbook, code: str) -> Diagnostic:
    """The single finding with ``code``."""
    hits = [d for d in pb.diagnostics if d.code == code]
    assert len(hits) == 1, [str(d) for d in pb.diagnostics]
    return hits[0]


def plan_yaml(pid: str, *, function: str = "marketing", supports: str = "[est-a]") -> str:
    """A valid plan without dates; extra fields appended by a test start on line 11."""
    return (
        f"kind: plan\n"  # 1
        f"id: {pid}\n"  # 2
        f"title: Plan {pid}\n"  # 3
        f"function: {function}\n"  # 4
        f"supports: {supports}\n"  # 5
        f"metrics:\n"  # 6
        f"  - id: met-{pid}\n"  # 7
        f"    name: Metric\n"  # 8
        f"    type: outcome\n"  # 9
        f"    drives: sf-a\n"  # 10
    )


# The worked example of docs/model.md; every stage owned by marketing (the base's one function).
WORKED_SLA = """\
kind: sla
id: sla
parties: [marketing]
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
    conversion: {mql_conversion}
  - id: sal
    owner: marketing
    conversion: 0.6
  - id: opportunity
    owner: marketing
    conversion: 0.25
  - id: won
    owner: marketing
commitments:
  - party: marketing
    stage: {stage}
    volume: {volume}
    per: {per}
"""


def worked_sla(
    *, mql_conversion: str = "0.5", stage: str = "mql", volume: str = "150", per: str = "month"
) -> str:
    return WORKED_SLA.format(mql_conversion=mql_conversion, stage=stage, volume=volume, per=per)


def test_the_base_playbook_is_clean(check, base):
    assert base["functions/marketing/plan-a.yaml"] == PLAN_TEXT
    pb = check(base)
    assert found(pb) == []
    assert {k: len(pb.of_kind(k)) for k in ("success_factor", "key_task", "estimate", "plan")} == {
        "success_factor": 1,
        "key_task": 1,
        "estimate": 1,
        "plan": 1,
    }


def test_every_code_has_a_catalogue_entry_with_the_documented_default():
    defaults = {code: c.severity.value for code, c in CATALOGUE.items()}
    assert defaults == {
        **{f"PB{i:03d}": "error" for i in range(1, 14)},
        "PB009": "warning",
        "PB011": "warning",
        "PB014": "warning",  # placeholders left by `playbook new`
        "PB015": "warning",  # stale actuals
        "PB016": "off",  # off track: a result, not a defect, unless a team opts in
        "PB018": "error",  # a check-in's period, date or value that cannot be used
        "PB019": "warning",  # suspect: a parent changed since the review (tests/test_review.py)
    }


def test_pb014_placeholders_are_flagged_where_they_are(check, base):
    pb = check(
        {
            **base,
            "glossary.yaml": "kind: glossary\nid: g\nterms:\n  - term: TODO\n"
            "    definition: a word\n",
        }
    )
    assert found(pb) == [("PB014", "warning", "plans/glossary.yaml", 4, 11)]
    assert "terms[0].term" in pb.diagnostics[0].message


# --- PB001: YAML that does not parse, unsafe tags -----------------------------------------


def test_pb001_bad_syntax(check, base):
    pb = check(
        {
            **base,
            "glossary.yaml": """\
                kind: glossary
                id: g
                  title: x
                """,
        }
    )
    assert found(pb) == [("PB001", "error", GLOSSARY, 3, 8)]
    assert "the YAML does not parse: mapping values are not allowed" in pb.diagnostics[0].message


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ('!!python/object/apply:os.system ["touch pwned"]', "python/object/apply:os.system"),
        ("!!python/object:os.system {}", "python/object:os.system"),
        ("!!python/name:os.system ''", "python/name:os.system"),
        ("!foo bar", "'!foo'"),
        ("!foo [a, b]", "'!foo'"),
    ],
)
def test_pb001_unsafe_or_unknown_tag_is_refused_and_nothing_runs(check, base, tmp_path, value, tag):
    pb = check({**base, "glossary.yaml": f"kind: glossary\nid: g\nterms: {value}\n"})
    assert found(pb) == [("PB001", "error", GLOSSARY, 3, 8)]
    message = pb.diagnostics[0].message
    assert tag in message
    assert "not allowed" in message
    assert not (tmp_path / "pwned").exists()


def test_pb001_duplicate_key(check, base):
    pb = check({**base, "glossary.yaml": "kind: glossary\nid: g\nid: h\n"})
    assert found(pb) == [("PB001", "error", GLOSSARY, 3, 1)]
    assert "the key 'id' appears twice" in pb.diagnostics[0].message
    assert "first on line 2" in pb.diagnostics[0].message


def test_pb001_duplicate_key_refuses_only_its_own_document(check, base):
    text = "kind: glossary\nid: g\n---\nkind: glossary\nid: h\nid: h\n"
    pb = check({**base, "glossary.yaml": text})
    assert found(pb) == [("PB001", "error", GLOSSARY, 6, 1)]
    assert "g" in pb.nodes


def test_pb001_non_utf8_byte_with_its_line_and_column(check, base):
    raw = b"kind: glossary\nid: g\nterms:\n  - term: caf\xe9\n    definition: x\n"
    pb = check({**base, "glossary.yaml": raw})
    assert found(pb) == [("PB001", "error", GLOSSARY, 4, 14)]
    assert "not UTF-8" in pb.diagnostics[0].message
    assert "0xe9" in pb.diagnostics[0].message


def test_pb001_non_utf8_column_counts_characters_not_bytes(check, base):
    # "  - term: naïve caf" is 19 characters (20 bytes): the bad byte is in column 20,
    # like every other column the check reports (ruamel.yaml marks count characters).
    raw = "kind: glossary\nid: g\nterms:\n  - term: naïve caf".encode() + b"\xe9\n"
    pb = check({**base, "glossary.yaml": raw})
    assert found(pb) == [("PB001", "error", GLOSSARY, 4, 20)]


def test_pb001_utf8_byte_order_mark_is_accepted(check, base):
    pb = check({**base, "glossary.yaml": b"\xef\xbb\xbfkind: glossary\nid: g\n"})
    assert found(pb) == []
    assert pb.nodes["g"].kind == "glossary"


def test_pb001_nul_character_with_its_column(check, base):
    pb = check({**base, "glossary.yaml": "kind: glossary\nid: g\nterms: [x\x00]\n"})
    assert found(pb) == [("PB001", "error", GLOSSARY, 3, 10)]
    assert "NUL" in pb.diagnostics[0].message


def test_pb001_billion_laughs_is_refused_after_bounded_work(check, base, monkeypatch):
    lines = ["kind: glossary", "id: g", "a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    built = 0
    build = source._Builder.build

    def counting(self, node, path, depth=0):  # type: ignore[no-untyped-def]
        nonlocal built
        built += 1
        return build(self, node, path, depth)

    monkeypatch.setattr(source._Builder, "build", counting)
    pb = check({**base, "glossary.yaml": "\n".join(lines) + "\n"})
    assert [f[:3] for f in found(pb)] == [("PB001", "error", GLOSSARY)]
    finding = pb.diagnostics[0]
    assert "YAML bomb" in finding.message
    assert 1 <= finding.location.line <= len(lines)
    assert finding.location.column >= 1
    # 10**9 values if expanded; the loader stops after the alias budget (work, not time)
    assert built <= source.MAX_ALIAS_EXPANSION + 1000


def test_pb001_a_few_aliases_are_fine(check, base):
    text = """\
        kind: glossary
        id: g
        terms:
          - &t
            term: MQL
            definition: A marketing qualified lead.
          - <<: *t
            term: SQL
        """
    pb = check({**base, "glossary.yaml": text})
    assert found(pb) == []
    assert [t.term for t in pb.nodes["g"].data.terms] == ["MQL", "SQL"]


def test_pb001_deep_nesting_is_refused(check, base):
    pb = check({**base, "glossary.yaml": "terms: " + "[" * 100 + "]" * 100 + "\n"})
    assert found(pb) == [("PB001", "error", GLOSSARY, 1, 72)]
    assert "deeper than 64" in pb.diagnostics[0].message


def no_core_dump() -> None:
    """In the child: a crash should fail the test fast, without writing a core file."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def test_pb001_very_deep_nesting_is_a_finding_not_a_crash(write_playbook, tmp_path, base):
    """A 100 kB file of nested brackets must be a PB001, not a segfault of the whole check.

    Run in a child process so that a crash fails this test instead of killing the suite.
    """
    depth = 50_000
    write_playbook(tmp_path, {**base, "glossary.yaml": "[" * depth + "]" * depth + "\n"})
    script = (
        "from mission_playbook import load\nfor d in load('plans').diagnostics:\n    print(d)\n"
    )
    paths = [str(REPO / "generator"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=no_core_dump,
    )
    assert proc.returncode == 0, f"the check died (exit {proc.returncode}): {proc.stderr[-500:]}"
    assert proc.stdout.startswith(f"{GLOSSARY}:1:")
    assert "error PB001" in proc.stdout


def test_pb001_file_over_the_size_limit(check, base):
    big = "kind: glossary\nid: g\n# " + "x" * 1000 + "\n"
    pb = check({**base, "glossary.yaml": big}, Settings(max_file_size=600))
    assert found(pb) == [("PB001", "error", GLOSSARY, 1, 1)]
    assert "over the limit of 600" in pb.diagnostics[0].message
    assert "g" not in pb.nodes


def test_pb001_file_exactly_at_the_size_limit_is_read(check, base):
    head = "kind: glossary\nid: g\n# "
    text = head + "x" * (600 - len(head) - 1) + "\n"
    assert len(text.encode()) == 600
    pb = check({**base, "glossary.yaml": text}, Settings(max_file_size=600))
    assert found(pb) == []
    assert "g" in pb.nodes


# --- PB002: schema ------------------------------------------------------------------------


def test_pb002_missing_field(check, base):
    pb = check(
        {**base, "functions/marketing/plan-a.yaml": PLAN_TEXT.replace("title: Plan A\n", "")}
    )
    assert found(pb) == [("PB002", "error", PLAN, 1, 1)]
    assert "plan 'plan-a' is missing the required field 'title'" in pb.diagnostics[0].message


def test_pb002_missing_field_of_a_nested_node_points_at_the_node(check, base):
    pb = check({**base, "intent.yaml": base["intent.yaml"].replace("    title: Task A\n", "")})
    assert found(pb) == [("PB002", "error", INTENT, 5, 5)]
    assert "key task 'kt-a' is missing the required field 'title'" in pb.diagnostics[0].message


def test_pb002_wrong_type(check, base):
    plan = PLAN_TEXT.replace("start: 2027-02-01", "start: soon")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB002", "error", PLAN, 6, 8)]
    message = pb.diagnostics[0].message
    assert "'start' of plan 'plan-a'" in message
    assert "YYYY-MM-DD" in message
    assert "'soon'" in message


def test_pb002_an_item_without_an_id_is_named_by_its_place(check, base):
    plan = PLAN_TEXT + "  - name: Metric B\n    type: outcome\n    drives: sf-a\n"
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB002", "error", PLAN, 13, 5)]  # the item's first line
    message = pb.diagnostics[0].message
    assert "metric 2 of plan 'plan-a' is missing the required field 'id'" in message


def test_pb002_true_or_false_is_not_a_number(check, base):
    plan = PLAN_TEXT.replace("end: 2027-03-31\n", "end: 2027-03-31\nbudget: yes please\n")
    assert found(check({**base, "functions/marketing/plan-a.yaml": plan})) == []
    plan = PLAN_TEXT.replace("end: 2027-03-31\n", "end: 2027-03-31\nbudget: true\n")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB002", "error", PLAN, 8, 9)]
    assert "'budget' of plan 'plan-a' must be a number, not True" in pb.diagnostics[0].message


def test_pb002_a_bad_item_of_a_list_is_set_aside_and_the_plan_still_checked(check, base):
    plan = PLAN_TEXT.replace("metrics:\n", "milestones:\n  - kick-off\nmetrics:\n")
    plan = plan.replace("supports: [est-a]", "supports: [est-zz]")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    codes = found(pb)
    assert ("PB002", "error", PLAN, 9, 5) in codes
    assert "'milestones[0]' of plan 'plan-a' must be a mapping of fields" in str(pb.diagnostics)
    assert any(c[0] == "PB004" and c[2] == PLAN for c in codes)  # its links were still checked


def test_pb002_text_where_a_list_belongs_is_not_also_an_orphan(check, base):
    plan = PLAN_TEXT.replace("supports: [est-a]", "supports: est-a")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [
        ("PB007", "error", FUNCTION, 5, 9),
        ("PB002", "error", PLAN, 5, 11),
    ]
    assert "must be a list" in pb.diagnostics[1].message
    assert "[est-a]" in pb.diagnostics[1].message


def test_pb002_unknown_field_with_did_you_mean(check, base):
    plan = PLAN_TEXT.replace("title: Plan A\n", "title: Plan A\nobjectve: Grow\n")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB002", "error", PLAN, 4, 1)]
    message = pb.diagnostics[0].message
    assert "unknown field 'objectve' in plan 'plan-a'" in message
    assert "did you mean 'objective'?" in message


def test_pb002_unknown_nested_field_and_what_follows_from_it(check, base):
    pb = check({**base, "intent.yaml": base["intent.yaml"].replace("supports:", "suports:")})
    assert found(pb) == [
        ("PB006", "error", INTENT, 5, 9),
        ("PB002", "error", INTENT, 7, 5),
        ("PB007", "error", MISSION, 9, 9),
    ]
    unknown = pb.diagnostics[1].message
    assert "unknown field 'suports' in key task 'kt-a'" in unknown
    assert "did you mean 'supports'?" in unknown


def test_pb002_unknown_kind(check, base):
    plan = PLAN_TEXT.replace("kind: plan", "kind: plna")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [
        ("PB007", "error", FUNCTION, 5, 9),
        ("PB002", "error", PLAN, 1, 7),
    ]
    message = pb.diagnostics[1].message
    assert "unknown kind 'plna'" in message
    assert "did you mean 'plan'?" in message


def test_pb002_missing_kind(check, base):
    pb = check({**base, "glossary.yaml": "# terms\nid: g\n"})
    assert found(pb) == [("PB002", "error", GLOSSARY, 2, 1)]
    assert "missing required field 'kind'" in pb.diagnostics[0].message


def test_pb002_document_that_is_a_list(check, base):
    pb = check({**base, "glossary.yaml": "- kind: glossary\n- id: g\n"})
    assert found(pb) == [("PB002", "error", GLOSSARY, 1, 1)]
    assert "must be a mapping" in pb.diagnostics[0].message
    assert "this one is a list" in pb.diagnostics[0].message


def test_pb002_document_that_is_a_single_value(check, base):
    pb = check({**base, "glossary.yaml": "# a note\njust text\n"})
    assert found(pb) == [("PB002", "error", GLOSSARY, 2, 1)]
    assert "a single value" in pb.diagnostics[0].message


def test_pb002_missing_mission(check, base):
    pb = check({**base, "mission.yaml": None})
    # Without the mission, sf-a is unknown wherever it is named: kt-a supports nothing.
    assert found(pb) == [
        ("PB002", "error", "plans", 0, 0),
        ("PB010", "warning", PLAN, 9, 3),
        ("PB004", "error", PLAN, 12, 13),
        ("PB006", "error", INTENT, 7, 15),
        ("PB004", "error", INTENT, 7, 16),
    ]
    assert "the playbook has no mission" in pb.diagnostics[0].message
    assert "kind: mission" in pb.diagnostics[0].message


def test_pb002_second_mission(check, base):
    second = base["mission.yaml"].replace("id: m\n", "id: m2\n").replace("sf-a", "sf-b")
    pb = check({**base, "second.yaml": second})
    assert found(pb) == [("PB002", "error", "plans/second.yaml", 1, 7)]
    message = pb.diagnostics[0].message
    assert "a second mission" in message
    assert f"{MISSION}:1:1" in message
    assert pb.diagnostics[0].related == (Location(MISSION, 1, 1),)


def test_pb002_every_schema_problem_of_a_document_is_reported(check, base):
    plan = (
        PLAN_TEXT.replace("title: Plan A\n", "")
        .replace("start: 2027-02-01", "start: soon")
        .replace("type: outcome", "type: vanity")
    )
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert [f for f in found(pb) if f[0] == "PB002"] == [
        ("PB002", "error", PLAN, 1, 1),
        ("PB002", "error", PLAN, 5, 8),
        ("PB002", "error", PLAN, 10, 11),
    ]


# --- PB003: duplicate id ------------------------------------------------------------------


def test_pb003_duplicate_id_reports_both_places_each_naming_the_other(check, base):
    pb = check(
        {
            **base,
            "glossary.yaml": "kind: glossary\nid: terms\n",
            "terms.yaml": "kind: glossary\nid: terms\n",
        }
    )
    other = "plans/terms.yaml"
    assert found(pb) == [
        ("PB003", "error", GLOSSARY, 2, 5),
        ("PB003", "error", other, 2, 5),
    ]
    first, second = pb.diagnostics
    assert f"{other}:2:5" in first.message
    assert first.related == (Location(other, 2, 5),)
    assert f"{GLOSSARY}:2:5" in second.message
    assert second.related == (Location(GLOSSARY, 2, 5),)
    assert "ids are unique across the whole playbook" in second.message


def test_pb003_duplicate_nested_ids_in_one_file(check, base):
    intent = base["intent.yaml"] + "  - id: kt-a\n    title: Again\n    supports: [sf-a]\n"
    pb = check({**base, "intent.yaml": intent})
    assert found(pb) == [
        ("PB003", "error", INTENT, 5, 9),
        ("PB003", "error", INTENT, 8, 9),
    ]
    assert "key task" in pb.diagnostics[0].message


# --- PB004: unknown id --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "edit", "expected", "fragment"),
    [
        pytest.param(
            "intent.yaml",
            lambda t: t.replace("[sf-a]", "[sf-b]"),
            [
                ("PB006", "error", INTENT, 7, 15),  # its only link does not resolve
                ("PB004", "error", INTENT, 7, 16),
                ("PB007", "error", MISSION, 9, 9),
            ],
            "key task 'kt-a' names 'sf-b' in 'supports', but no success factor has that id; "
            "did you mean 'sf-a'?",
            id="supports",
        ),
        pytest.param(
            "functions/marketing/plan-a.yaml",
            lambda t: t.replace("function: marketing", "function: marketting"),
            [("PB004", "error", PLAN, 4, 11)],
            "plan 'plan-a' names 'marketting' in 'function', but no function has that id; "
            "did you mean 'marketing'?",
            id="function",
        ),
        pytest.param(
            "functions/marketing/plan-a.yaml",
            lambda t: t + "depends_on: [plan-x]\n",
            [("PB004", "error", PLAN, 13, 14)],
            "names 'plan-x' in 'depends_on', but no plan has that id; did you mean 'plan-a'?",
            id="depends_on",
        ),
        pytest.param(
            "functions/marketing/plan-a.yaml",
            lambda t: t.replace("drives: sf-a", "drives: sf-b"),
            [("PB010", "warning", PLAN, 9, 3), ("PB004", "error", PLAN, 12, 13)],
            "metric 'met-a' names 'sf-b' in 'drives', but no success factor or metric has that "
            "id; did you mean 'sf-a'?",
            id="drives",
        ),
        pytest.param(
            "functions/marketing/plan-a.yaml",
            lambda t: t + "lifecycle_stage: oportunity\n",
            [("PB004", "error", PLAN, 13, 18)],
            "names the lifecycle stage 'oportunity', which the mission's lifecycle (radar, "
            "opportunity, customer, advocate) does not have; did you mean 'opportunity'?",
            id="lifecycle_stage",
        ),
    ],
)
def test_pb004_unknown_id_with_did_you_mean(check, base, file, edit, expected, fragment):
    pb = check({**base, file: edit(base[file])})
    assert found(pb) == expected
    assert fragment in one(pb, "PB004").message


def test_pb004_lifecycle_stage_of_a_custom_lifecycle(check, base):
    mission = base["mission.yaml"] + "lifecycle: [prospect, client]\n"
    plan = PLAN_TEXT + "lifecycle_stage: opportunity\n"
    pb = check({**base, "mission.yaml": mission, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB004", "error", PLAN, 13, 18)]
    ok = check({**base, "mission.yaml": mission, "functions/marketing/plan-a.yaml": PLAN_TEXT})
    assert found(ok) == []


# --- PB005: wrong rung --------------------------------------------------------------------


def test_pb005_plan_supporting_a_key_task(check, base):
    plan = PLAN_TEXT.replace("supports: [est-a]", "supports: [est-a, kt-a]")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB005", "error", PLAN, 5, 19)]
    message = pb.diagnostics[0].message
    assert "plan 'plan-a' names the key task 'kt-a' in 'supports', which must name an estimate" in (
        message
    )
    assert "(the estimates under 'kt-a' are 'est-a')" in message


def test_pb005_key_task_supporting_an_estimate(check, base):
    pb = check({**base, "intent.yaml": base["intent.yaml"].replace("[sf-a]", "[sf-a, est-a]")})
    assert found(pb) == [("PB005", "error", INTENT, 7, 22)]
    assert (
        "key task 'kt-a' names the estimate 'est-a' in 'supports', which must name a success "
        "factor" in pb.diagnostics[0].message
    )


def test_pb005_plan_whose_function_names_an_estimate(check, base):
    plan = PLAN_TEXT.replace("function: marketing", "function: est-a")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB005", "error", PLAN, 4, 11)]
    assert (
        "plan 'plan-a' names the estimate 'est-a' in 'function', which must name a function"
        in pb.diagnostics[0].message
    )


# --- PB006: orphan ------------------------------------------------------------------------


def test_pb006_missing_supports(check, base):
    plan = PLAN_TEXT.replace("supports: [est-a]\n", "")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [
        ("PB007", "error", FUNCTION, 5, 9),
        ("PB006", "error", PLAN, 2, 5),
    ]
    assert "plan 'plan-a' supports nothing" in pb.diagnostics[1].message
    assert "estimate" in pb.diagnostics[1].message


def test_pb006_empty_supports(check, base):
    intent = base["intent.yaml"].replace("[sf-a]", "[]")
    pb = check({**base, "intent.yaml": intent})
    assert found(pb) == [
        ("PB006", "error", INTENT, 7, 15),
        ("PB007", "error", MISSION, 9, 9),
    ]
    assert "key task 'kt-a' supports nothing" in pb.diagnostics[0].message
    assert "success factor" in pb.diagnostics[0].message


def test_pb006_supports_that_links_nothing(check, base):
    """A ``supports`` naming only unknown ids or nodes of another kind links nothing: the node
    is an orphan as much as with an empty one (``checks/coverage.py``)."""
    plan = PLAN_TEXT.replace("supports: [est-a]", "supports: [est-b, kt-a]")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [
        ("PB007", "error", FUNCTION, 5, 9),
        ("PB006", "error", PLAN, 5, 11),
        ("PB004", "error", PLAN, 5, 12),
        ("PB005", "error", PLAN, 5, 19),
    ]
    assert pb.diagnostics[1].message == (
        "plan 'plan-a' supports nothing: no id in its 'supports' is an estimate, so it does "
        "not trace up to the mission"
    )


def test_pb006_not_for_a_supports_the_schema_check_set_aside(check, base):
    plan = PLAN_TEXT.replace("supports: [est-a]", "supports: {est-a: 1}")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert [d.code for d in pb.diagnostics] == ["PB007", "PB002"]


# --- PB007: uncovered ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "extra", "where", "fragment"),
    [
        pytest.param(
            "mission.yaml",
            "  - id: sf-b\n    title: Factor B\n",
            (MISSION, 11, 9),
            "success factor 'sf-b' is uncovered: no key task",
            id="success-factor",
        ),
        pytest.param(
            "intent.yaml",
            "  - id: kt-b\n    title: Task B\n    supports: [sf-a]\n",
            (INTENT, 8, 9),
            "key task 'kt-b' is uncovered: no function's estimate",
            id="key-task",
        ),
        pytest.param(
            "functions/marketing.yaml",
            "  - id: est-b\n    title: Estimate B\n    supports: [kt-a]\n",
            (FUNCTION, 8, 9),
            "estimate 'est-b' is uncovered: no supporting plan",
            id="estimate",
        ),
    ],
)
def test_pb007_uncovered_rung(check, base, file, extra, where, fragment):
    pb = check({**base, file: base[file] + extra})
    assert found(pb) == [("PB007", "error", *where)]
    assert fragment in pb.diagnostics[0].message


# --- PB008: dependency cycles -------------------------------------------------------------


def test_pb008_cycle_of_three_names_the_whole_chain(check, base):
    pb = check(
        {
            **base,
            "functions/marketing/plan-a.yaml": plan_yaml("plan-a") + "depends_on: [plan-c]\n",
            "functions/marketing/plan-b.yaml": plan_yaml("plan-b") + "depends_on: [plan-a]\n",
            "functions/marketing/plan-c.yaml": plan_yaml("plan-c") + "depends_on: [plan-b]\n",
        }
    )
    where = "plans/functions/marketing/plan-{}.yaml"
    assert found(pb) == [("PB008", "error", where.format("a"), 11, 14)]
    cycle = pb.diagnostics[0]
    assert "plan-a → plan-c → plan-b → plan-a" in cycle.message
    assert cycle.related == (
        Location(where.format("c"), 11, 14),
        Location(where.format("b"), 11, 14),
    )
    assert pb.cycles == [["plan-a", "plan-c", "plan-b"]]


def test_pb008_self_loop(check, base):
    pb = check({**base, "functions/marketing/plan-a.yaml": PLAN_TEXT + "depends_on: [plan-a]\n"})
    cycle = one(pb, "PB008")
    assert (cycle.location.file, cycle.location.line, cycle.location.column) == (PLAN, 13, 14)
    assert "plan-a → plan-a" in cycle.message
    assert cycle.related == ()


def test_pb008_a_chain_without_a_cycle_is_fine(check, base):
    pb = check(
        {
            **base,
            "functions/marketing/plan-a.yaml": plan_yaml("plan-a"),
            "functions/marketing/plan-b.yaml": plan_yaml("plan-b") + "depends_on: [plan-a]\n",
            "functions/marketing/plan-c.yaml": plan_yaml("plan-c")
            + "depends_on: [plan-a, plan-b]\n",
        }
    )
    assert found(pb) == []
    assert pb.cycles == []


# --- PB009: schedule ----------------------------------------------------------------------


def test_pb009_outside_the_horizon(check, base):
    plan = PLAN_TEXT.replace("start: 2027-02-01", "start: 2026-12-01")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB009", "warning", PLAN, 6, 8)]
    assert (
        "plan 'plan-a' starts on 2026-12-01, outside the mission horizon (2027-01-01 to "
        "2027-12-31)" in pb.diagnostics[0].message
    )


def test_pb009_starting_before_a_dependency_ends(check, base):
    later = plan_yaml("plan-b") + "start: 2027-03-01\ndepends_on: [plan-a]\n"
    pb = check({**base, "functions/marketing/plan-b.yaml": later})
    plan_b = "plans/functions/marketing/plan-b.yaml"
    assert found(pb) == [("PB009", "warning", plan_b, 12, 14)]
    finding = pb.diagnostics[0]
    assert (
        "plan 'plan-b' starts on 2027-03-01, before 'plan-a', which it depends on, ends on "
        "2027-03-31" in finding.message
    )
    assert finding.related == (Location(PLAN, 7, 6),)


def test_pb009_ending_before_starting_and_milestone_outside_the_plan(check, base):
    plan = PLAN_TEXT.replace("end: 2027-03-31", "end: 2027-01-15") + (
        "milestones:\n  - title: Launch\n    date: 2027-06-01\n"
    )
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [
        ("PB009", "warning", PLAN, 7, 6),
        ("PB009", "warning", PLAN, 15, 11),
    ]
    assert "ends (2027-01-15) before it starts (2027-02-01)" in pb.diagnostics[0].message
    assert "milestone 'Launch' of plan 'plan-a' falls on 2027-06-01" in pb.diagnostics[1].message


# --- PB010: metrics -----------------------------------------------------------------------


def test_pb010_leading_metric_without_drives(check, base):
    plan = PLAN_TEXT + "  - id: met-lead\n    name: Replies\n    type: leading\n"
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB010", "error", PLAN, 13, 9)]
    assert (
        "the leading metric 'met-lead' of plan 'plan-a' drives nothing" in pb.diagnostics[0].message
    )


def test_pb010_activity_metric_driving_a_chain_that_never_reaches_a_factor(check, base):
    plan = PLAN_TEXT + (
        "  - id: met-out\n    name: Pipeline\n    type: outcome\n"
        "  - id: met-act\n    name: Calls\n    type: activity\n    drives: met-out\n"
    )
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB010", "error", PLAN, 19, 13)]
    assert "the activity metric 'met-act' drives 'met-out'" in pb.diagnostics[0].message
    assert "never reaches a success factor" in pb.diagnostics[0].message


def test_pb010_leading_metric_driving_an_outcome_that_reaches_a_factor_is_fine(check, base):
    plan = PLAN_TEXT + "  - id: met-lead\n    name: Replies\n    type: leading\n    drives: met-a\n"
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == []


def test_pb010_plan_without_a_metric_reaching_a_factor_is_a_warning(check, base):
    plan = PLAN_TEXT.replace("    drives: sf-a\n", "")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB010", "warning", PLAN, 9, 3)]
    assert "plan 'plan-a' has no metric that reaches a success factor" in pb.diagnostics[0].message


def test_pb010_plan_without_metrics_is_a_warning_at_its_id(check, base):
    plan = PLAN_TEXT.split("metrics:")[0]
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB010", "warning", PLAN, 2, 5)]
    assert "plan 'plan-a' has no metrics" in pb.diagnostics[0].message


# --- PB011: another function's estimate ---------------------------------------------------

SALES = """\
kind: function
id: sales
name: Sales
estimates:
  - id: est-s
    title: Sales estimate
    supports: [kt-a]
"""


def test_pb011_plan_supporting_another_functions_estimate(check, base):
    plan_s = plan_yaml("plan-s", function="sales", supports="[est-s, est-a]")
    pb = check({**base, "functions/sales.yaml": SALES, "functions/sales/plan-s.yaml": plan_s})
    where = "plans/functions/sales/plan-s.yaml"
    assert found(pb) == [("PB011", "warning", where, 5, 19)]
    assert (
        "plan 'plan-s' of sales supports 'est-a', an estimate of marketing"
        in pb.diagnostics[0].message
    )


# --- PB012: waterfall ---------------------------------------------------------------------


def test_pb012_the_worked_example_commitment_of_150_mql_a_month(check, base):
    pb = check({**base, "sla.yaml": worked_sla()})
    assert found(pb) == [("PB012", "error", SLA, 26, 13)]
    message = pb.diagnostics[0].message
    assert "marketing commits 150 mql a month = 450 a quarter" in message
    assert "the revenue target needs 667 a quarter" in message
    assert "217 short" in message
    needs = {s.stage.id: s.needed for s in pb.waterfalls[0].stages}
    assert needs == {"inquiry": 4445, "mql": 667, "sal": 334, "opportunity": 200, "won": 50}


@pytest.mark.parametrize(
    ("volume", "per"), [("667", "quarter"), ("223", "month"), ("2668", "year")]
)
def test_pb012_a_commitment_that_covers_the_need_in_any_period(check, base, volume, per):
    pb = check({**base, "sla.yaml": worked_sla(volume=volume, per=per)})
    assert found(pb) == []


def test_pb012_commitment_in_the_sla_period_is_not_converted(check, base):
    pb = check({**base, "sla.yaml": worked_sla(volume="600", per="quarter")})
    assert found(pb) == [("PB012", "error", SLA, 26, 13)]
    message = pb.diagnostics[0].message
    assert "marketing commits 600 mql a quarter; the revenue target needs 667 a quarter" in message
    assert "67 short" in message
    assert "=" not in message


@pytest.mark.parametrize("conversion", ["1.5", "0", "-0.2"])
def test_pb012_conversion_outside_zero_to_one(check, base, conversion):
    pb = check({**base, "sla.yaml": worked_sla(mql_conversion=conversion)})
    assert found(pb) == [("PB012", "error", SLA, 14, 17)]
    assert f"stage 'mql' converts {conversion}" in pb.diagnostics[0].message
    assert pb.waterfalls == []


def test_pb012_conversion_of_exactly_one_is_allowed(check, base):
    pb = check({**base, "sla.yaml": worked_sla(mql_conversion="1", volume="334", per="quarter")})
    assert found(pb) == []
    assert pb.waterfalls[0].stages[1].needed == 334


def test_pb012_commitment_to_an_unknown_stage(check, base):
    pb = check({**base, "sla.yaml": worked_sla(stage="mqll")})
    assert found(pb) == [("PB012", "error", SLA, 25, 12)]
    message = pb.diagnostics[0].message
    assert "marketing commits to the stage 'mqll', which the SLA does not have" in message
    assert "did you mean 'mql'?" in message


def test_pb012_commitment_when_the_stages_were_set_aside(check, base):
    sla = worked_sla().replace("stages:\n", "stages: every one\nold_stages:\n")
    pb = check({**base, "sla.yaml": sla})
    assert [f[0] for f in found(pb)] == ["PB002", "PB002", "PB012"]
    assert "(it lists no stages)" in pb.diagnostics[2].message
    assert "()" not in pb.diagnostics[2].message


def test_pb012_commitment_per_week_cannot_be_converted(check, base):
    pb = check({**base, "sla.yaml": worked_sla(per="week")})
    assert found(pb) == [("PB012", "error", SLA, 27, 10)]
    message = pb.diagnostics[0].message
    assert "per 'week'" in message
    assert "use month, quarter or year" in message


def test_pb012_commitment_by_someone_not_a_party(check, base):
    sla = worked_sla().replace("  - party: marketing", "  - party: sales")
    pb = check({**base, "sla.yaml": sla})
    assert found(pb) == [("PB012", "error", SLA, 24, 12)]
    assert "'sales' commits to the SLA but is not one of its parties" in pb.diagnostics[0].message


def test_pb012_stage_without_conversion(check, base):
    sla = worked_sla(volume="667", per="quarter").replace("    conversion: 0.6\n", "")
    pb = check({**base, "sla.yaml": sla})
    assert found(pb) == [("PB012", "error", SLA, 15, 9)]
    assert "stage 'sal' has no 'conversion'" in pb.diagnostics[0].message


@pytest.mark.parametrize("field", ["revenue_target", "average_deal"])
@pytest.mark.parametrize("value", [".inf", ".nan"])
def test_pb012_non_finite_numbers_are_findings_not_crashes(check, base, field, value):
    sla = worked_sla(volume="667", per="quarter")
    line = {"revenue_target": 5, "average_deal": 7}[field]
    sla = sla.replace(f"{field}: ", f"{field}: {value} # ", 1)
    pb = check({**base, "sla.yaml": sla})
    finding = next(d for d in pb.diagnostics if d.location.file == SLA)
    assert finding.code in ("PB002", "PB012")
    assert (finding.location.line, finding.location.column) == (line, len(field) + 3)


# --- PB013: id form -----------------------------------------------------------------------


def test_pb013_id_not_of_the_required_form(check, base):
    plan = PLAN_TEXT.replace("id: plan-a", "id: Plan_A")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB013", "error", PLAN, 2, 5)]
    message = pb.diagnostics[0].message
    assert "the id 'Plan_A' of this plan is not allowed" in message
    assert "for example 'plan-a'" in message


def test_pb013_nested_id(check, base):
    plan = PLAN_TEXT.replace("id: met-a", "id: Met A")
    pb = check({**base, "functions/marketing/plan-a.yaml": plan})
    assert found(pb) == [("PB013", "error", PLAN, 9, 9)]
    assert "the id 'Met A' of this metric" in pb.diagnostics[0].message


@pytest.mark.parametrize("bad", ["-lead", "a" * 65, "ünïcode", "a.b"])
def test_pb013_other_malformed_ids(check, base, bad):
    pb = check({**base, "glossary.yaml": f'kind: glossary\nid: "{bad}"\n'})
    assert found(pb) == [("PB013", "error", GLOSSARY, 2, 5)]


# --- all findings in one run; the check never raises ---------------------------------------


def test_all_findings_in_one_run(check, base):
    plan = (
        PLAN_TEXT.replace("id: plan-a", "id: Plan_A")
        .replace("title: Plan A\n", "title: Plan A\nownr: Ana\n")
        .replace("start: 2027-02-01", "start: 2026-12-01")
        .replace("drives: sf-a", "drives: sf-z")
    )
    pb = check(
        {
            **base,
            "functions/marketing/plan-a.yaml": plan,
            "glossary.yaml": "kind: glossary\nid: g\nterms: [a\n",
            "intent.yaml": base["intent.yaml"] + "  - id: kt-b\n    title: B\n    supports: []\n",
        }
    )
    assert found(pb) == [
        ("PB013", "error", PLAN, 2, 5),
        ("PB002", "error", PLAN, 4, 1),
        ("PB009", "warning", PLAN, 7, 8),
        ("PB010", "warning", PLAN, 10, 3),
        ("PB004", "error", PLAN, 13, 13),
        ("PB001", "error", GLOSSARY, 4, 1),
        ("PB007", "error", INTENT, 8, 9),
        ("PB006", "error", INTENT, 10, 15),
    ]
    assert pb.errors == 6
    assert pb.warnings == 2


def test_an_empty_document_is_skipped(check, base):
    pb = check({**base, "glossary.yaml": "kind: glossary\nid: g\n---\n", "notes.yaml": "# later\n"})
    assert found(pb) == []
    assert pb.nodes["g"].kind == "glossary"


def test_a_value_set_aside_by_the_schema_is_not_also_an_unknown_id(check, base):
    intent = base["intent.yaml"].replace("[sf-a]", "[sf-a, {a: b}]")
    pb = check({**base, "intent.yaml": intent})
    assert found(pb) == [("PB002", "error", INTENT, 7, 22)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        "~\n",
        "[]\n",
        "{}\n",
        "kind: plan\n",
        "kind: [plan]\n",
        "kind: {plan: 1}\n",
        "kind: plan\nid: 5\n",
        "kind: plan\nid: true\ntitle: [1]\nfunction: {a: 1}\nsupports: 5\n",
        "kind: plan\nid: p\ntitle: t\nfunction: marketing\nsupports: [est-a]\nmetrics: [1, [2]]\n",
        "kind: plan\nid: p\ntitle: t\nfunction: marketing\nsupports: [est-a]\nmetrics:\n  - id: x",
        "kind: plan\nid: p\ntitle: t\nfunction: marketing\nstart: 2027-02-30\n",
        "kind: plan\nid: p\ntitle: t\nfunction: marketing\nstart: 2027-02-01 10:00:00\n",
        "kind: plan\nid: p\ntitle: t\nfunction: marketing\nmilestones: [{date: x}]\n",
        "kind: sla\nid: s\nstages: 5\n",
        "kind: sla\nid: s\nperiod: month\nrevenue_target: -5\naverage_deal: 0\nstages: []\n",
        "kind: sla\nid: s\nperiod: day\nrevenue_target: x\naverage_deal: 1\nstages: [{}]\n",
        "kind: sla\nid: s\nperiod: month\nrevenue_target: 1\naverage_deal: 1\n"
        "stages: [{id: a, owner: marketing}]\ncommitments: [{party: x, stage: a, volume: "
        "1e308, per: year}]\n",
        "kind: mission\nid: m\n",
        "kind: intent\nid: i\npurpose: p\nkey_tasks: [{id: k, title: t, supports: [kt-a]}]\n",
        "? [a, b]\n: c\n",
        "a: *nowhere\n",
        "a: &x 1\n<<: *x\n",
        "!!binary aGVsbG8=\n",
        "kind: glossary\r\nid: crlf\r\n",
        "kind: glossary\rid: cr\r",
        "1: 2\nnull: 3\ntrue: 4\n2027-01-01: 5\n",
        "kind: glossary\nid: g\nterms:\n\t- term: tab\n",
        "%YAML 1.1\n---\nkind: glossary\nid: y11\non: off\n",
        "kind: function\nid: f\nname: F\nestimates: [{id: e, title: t, supports: [sf-a]}]\n",
    ],
)
def test_the_check_never_raises(check, base, text):
    pb = check({**base, "x.yaml": text})
    for d in pb.diagnostics:
        assert d.code in CATALOGUE
        if d.location.file == "plans/x.yaml":
            assert d.location.line >= 1
            assert d.location.column >= 1


# --- severity overrides -------------------------------------------------------------------

MKDOCS = """\
site_name: Playbook
plugins:
  - search
  - playbook:
      severity:
{severity}
"""


def warnings_playbook(base: dict[str, str]) -> dict[str, str]:
    """PB009 (a start outside the horizon) and PB011 (another function's estimate)."""
    plan_s = plan_yaml("plan-s", function="sales", supports="[est-s, est-a]")
    return {
        **base,
        "functions/marketing/plan-a.yaml": PLAN_TEXT.replace("2027-02-01", "2026-12-01"),
        "functions/sales.yaml": SALES,
        "functions/sales/plan-s.yaml": plan_s,
    }


def settings_from(tmp_path: Path, severity: str) -> Settings:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS.format(severity=severity), encoding="utf-8")
    return load_settings(Path("mkdocs.yml"))


def test_default_severities_of_the_warnings_playbook(check, base):
    pb = check(warnings_playbook(base))
    assert found(pb) == [
        ("PB009", "warning", PLAN, 6, 8),
        ("PB011", "warning", "plans/functions/sales/plan-s.yaml", 5, 19),
    ]


def test_severity_overrides_from_mkdocs_yml(check, base, tmp_path):
    settings = settings_from(tmp_path, "        PB011: error\n        PB009: off")
    assert settings.plans == Path("plans")
    pb = check(warnings_playbook(base), settings)
    assert found(pb) == [("PB011", "error", "plans/functions/sales/plan-s.yaml", 5, 19)]
    assert (pb.errors, pb.warnings) == (1, 0)


def test_severity_can_lower_an_error_to_a_warning(check, base, tmp_path):
    settings = settings_from(tmp_path, "        PB006: warning\n        PB007: info")
    pb = check(
        {**base, "functions/marketing/plan-a.yaml": PLAN_TEXT.replace("[est-a]", "[]")}, settings
    )
    assert found(pb) == [
        ("PB007", "info", FUNCTION, 5, 9),
        ("PB006", "warning", PLAN, 5, 11),
    ]
    assert (pb.errors, pb.warnings) == (0, 1)


def test_unknown_code_in_the_severity_config_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="unknown check code 'PB099'"):
        settings_from(tmp_path, "        PB099: error")


def test_unknown_severity_value_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="PB009"):
        settings_from(tmp_path, "        PB009: fatal")
