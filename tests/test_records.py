"""model/records.py: what a plain mapping becomes, and every problem it has, by path and fault."""

from __future__ import annotations

import datetime as dt
import pickle
import typing
from typing import Any

import pytest

from mission_playbook.model import kinds as model
from mission_playbook.model import records
from mission_playbook.model.records import Invalid, validate

PLAN = {"kind": "plan", "id": "p", "title": "Plan", "function": "marketing"}


def problems(cls: type[records.Record], data: Any) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(Invalid) as caught:
        validate(cls, data)
    return [(p.path, p.fault) for p in caught.value.problems]


def test_a_mapping_becomes_nested_records_with_defaults():
    plan = validate(
        model.Plan,
        {**PLAN, "metrics": [{"id": "m", "name": "MQLs", "type": "outcome", "target": 40}]},
    )
    assert isinstance(plan, model.Plan)
    assert plan.metrics == [model.Metric(id="m", name="MQLs", type="outcome", target=40)]
    assert plan.metrics[0].drives is None
    assert plan.supports == [] and plan.owner is None


def test_every_problem_is_reported_in_one_pass_by_path():
    data = {
        **PLAN,
        "title": True,
        "start": "soon",
        "supports": "est-a",
        "metrics": [{"id": "m", "type": "vanity", "colour": "red"}],
        "milestones": ["kick-off"],
        "owner": ["x"],
    }
    del data["function"]
    assert problems(model.Plan, data) == [
        (("title",), "not_text"),
        (("function",), "missing_field"),
        (("owner",), "not_text"),
        (("supports",), "not_list"),
        (("start",), "not_date"),
        (("milestones", 0), "not_mapping"),
        (("metrics", 0, "name"), "missing_field"),
        (("metrics", 0, "type"), "not_one_of"),
        (("metrics", 0, "colour"), "unknown_field"),
    ]


def test_a_literal_problem_says_what_is_allowed():
    with pytest.raises(Invalid) as caught:
        validate(model.Metric, {"id": "m", "name": "n", "type": "vanity"})
    (problem,) = caught.value.problems
    assert problem.expected == "'outcome', 'leading' or 'activity'"
    assert problem.value == "vanity"


@pytest.mark.parametrize(
    ("field", "written", "held"),
    [
        ("title", 2027, "2027"),  # a number is accepted as text
        ("title", 2.5, "2.5"),
        ("start", "2027-02-01", dt.date(2027, 2, 1)),
        ("start", dt.datetime(2027, 2, 1), dt.date(2027, 2, 1)),  # midnight is a date
        ("budget", 5000, 5000),  # a number stays as written: an int is not made a float
        ("budget", 2.5, 2.5),
        ("budget", "about 5k", "about 5k"),  # number or text: text stays text
        ("budget", "5000", "5000"),
    ],
)
def test_values_a_plan_accepts(field, written, held):
    plan = validate(model.Plan, {**PLAN, field: written})
    assert getattr(plan, field) == held
    assert type(getattr(plan, field)) is type(held)


def test_numbers_whole_numbers_and_their_text():
    assert validate(model.Customer, {"id": "c", "rank": 3.0}).rank == 3
    assert validate(model.Customer, {"id": "c", "rank": " 4 "}).rank == 4
    assert validate(model.Market, {"id": "m", "priority": "3"}).priority == "3"  # int | str
    assert validate(model.Market, {"id": "m", "priority": 2.0}).priority == 2
    stage = validate(model.Stage, {"id": "s", "owner": "marketing", "conversion": "0.25"})
    assert stage.conversion == 0.25


@pytest.mark.parametrize(
    ("cls", "data", "expected"),
    [
        (model.Customer, {"id": "c", "rank": 2.5}, (("rank",), "not_whole_number")),
        (model.Customer, {"id": "c", "rank": "first"}, (("rank",), "not_whole_number")),
        (model.Customer, {"id": "c", "rank": True}, (("rank",), "not_whole_number")),
        (
            model.Stage,
            {"id": "s", "owner": "o", "conversion": True},
            (("conversion",), "not_number"),
        ),
        (
            model.Stage,
            {"id": "s", "owner": "o", "conversion": float("nan")},
            (("conversion",), "not_finite"),
        ),
        (
            model.Stage,
            {"id": "s", "owner": "o", "conversion": "half"},
            (("conversion",), "not_number"),
        ),
        (model.Milestone, {"title": "t", "date": 20270201}, (("date",), "not_date")),
        (model.Milestone, {"title": "t", "date": "2027-2-1"}, (("date",), "not_date")),
        (model.Milestone, {"title": "t", "date": "2027-02-30"}, (("date",), "not_date")),
        (
            model.Milestone,
            {"title": "t", "date": dt.datetime(2027, 2, 1, 9)},
            (("date",), "date_with_time"),
        ),
        # a union that takes nothing reports its first member's problem
        (model.Market, {"id": "m", "priority": [1]}, (("priority",), "not_whole_number")),
        (model.Plan, {**PLAN, "budget": {"k": 1}}, (("budget",), "not_number")),
        (model.Plan, {**PLAN, "budget": False}, (("budget",), "not_number")),
    ],
)
def test_values_that_do_not_fit(cls, data, expected):
    assert problems(cls, data) == [expected]


def test_a_field_can_be_written_under_another_key():
    task = validate(model.SpecifiedTask, {"task": "Launch", "from": "kt-a"})
    assert task.from_ == "kt-a"
    assert problems(model.SpecifiedTask, {"task": "Launch", "from_": "kt-a"}) == [
        (("from_",), "unknown_field")
    ]
    assert records.dump(task) == {"task": "Launch", "from": "kt-a"}


def test_a_key_that_is_not_text_is_an_unknown_field():
    assert problems(model.Glossary, {"kind": "glossary", "id": "g", 1: "x"}) == [
        ((1,), "unknown_field")
    ]


def test_defaults_are_fresh_for_each_record():
    one = validate(model.Mission, MISSION)
    two = validate(model.Mission, MISSION)
    one.environment.facts.append("fact")
    one.lifecycle.append("lost")
    assert two.environment.facts == [] and "lost" not in two.lifecycle
    made = model.Mission(**{k: v for k, v in MISSION.items()})
    assert made.environment.facts == [] and "lost" not in made.lifecycle


MISSION = {"kind": "mission", "id": "m", "title": "T", "statement": "S", "success_factors": []}


def test_records_compare_copy_pickle_and_dump_by_value():
    plan = validate(model.Plan, {**PLAN, "start": "2027-02-01", "supports": ["est-a"]})
    same = model.Plan(
        kind="plan",
        id="p",
        title="Plan",
        function="marketing",
        start=dt.date(2027, 2, 1),
        supports=["est-a"],
    )
    assert plan == same and plan != records.replace(same, title="Other")
    assert pickle.loads(pickle.dumps(plan)) == plan
    changed = records.replace(plan, owner="Ana")
    assert changed.owner == "Ana" and plan.owner is None
    dumped = records.dump(plan)
    assert dumped["start"] == "2027-02-01" and dumped["supports"] == ["est-a"]
    assert list(dumped)[:4] == ["kind", "id", "title", "function"]


def test_constructing_a_record_in_code_checks_its_fields():
    with pytest.raises(TypeError, match="needs 'title'"):
        model.Milestone()
    with pytest.raises(TypeError, match="no field 'colour'"):
        model.Milestone(title="t", colour="red")


def test_fields_in_declared_order_with_keys_defaults_and_descriptions():
    by_key = {f.key: f for f in records.fields(model.SpecifiedTask)}
    assert list(by_key) == ["task", "from"]
    assert by_key["from"].name == "from_" and by_key["from"].default is None
    assert by_key["task"].required and by_key["task"].description.startswith("Free text")
    lifecycle = next(f for f in records.fields(model.Mission) if f.key == "lifecycle")
    assert lifecycle.default == model.DEFAULT_LIFECYCLE


def test_an_empty_optional_field_is_none():
    plan = validate(model.Plan, {**PLAN, "owner": None, "budget": None, "start": None})
    assert plan.owner is None and plan.budget is None and plan.start is None
    assert problems(model.Plan, {**PLAN, "title": None}) == [(("title",), "not_text")]
    assert problems(model.Plan, {**PLAN, "supports": None}) == [(("supports",), "not_list")]


UTC = dt.UTC


@pytest.mark.parametrize(
    "written",
    [
        dt.datetime(2027, 12, 31, tzinfo=UTC),  # 2027-12-31T00:00:00Z, as YAML reads it
        dt.datetime(2027, 12, 31, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "2027-12-31T00:00:00",
        " 2027-12-31 ",
    ],
)
def test_midnight_in_any_form_is_a_date(written):
    assert validate(model.Milestone, {"title": "t", "date": written}).date == dt.date(2027, 12, 31)


@pytest.mark.parametrize("written", ["20271231", "2027-W52-5", "2027-12-31x", "31.12.2027"])
def test_other_forms_of_a_date_are_refused(written):
    assert problems(model.Milestone, {"title": "t", "date": written}) == [(("date",), "not_date")]


def test_a_time_of_day_is_not_a_date():
    late = dt.datetime(2027, 12, 31, 9, tzinfo=UTC)
    assert problems(model.Milestone, {"title": "t", "date": late}) == [
        (("date",), "date_with_time")
    ]


def test_numbers_written_as_text_keep_their_value_and_are_reported_as_written():
    big = "12345678901234567891"
    assert validate(model.Customer, {"id": "c", "rank": big}).rank == int(big)  # exactly
    huge = "1" * 5000  # more digits than Python turns into an int
    assert problems(model.Customer, {"id": "c", "rank": huge}) == [(("rank",), "not_whole_number")]
    assert problems(model.Customer, {"id": "c", "rank": "١٢٣"}) == [(("rank",), "not_whole_number")]
    stage = {"id": "s", "owner": "o"}
    assert problems(model.Stage, {**stage, "conversion": "１２"}) == [
        (("conversion",), "not_number")
    ]
    with pytest.raises(Invalid) as caught:
        validate(model.Stage, {**stage, "conversion": "1e400"})
    assert caught.value.problems == [records.Problem("not_finite", ("conversion",), "1e400")]


@pytest.mark.parametrize("written", [5, True, None, ["outcome"]])
def test_one_of_some_words_takes_only_those_words(written):
    data = {"id": "m", "name": "n", "type": written}
    assert problems(model.Metric, data) == [(("type",), "not_one_of")]


class _One(records.Record):
    x: int


class _Other(records.Record):
    x: int


def test_records_of_different_classes_are_never_equal():
    assert _One(x=1) == _One(x=1) and _One(x=1) != _Other(x=1)


def test_a_mutable_default_is_refused_and_class_variables_are_not_fields():
    with pytest.raises(TypeError, match="mutable default"):

        class Shared(records.Record):
            xs: list[str] = []  # noqa: RUF012 - the point of the test

    with pytest.raises(TypeError, match="mutable default"):

        class SharedToo(records.Record):
            xs: list[str] = records.field(key="x", default=[])

    class Counted(records.Record):
        made: typing.ClassVar[int] = 0
        x: int

    assert [f.name for f in records.fields(Counted)] == ["x"]
    assert validate(Counted, {"x": 1}) == Counted(x=1)


# --- mappings of values, text of a form, unions of records ---------------------------------


class _Form(records.Record):
    code: typing.Annotated[str, records.Describe("A code.", pattern=r"[A-Z]{3}", form="XYZ")]
    table: dict[str, int] = records.field(factory=dict)


class _Shape(records.Record):
    side: int


class _Circle(records.Record):
    radius: int
    unit: str | None = None


class _Holder(records.Record):
    thing: str | _Shape | _Circle


def test_a_mapping_of_values_converts_each_value():
    held = validate(_Form, {"code": "ABC", "table": {"a": "1", 2: 3}})
    assert held.table == {"a": 1, "2": 3}  # keys as text, values converted
    assert problems(_Form, {"code": "ABC", "table": {"a": "x"}}) == [
        (("table", "a"), "not_whole_number")
    ]
    assert problems(_Form, {"code": "ABC", "table": [1]}) == [(("table",), "not_mapping")]
    assert records.dump(held) == {"code": "ABC", "table": {"a": 1, "2": 3}}


@pytest.mark.parametrize("written", ["abc", "ABCD", " ABC", "AB"])
def test_text_of_a_form_is_checked_against_its_pattern(written):
    with pytest.raises(Invalid) as caught:
        validate(_Form, {"code": written})
    assert caught.value.problems == [records.Problem("not_form", ("code",), written, "XYZ")]
    assert validate(_Form, {"code": "XYZ"}).code == "XYZ"


def test_a_union_reports_the_problems_of_the_record_that_comes_closest():
    assert validate(_Holder, {"thing": {"radius": 2}}).thing == _Circle(radius=2)
    assert validate(_Holder, {"thing": "text"}).thing == "text"
    # a mapping is no text: the records' problems are reported, the closer one's
    assert problems(_Holder, {"thing": {"radius": 2, "colour": "red"}}) == [
        (("thing", "colour"), "unknown_field")
    ]
    assert problems(_Holder, {"thing": {"sid": 2}}) == [
        (("thing", "side"), "missing_field"),
        (("thing", "sid"), "unknown_field"),
    ]
    # a value of another shape altogether: the first member's problem, as before
    assert problems(_Holder, {"thing": [1]}) == [(("thing",), "not_text")]
